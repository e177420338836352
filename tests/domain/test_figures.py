"""Duration statistics: from a list, and from a day histogram as the database counts them."""

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from app.domain.kpis.figures import duration_stats, histogram_stats, percentile


def test_percentiles_interpolate_linearly_between_closest_ranks() -> None:
    # numpy.percentile([1, 2, 3, 10], [50, 90]) == [2.5, 7.9]
    assert percentile([1, 2, 3, 10], 0.5) == 2.5
    assert round(percentile([1, 2, 3, 10], 0.9), 9) == 7.9


@given(st.lists(st.integers(min_value=-5, max_value=400), max_size=300))
def test_a_day_histogram_gives_exactly_the_statistics_of_the_list(days: list[int]) -> None:
    assert histogram_stats(Counter(days)) == duration_stats(days)


def test_a_change_is_judged_by_the_kpis_direction() -> None:
    from app.domain.kpis.figures import change
    from app.domain.kpis.spec import Direction

    assert change(Direction.LOWER, 10, 7) == "better"
    assert change(Direction.LOWER, 7, 10) == "worse"
    assert change(Direction.HIGHER, 0.5, 0.6) == "better"
    assert change(Direction.NEUTRAL, 3, 4) == "up"
    assert change(Direction.HIGHER, 0.5, 0.5) == "same"
    assert change(Direction.HIGHER, None, 0.5) is None
