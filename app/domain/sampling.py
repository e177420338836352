"""Reproducible stratified samples for file review (dossiercontrole)."""

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def allocate(sizes: Mapping[str, int], total: int) -> dict[str, int]:
    """Split `total` over strata by Hamilton's largest-remainder method, as docs/domain.md decides.

    Each stratum first gets the whole part of its quota `total * n / N`; the places left go
    one each to the largest remainders (ties: larger population, then name). A non-empty
    stratum left at 0 then receives one case, taken from the stratum with the largest
    allocation (ties: larger population, then name), so the sample keeps its size and no
    team is left out of the review. Where the size is smaller than the number of strata,
    the larger strata (then name) are served first and the rest stay at 0. Quotas are
    compared as exact integers, never as floats.
    """

    def larger_first(stratum: str) -> tuple[int, str]:
        return (-sizes[stratum], stratum)

    population = sum(sizes.values())
    total = max(0, min(total, population))
    if total == 0:
        return dict.fromkeys(sizes, 0)
    counts = {s: total * n // population for s, n in sizes.items()}
    by_remainder = sorted(sizes, key=lambda s: (-(total * sizes[s] % population), -sizes[s], s))
    for stratum in by_remainder[: total - sum(counts.values())]:
        counts[stratum] += 1
    left_out = sorted((s for s in sizes if sizes[s] and not counts[s]), key=larger_first)
    for stratum in left_out:
        donors = [s for s in counts if counts[s] > 1]
        if not donors:
            break  # fewer places than strata: the larger strata keep theirs
        donor = min(donors, key=lambda s: (-counts[s], *larger_first(s)))
        counts[donor] -= 1
        counts[stratum] = 1
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


@dataclass(frozen=True)
class ReviewOutcome:
    """What a file review found: cases judged akkoord, afwijking, and not yet judged."""

    cases: int
    akkoord: int
    afwijking: int

    @property
    def open(self) -> int:
        return self.cases - self.akkoord - self.afwijking

    def __add__(self, other: "ReviewOutcome") -> "ReviewOutcome":
        return ReviewOutcome(
            self.cases + other.cases,
            self.akkoord + other.akkoord,
            self.afwijking + other.afwijking,
        )


def review_outcome(cases: Sequence[str], latest: Mapping[str, str]) -> ReviewOutcome:
    """The outcome over a sample's cases from the latest judgement of each."""
    judged = [latest[case] for case in cases if case in latest]
    return ReviewOutcome(len(cases), judged.count("akkoord"), judged.count("afwijking"))
