from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.sampling import allocate, review_outcome, stratified_sample


def test_allocation_is_proportional_and_exact() -> None:
    # 60/30/10 of 20 -> 12, 6, 2
    assert allocate({"noord": 60, "zuid": 30, "oost": 10}, 20) == {
        "noord": 12,
        "zuid": 6,
        "oost": 2,
    }


def test_a_small_team_is_never_left_out() -> None:
    # 1/100 of 10 would round to 0: the small team still gets one case
    counts = allocate({"noord": 99, "klein": 1}, 10)
    assert counts["klein"] == 1
    assert sum(counts.values()) == 10


def test_a_sample_larger_than_the_population_takes_everyone() -> None:
    assert allocate({"a": 2, "b": 3}, 50) == {"a": 2, "b": 3}


@given(
    st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 40), min_size=1),
    st.integers(0, 100),
)
def test_allocation_never_exceeds_a_stratum_and_sums_to_the_size(
    sizes: dict[str, int], size: int
) -> None:
    counts = allocate(sizes, size)
    assert sum(counts.values()) == min(size, sum(sizes.values()))
    assert all(0 <= counts[s] <= sizes[s] for s in sizes)


def test_the_same_seed_draws_the_same_sample_and_another_seed_another() -> None:
    strata = {"noord": [f"N-{i}" for i in range(50)], "zuid": [f"Z-{i}" for i in range(30)]}
    first = stratified_sample(strata, 8, seed=42)
    assert first == stratified_sample(dict(reversed(list(strata.items()))), 8, seed=42)
    assert first != stratified_sample(strata, 8, seed=43)
    assert {k: len(v) for k, v in first.items()} == {"noord": 5, "zuid": 3}


def hamilton(sizes: dict[str, int], size: int) -> dict[str, int]:
    """Straight from the textbook, in exact fractions: whole parts, then largest remainders
    (ties: larger population, then name); then the domain's one-case minimum, each taken from the
    largest allocation (ties: larger population, then name), strata served larger first."""
    population = sum(sizes.values())
    size = min(size, population)
    if size == 0:
        return dict.fromkeys(sizes, 0)
    quotas = {s: Fraction(size * n, population) for s, n in sizes.items()}
    counts = {s: int(q) for s, q in quotas.items()}
    ranked = sorted(sizes, key=lambda s: (-(quotas[s] - int(quotas[s])), -sizes[s], s))
    for stratum in ranked[: size - sum(counts.values())]:
        counts[stratum] += 1
    for stratum in sorted(sizes, key=lambda s: (-sizes[s], s)):
        if sizes[stratum] and counts[stratum] == 0:
            donors = sorted(
                (s for s in counts if counts[s] >= 2), key=lambda s: (-counts[s], -sizes[s], s)
            )
            if donors:
                counts[donors[0]] -= 1
                counts[stratum] = 1
    return counts


def test_three_strata_get_their_largest_remainder_shares() -> None:
    # The tester's case. Quotas of 4 over 2/3/4 (N = 9): 0.89, 1.33, 1.78 -> whole parts
    # 0, 1, 1; the two places left go to the largest remainders a (.89) and c (.78):
    # a 1, b 1, c 2. (Raising a to one before the remainders gave a 2, b 1, c 1.)
    assert allocate({"a": 2, "b": 3, "c": 4}, 4) == {"a": 1, "b": 1, "c": 2}


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (1, {"a": 0, "b": 0, "c": 1}),  # quotas .22 .33 .44: the one place to c
        (2, {"a": 0, "b": 1, "c": 1}),  # .44 .67 .89: c, b; nobody has 2 to give a
        (3, {"a": 1, "b": 1, "c": 1}),  # .67 1 1.33 -> 0 1 1, remainder to a (.67)
        (5, {"a": 1, "b": 2, "c": 2}),  # 1.11 1.67 2.22 -> 1 1 2, remainder to b
        (6, {"a": 1, "b": 2, "c": 3}),  # 1.33 2 2.67 -> 1 2 2, remainder to c
        (7, {"a": 2, "b": 2, "c": 3}),  # 1.56 2.33 3.11 -> 1 2 3, remainder to a
        (8, {"a": 2, "b": 3, "c": 3}),  # 1.78 2.67 3.56 -> 1 2 3, remainders to a, b
        (9, {"a": 2, "b": 3, "c": 4}),  # everyone
    ],
)
def test_the_allocation_of_2_3_4_at_every_size(size: int, expected: dict[str, int]) -> None:
    assert allocate({"a": 2, "b": 3, "c": 4}, size) == expected


def test_the_one_case_minimum_is_taken_from_the_largest_allocation() -> None:
    # 1/100 of 10 -> klein 0.1, noord 9.9 -> 0 and 10 by remainder; klein takes one of noord's.
    assert allocate({"noord": 99, "klein": 1}, 10) == {"noord": 9, "klein": 1}
    # Tie on remainders (both .5): the larger population wins, then the name.
    assert allocate({"x": 1, "y": 1}, 1) == {"x": 1, "y": 0}
    assert allocate({"y": 3, "x": 1, "z": 0}, 2) == {"y": 1, "x": 1, "z": 0}


@given(
    st.dictionaries(
        st.text("abcdefgh", min_size=1, max_size=3), st.integers(0, 60), min_size=1, max_size=9
    ),
    st.integers(0, 120),
)
def test_allocation_equals_a_straightforward_hamilton(sizes: dict[str, int], size: int) -> None:
    assert allocate(sizes, size) == hamilton(sizes, size)


def test_a_review_outcome_counts_the_latest_judgement_of_each_case() -> None:
    outcome = review_outcome(
        ["a", "b", "c", "d"], {"a": "akkoord", "b": "afwijking", "x": "akkoord"}
    )
    assert (outcome.cases, outcome.akkoord, outcome.afwijking, outcome.open) == (4, 1, 1, 2)
    both = outcome + review_outcome(["e"], {"e": "akkoord"})
    assert (both.cases, both.akkoord, both.open) == (5, 2, 2)
