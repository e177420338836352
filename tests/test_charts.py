"""The workbench's line charts, drawn by matplotlib, read on their own: round steps in the
KPI's unit with Dutch decimals, the periods named, the target drawn, the running period
marked (app/routers/workbench/charts.py). Read back from the SVG itself."""

import base64
import math
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from app.routers.workbench.charts import Chart, Point, line_chart, nice_step

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
SVG = "{http://www.w3.org/2000/svg}"


def texts_of(chart: Chart) -> list[str]:
    prefix = "data:image/svg+xml;base64,"
    assert chart.uri.startswith(prefix)
    root = ET.fromstring(base64.b64decode(chart.uri[len(prefix) :]))
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


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
    assert chart.y_ticks[0] == "0%" and all(t.endswith("%") for t in chart.y_ticks)
    assert chart.top >= 0.8  # the target fits
    texts = texts_of(chart)
    assert set(chart.y_ticks) <= set(texts)  # the value axis is in the picture
    assert "2026-01" in texts and "streefwaarde" in texts and "lopend" in texts
    assert chart.has_target and not chart.has_baseline


def test_values_with_decimals_are_written_the_dutch_way() -> None:
    chart = line_chart([Point("2026-01", 1.2), Point("2026-02", 1.7)], baseline=1.5)
    assert chart is not None
    assert chart.y_ticks == ["0", "0,5", "1", "1,5", "2"]
    assert "1,5" in texts_of(chart) and "0-meting" in texts_of(chart)


def test_the_same_figures_give_the_same_picture_and_nothing_gives_none() -> None:
    points = [Point("a", 1.0), Point("b", 3.0)]
    assert line_chart(points) == line_chart(list(points))
    assert line_chart([Point("a", None)]) is None


def test_a_sparkline_has_no_axes() -> None:
    chart = line_chart([Point("a", 1.0), Point("b", 3.0)], size=(140, 36), axes=False)
    assert chart is not None and chart.y_ticks == [] and chart.x_ticks == []
    assert texts_of(chart) == []
