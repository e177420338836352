from hypothesis import given
from hypothesis import strategies as st

from app.domain.sampling import allocate, stratified_sample


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
    assert counts["klein"] == 1 and sum(counts.values()) == 10


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
