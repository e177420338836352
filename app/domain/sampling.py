"""Reproducible stratified samples for file review (dossiercontrole)."""

import math
import random
from collections.abc import Mapping, Sequence


def allocate(sizes: Mapping[str, int], total: int) -> dict[str, int]:
    """Split `total` over strata in proportion to their sizes (largest remainder method).

    Every stratum with cases gets at least one where the total allows, so a small team is
    never left out of the review; no stratum gets more than it has.
    """
    population = sum(sizes.values())
    total = min(total, population)
    if total == 0:
        return dict.fromkeys(sizes, 0)
    shares = {s: total * n / population for s, n in sizes.items()}
    counts = {s: min(sizes[s], math.floor(share)) for s, share in shares.items()}
    if total >= sum(1 for n in sizes.values() if n):
        for stratum, n in sizes.items():
            if n and counts[stratum] == 0:
                counts[stratum] = 1
    by_remainder = sorted(sizes, key=lambda s: (-(shares[s] - math.floor(shares[s])), s))
    while sum(counts.values()) < total:
        for stratum in by_remainder:
            if sum(counts.values()) == total:
                break
            if counts[stratum] < sizes[stratum]:
                counts[stratum] += 1
    while sum(counts.values()) > total:
        largest = max(counts, key=lambda s: (counts[s], s))
        counts[largest] -= 1
    return counts


def stratified_sample(
    strata: Mapping[str, Sequence[str]], size: int, seed: int
) -> dict[str, list[str]]:
    """The same strata, size and seed always give the same trajectories."""
    counts = allocate({s: len(ids) for s, ids in strata.items()}, size)
    return {
        stratum: sorted(random.Random(f"{seed}:{stratum}").sample(sorted(ids), counts[stratum]))
        for stratum, ids in sorted(strata.items())
        if counts[stratum]
    }
