"""The workbench's line charts read on their own: round steps in the KPI's unit, the
periods named, the target drawn, the running period marked (app/routers/workbench/charts.py)."""

import math

from hypothesis import given
from hypothesis import strategies as st

from app.routers.workbench.charts import Point, line_chart, nice_step

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


@given(st.floats(min_value=0.001, max_value=1e7))
def test_steps_are_round_and_cover_the_peak_in_a_few(top: float) -> None:
    step = nice_step(top)
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 2.5, 5, 10)
    assert 2 <= top / step <= 5


def test_a_share_is_drawn_in_percent_with_its_target_and_running_month() -> None:
    values = [0.42, 0.55, None, 0.61, 0.7, 0.66]
    points = [Point(m, v) for m, v in zip(MONTHS, values, strict=False)]
    chart = line_chart(points, target=0.8, unit="share (0..1)", running="2026-06")
    assert chart is not None
    texts = [t.text for t in chart.y_ticks]
    assert texts[0] == "0%" and all(t.endswith("%") for t in texts)
    assert chart.top >= 0.8  # the target fits
    assert chart.target_y is not None
    assert chart.x_ticks[0].text == "2026-01"
    assert chart.running is not None  # May to June dashed, June not in a solid line
    assert all(str(chart.running.split()[-1]) not in s for s in chart.segments)


def test_a_sparkline_has_no_axes() -> None:
    chart = line_chart([Point("a", 1.0), Point("b", 3.0)], size=(140, 36), pad=4, axes=False)
    assert chart is not None and chart.y_ticks == [] and chart.x_ticks == []
