"""Line charts as server-made SVG (no script, nothing fetched): the geometry here, the
drawing in templates/workbench/_macros.html. Every chart sits beside a table with the same
numbers, so the picture is never the only way to read them.

A chart reads on its own too: a value axis with round steps in the KPI's unit (shares in
%), the periods along the bottom, the target and the 0-meting as lines, and the period that
is still running drawn dashed and named "lopend", since its value is not final.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.routers.workbench.present import number


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None  # None: suppressed or no data, drawn as a gap


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str
    value: float


@dataclass(frozen=True)
class Tick:
    at: float  # y for the value axis, x for the periods
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    pad: int
    left: int  # room for the value axis's labels
    top: float
    segments: list[str]  # polylines; a suppressed period breaks the line
    dots: list[Dot]
    target_y: float | None
    baseline_y: float | None
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    running: str | None = None  # the dashed line to the period still running
    running_x: float | None = None


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
    pad: int = 30,
    unit: str = "",
    running: str | None = None,
    axes: bool = True,
) -> Chart | None:
    """Values per period from 0 up, with the target and the 0-meting as horizontal lines;
    `running` is the label of a period not yet over."""
    values = [p.value for p in points if p.value is not None]
    if not values:
        return None
    width, height = size
    left = 52 if axes else pad
    peak = max([*values, target or 0.0, baseline or 0.0]) or 1.0
    step = nice_step(peak) if axes else peak
    top = step * math.ceil(peak / step) if axes else peak
    span = (width - left - pad) / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return round(height - pad - (height - 2 * pad) * value / top, 1)

    def x(index: int) -> float:
        return round(left + index * span, 1)

    dots: list[Dot] = []
    segments: list[list[str]] = [[]]
    open_line = open_x = None
    for i, point in enumerate(points):
        if point.value is None:
            segments.append([])
            continue
        dot = Dot(x(i), y(point.value), point.label, point.value)
        if point.label == running and segments[-1]:
            open_line = f"{segments[-1][-1]} {dot.x},{dot.y}"  # drawn dashed
            open_x = dot.x
            segments.append([])
        dots.append(dot)
        segments[-1].append(f"{dot.x},{dot.y}")
    return Chart(
        width=width,
        height=height,
        pad=pad,
        left=left,
        top=top,
        segments=[" ".join(s) for s in segments if len(s) > 1],
        dots=dots,
        target_y=y(target) if target is not None else None,
        baseline_y=y(baseline) if baseline is not None else None,
        y_ticks=_value_ticks(top, step, y, unit) if axes else [],
        x_ticks=_period_ticks(points, x, width) if axes else [],
        running=open_line,
        running_x=open_x,
    )


def _value_ticks(top: float, step: float, y: Callable[[float], float], unit: str) -> list[Tick]:
    count = round(top / step)
    shown_step = step * 100 if unit == "share (0..1)" else step
    digits = 0 if float(shown_step).is_integer() else 1
    return [Tick(y(i * step), number(i * step, unit, digits)) for i in range(count + 1)]


def _period_ticks(points: Sequence[Point], x: Callable[[int], float], width: int) -> list[Tick]:
    """Every period's label where there is room (about 60 px each), else every n-th."""
    every = max(1, math.ceil(len(points) * 60 / width))
    return [Tick(x(i), p.label) for i, p in enumerate(points) if i % every == 0]
