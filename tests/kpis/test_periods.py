"""Period labels and their first and last days, for every time grain."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.kpis.figures import TIME_GRAINS, period_bounds, period_label


def test_tertials_are_three_four_month_periods() -> None:
    assert [period_label(date(2026, m, 15), "tertial") for m in (1, 4, 5, 8, 9, 12)] == [
        "2026-T1",
        "2026-T1",
        "2026-T2",
        "2026-T2",
        "2026-T3",
        "2026-T3",
    ]
    assert period_bounds("2026-T2", "tertial") == (date(2026, 5, 1), date(2026, 8, 31))
    assert period_bounds("2024-02", "month") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds("2026-Q4", "quarter") == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_bounds("2026", "year") == (date(2026, 1, 1), date(2026, 12, 31))


@pytest.mark.parametrize("grain", TIME_GRAINS)
@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_a_day_lies_in_the_bounds_of_its_label_and_periods_tile(grain: str, day: date) -> None:
    label = period_label(day, grain)
    start, end = period_bounds(label, grain)
    assert start <= day <= end
    assert period_label(start, grain) == period_label(end, grain) == label
    assert period_label(start - timedelta(days=1), grain) != label
    assert period_label(end + timedelta(days=1), grain) != label
