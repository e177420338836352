"""Line charts as server-made SVG (no script, nothing fetched): the geometry here, the
drawing in templates/workbench/_macros.html. Every chart sits beside a table with the same
numbers, so the picture is never the only way to read them."""

from collections.abc import Sequence
from dataclasses import dataclass


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
class Chart:
    width: int
    height: int
    pad: int
    top: float
    segments: list[str]  # polylines; a suppressed period breaks the line
    dots: list[Dot]
    target_y: float | None
    baseline_y: float | None


def line_chart(
    points: Sequence[Point],
    target: float | None = None,
    baseline: float | None = None,
    size: tuple[int, int] = (640, 220),
    pad: int = 30,
) -> Chart | None:
    """Values per period from 0 up, with the target and the 0-meting as horizontal lines."""
    values = [p.value for p in points if p.value is not None]
    if not values:
        return None
    width, height = size
    top = max([*values, target or 0.0, baseline or 0.0]) or 1.0
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return round(height - pad - (height - 2 * pad) * value / top, 1)

    dots: list[Dot] = []
    segments: list[list[str]] = [[]]
    for i, point in enumerate(points):
        if point.value is None:
            segments.append([])
            continue
        dot = Dot(round(pad + i * step, 1), y(point.value), point.label, point.value)
        dots.append(dot)
        segments[-1].append(f"{dot.x},{dot.y}")
    return Chart(
        width=width,
        height=height,
        pad=pad,
        top=top,
        segments=[" ".join(s) for s in segments if len(s) > 1],
        dots=dots,
        target_y=y(target) if target is not None else None,
        baseline_y=y(baseline) if baseline is not None else None,
    )
