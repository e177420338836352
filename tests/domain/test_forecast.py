"""The forecast model on plain series: skill where there is a pattern, none claimed where
there is none, the next tertial named right, and no forecast from too short a history."""

import math
from collections import Counter
from datetime import date, datetime

import pytest

from app.domain.foresight import MIN_MONTHS, TooLittleHistory, forecast
from scripts.generate_events import Pattern, generate

FIRST = date(2022, 11, 1)


def generated_inflow(pattern: Pattern, seed: int) -> list[float]:
    events = generate(4000, seed=seed, start=FIRST, end=date(2026, 10, 31), pattern=pattern)
    months = Counter(
        datetime.fromisoformat(e["occurredAt"]).date().replace(day=1)
        for e in events
        if e["type"] == "trajectory.opened"
    )
    return [float(months[date(2022 + (10 + k) // 12, (10 + k) % 12 + 1, 1)]) for k in range(48)]


@pytest.mark.parametrize("seed", [2, 3])
def test_growth_and_season_are_forecast_with_skill(seed: int) -> None:
    made = forecast(FIRST, generated_inflow(Pattern(trend=0.3, season=0.4), seed))
    test = made.backtest
    print(f"seed {seed}: MASE {test.mase:.2f}, 80 % band held {test.coverage80:.0%}")
    assert test.mase < 1 and 0.7 <= test.coverage80 <= 0.9 and test.skill


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_series_without_pattern_claims_no_skill(seed: int) -> None:
    made = forecast(FIRST, generated_inflow(Pattern(), seed))
    assert not made.backtest.skill
    # the bands still say how much a month varies: they hold what happened
    assert made.backtest.coverage95 >= 0.8


@pytest.mark.parametrize(
    ("months", "tertial", "first_forecast"),
    [
        (48, "2027-T1", "2026-11"),  # last actual October: T3 is running, T1 next
        (50, "2027-T1", "2027-01"),  # last actual December: January starts T1
        (54, "2027-T2", "2027-05"),  # last actual April: May starts T2
        (53, "2027-T2", "2027-04"),  # last actual March: April ends T1, T2 next
    ],
)
def test_the_next_tertial_is_the_next_whole_one(
    months: int, tertial: str, first_forecast: str
) -> None:
    values = [100.0 + (k % 12) * 5 for k in range(months)]
    made = forecast(FIRST, values)
    assert made.months[0].label == first_forecast and made.tertial.label == tertial
    # four months of a steady season: between four of its quietest and four of its busiest
    assert 4 * min(values) <= made.tertial.expected <= 4 * max(values)


def test_too_short_a_history_is_refused() -> None:
    with pytest.raises(TooLittleHistory) as refused:
        forecast(FIRST, [100.0] * (MIN_MONTHS - 1))
    assert refused.value.months == MIN_MONTHS - 1


def test_months_without_a_value_are_missing_not_zero() -> None:
    """A waiting time has no median in a month with too few cases: the model reads the gap
    as missing (a zero would drag the forecast down), and counts only known months."""
    values = [20.0 + (k % 12) for k in range(36)]
    gapped = [math.nan if k % 5 == 0 else v for k, v in enumerate(values)]
    made = forecast(FIRST, gapped, summed=False)
    assert all(18 <= m.expected <= 34 for m in made.months)
    assert 18 <= made.tertial.expected <= 34  # a mean of months, not a sum
    with pytest.raises(TooLittleHistory) as refused:
        forecast(FIRST, [v if k % 2 else math.nan for k, v in enumerate(values)])
    assert refused.value.months == 18
