"""Line charts drawn by matplotlib as SVG on the server: no script, nothing fetched, sharp
in print and in the PDF. A page shows one as an <img> of a data: URI, since the pages' CSP
allows no inline style and matplotlib's SVG styles every element inline. Every chart sits
beside a table with the same numbers, so the picture is never the only way to read them.

A chart reads on its own too: a value axis with round steps in the KPI's unit (shares in
%, Dutch decimal commas), the periods along the bottom, the target and the 0-meting as
lines, and the period that is still running drawn dashed and named "lopend", since its
value is not final.
"""

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure  # without pyplot: no global figure state, thread-safe
from matplotlib.ticker import FuncFormatter, MultipleLocator

from app.routers.workbench.present import number

LINE = "#154273"  # the Rijkshuisstijl's dark blue; contrast with white 10:1
TARGET = "#8a1c00"
MUTED = "#4a4a4a"
GRID = "#e0e0e0"
BAND80 = "#9fb3cc"  # the line's blue, lighter; the 95 % band lighter still
BAND95 = "#d5dfeb"
SHARE = "share (0..1)"


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # None: suppressed or no data, drawn as a gap


@dataclass(frozen=True)
class Ahead:
    """An expected value with its 80 % and 95 % bands (low, high)."""

    label: str
    expected: float
    band80: tuple[float, float]
    band95: tuple[float, float]


@dataclass(frozen=True)
class Chart:
    uri: str  # data:image/svg+xml;base64,...
    width: int
    height: int
    top: float  # the value axis's end, in the KPI's unit
    y_ticks: list[str]
    x_ticks: list[str]
    has_target: bool
    has_baseline: bool


def nice_step(top: float, steps: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) dividing 0..top in about `steps`."""
    raw = top / steps
    power = 10.0 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))


def line_chart(
    points: Sequence[Point],
    target: float | None = None,
    baseline: float | None = None,
    size: tuple[int, int] = (640, 240),
    unit: str = "",
    running: str | None = None,
    axes: bool = True,
) -> Chart | None:
    """Values per period from 0 up, with the target and the 0-meting as horizontal lines;
    `running` is the label of a period not yet over. None when there is nothing to draw."""
    if all(p.value is None for p in points):
        return None
    return _drawn(tuple(points), target, baseline, size, unit, running, axes)


@lru_cache(maxsize=512)  # a pure function of its arguments: the same figures, the same picture
def _drawn(
    points: tuple[Point, ...],
    target: float | None,
    baseline: float | None,
    size: tuple[int, int],
    unit: str,
    running: str | None,
    axes: bool,
) -> Chart:
    values = [p.value for p in points if p.value is not None]
    step, top = _value_axis(max([*values, target or 0.0, baseline or 0.0]))
    figure = _figure(size)
    ax = figure.add_axes(_frame(size, axes))
    ax.set_ylim(0, top)
    ax.set_xlim(-0.3, max(len(points) - 1, 1) + 0.3)
    _draw_line(ax, points, running, small=not axes)
    if target is not None:
        ax.axhline(target, color=TARGET, linewidth=2, dashes=(6, 4))
    if baseline is not None:
        ax.axhline(baseline, color=MUTED, linewidth=2, dashes=(2, 3))
    y_ticks: list[str] = []
    x_ticks: list[str] = []
    if axes:
        y_ticks, x_ticks = _axes(ax, points, step, top, unit, size[0])
        _labels(ax, target, baseline, points, running)
    else:
        ax.set_axis_off()
    return Chart(
        uri=_svg_uri(figure),
        width=size[0],
        height=size[1],
        top=top,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        has_target=target is not None,
        has_baseline=baseline is not None,
    )


def band_chart(
    history: Sequence[Point],
    ahead: Sequence[Ahead],
    unit: str = "",
    size: tuple[int, int] = (640, 260),
) -> Chart | None:
    """The last actual periods as a line, then what is expected: a dashed line inside its
    80 % band (darker) and 95 % band (lighter), named "verwacht" above it."""
    if not ahead:
        return None
    return _banded(tuple(history), tuple(ahead), unit, size)


@lru_cache(maxsize=128)
def _banded(
    history: tuple[Point, ...], ahead: tuple[Ahead, ...], unit: str, size: tuple[int, int]
) -> Chart:
    points = (*history, *(Point(a.label, a.expected) for a in ahead))
    values = [p.value for p in history if p.value is not None]
    step, top = _value_axis(max([*values, *(a.band95[1] for a in ahead)]))
    figure = _figure(size)
    ax = figure.add_axes(_frame(size, True))
    ax.set_ylim(0, top)
    ax.set_xlim(-0.3, len(points) - 1 + 0.3)
    _draw_line(ax, history, None, small=False)
    start = len(history)
    xs = list(range(start, len(points)))
    # the band and the dashed line start at the last actual value, so they join the line
    joined = history[-1].value if history else None
    from_x, from_y = ([start - 1], [joined]) if joined is not None else ([], [])
    for bands, colour in (
        ([a.band95 for a in ahead], BAND95),
        ([a.band80 for a in ahead], BAND80),
    ):
        lows = from_y + [low for low, _ in bands]
        highs = from_y + [high for _, high in bands]
        ax.fill_between(from_x + xs, lows, highs, color=colour, linewidth=0)
    line_ys = from_y + [a.expected for a in ahead]
    ax.plot(from_x + xs, line_ys, color=LINE, linewidth=3, dashes=(4, 3))
    ax.plot(xs, [a.expected for a in ahead], color=LINE, linewidth=0, marker="o", markersize=6)
    y_ticks, x_ticks = _axes(ax, points, step, top, unit, size[0])
    _note_above(ax, (start + len(points) - 1) / 2, "verwacht")
    return Chart(
        uri=_svg_uri(figure),
        width=size[0],
        height=size[1],
        top=top,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        has_target=False,
        has_baseline=False,
    )


def _frame(size: tuple[int, int], axes: bool) -> tuple[float, float, float, float]:
    """Where the plot sits in the picture, as fractions: room in pixels for the value
    labels (left), the periods (bottom) and "lopend" (top), whatever the size."""
    width, height = size
    left, bottom, top, right = (52, 26, 18, 14) if axes else (4, 4, 4, 4)
    return (left / width, bottom / height, 1 - (left + right) / width, 1 - (bottom + top) / height)


def _figure(size: tuple[int, int]) -> Figure:
    figure = Figure(figsize=(size[0] / 100, size[1] / 100), dpi=100)
    figure.patch.set_alpha(0)
    return figure


def _draw_line(ax: Axes, points: tuple[Point, ...], running: str | None, small: bool) -> None:
    """Solid between final periods, a gap where a period has no showable value, and dashed
    into the period still running."""
    width = 2 if small else 3
    dot = 3 if small else 6
    segment: list[tuple[int, float]] = []
    for i, point in enumerate(points):
        if point.value is None:
            _solid(ax, segment, width, dot)
            segment = []
            continue
        if point.label == running and segment:
            _solid(ax, segment, width, dot)
            last = segment[-1]
            ax.plot(
                [last[0], i], [last[1], point.value], color=LINE, linewidth=width, dashes=(1.5, 1.5)
            )
            segment = []
        segment.append((i, point.value))
    _solid(ax, segment, width, dot)


def _solid(ax: Axes, segment: list[tuple[int, float]], width: int, dot: int) -> None:
    if segment:
        xs, ys = zip(*segment, strict=True)
        ax.plot(xs, ys, color=LINE, linewidth=width, marker="o", markersize=dot)


def _axes(
    ax: Axes, points: tuple[Point, ...], step: float, top: float, unit: str, width: int
) -> tuple[list[str], list[str]]:
    """Round steps in the unit on the left, every period's label where there is room
    (about 60 px each), else every n-th."""
    shown_step = step * 100 if unit == SHARE else step
    digits = 0 if float(shown_step).is_integer() else 1
    ax.yaxis.set_major_locator(MultipleLocator(step))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, unit, digits)))
    every = max(1, math.ceil(len(points) * 60 / width))
    shown = [i for i in range(len(points)) if i % every == 0]
    ax.set_xticks(shown, [points[i].label for i in shown])
    ax.grid(axis="y", color=GRID)
    ax.set_axisbelow(True)
    ax.tick_params(colors=MUTED, labelsize=9, length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(MUTED)
    count = round(top / step)
    y_ticks = [number(i * step, unit, digits) for i in range(count + 1)]
    return y_ticks, [points[i].label for i in shown]


def _labels(
    ax: Axes,
    target: float | None,
    baseline: float | None,
    points: tuple[Point, ...],
    running: str | None,
) -> None:
    """The lines named where they are drawn, so the chart needs no legend."""
    end = len(points) - 1 + 0.3
    if target is not None:
        ax.text(-0.3, target, "streefwaarde", color=TARGET, fontsize=9, ha="left", va="bottom")
    if baseline is not None:
        ax.text(end, baseline, "0-meting", color=MUTED, fontsize=9, ha="right", va="bottom")
    labels = [p.label for p in points]
    if running in labels:
        _note_above(ax, labels.index(running), "lopend")


def _note_above(ax: Axes, x: float, text: str) -> None:
    """A word above the plot at period `x`: what that stretch of the line is."""
    ax.annotate(
        text,
        (x, 1),
        xycoords=("data", "axes fraction"),
        color=MUTED,
        fontsize=9,
        ha="center",
        va="bottom",
    )


def _value_axis(peak: float) -> tuple[float, float]:
    """The step and the end of a value axis from 0 that holds `peak`."""
    step = nice_step(peak or 1.0)
    return step, step * math.ceil((peak or 1.0) / step)


def _svg_uri(figure: Figure) -> str:
    out = io.StringIO()
    # text stays text (searchable, sharp); a fixed salt: the same chart, the same bytes
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "wijkteam-kpi"}):
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue().encode()).decode()
