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
