"""KPI figures: the query, the cells it yields, duration statistics and suppression."""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from app.domain.kpis.spec import Direction, Kpi

# API name -> projection column of every dimension a KPI can be broken down by.
DIMENSIONS: dict[str, str] = {
    "team": "team",
    "district": "district",
    "domain": "domain",
    "channel": "channel",
    "ageBand": "age_band",
    "provisionCategory": "provision_category",
    "professional": "professional_ref",
}
# A tertial is four months (T1 January-April, T2 May-August, T3 September-December): the
# "three images a year" municipal monitoring reports to the council.
TIME_GRAINS = ("month", "quarter", "tertial", "year")


@dataclass(frozen=True)
class KpiQuery:
    start: date
    end: date
    group_by: tuple[str, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    # A client limited to some teams sees figures over those teams' trajectories only.
    teams: tuple[str, ...] | None = None
    as_of: date | None = None  # "today" for measures that wait for time to pass

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(g for g in self.group_by if g in DIMENSIONS)

    @property
    def grain(self) -> str | None:
        return next((g for g in self.group_by if g in TIME_GRAINS), None)


_MONTHS_PER = {"month": 1, "quarter": 3, "tertial": 4, "year": 12}
_MARK = {"quarter": "Q", "tertial": "T"}


def period_label(day: date, grain: str) -> str:
    """'2026-03', '2026-Q1', '2026-T1' or '2026'."""
    if grain == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if grain in _MARK:
        return f"{day.year:04d}-{_MARK[grain]}{(day.month - 1) // _MONTHS_PER[grain] + 1}"
    return f"{day.year:04d}"


def period_bounds(label: str, grain: str) -> tuple[date, date]:
    """The first and last day of a period label, as BI tools want them beside the label."""
    year = int(label[:4])
    if grain == "year":
        return date(year, 1, 1), date(year, 12, 31)
    number = int(label[5:]) if grain == "month" else int(label[6:])
    first_month = (number - 1) * _MONTHS_PER[grain] + 1
    start = date(year, first_month, 1)
    following = first_month + _MONTHS_PER[grain]
    end = date(year + (following > 12), (following - 1) % 12 + 1, 1) - timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class DurationStats:
    n: int
    mean: float | None
    median: float | None
    p90: float | None


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (PostgreSQL percentile_cont, numpy default)."""
    position = (len(sorted_values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def histogram_stats(counts: Mapping[int, int]) -> DurationStats:
    """The same statistics from a histogram {days: how many}: exact, as durations are whole days.

    Lets the database do the heavy part (GROUP BY days, count) on any engine; the
    percentile of rank r is read off the cumulative counts.
    """
    ordered = sorted((day, count) for day, count in counts.items() if count)
    n = sum(count for _, count in ordered)
    if n == 0:
        return DurationStats(0, None, None, None)

    def at_rank(rank: int) -> int:
        seen = 0
        for day, count in ordered:
            seen += count
            if rank < seen:
                return day
        raise AssertionError("rank beyond the histogram")

    def percentile_of(fraction: float) -> float:
        position = (n - 1) * fraction
        low, high = at_rank(math.floor(position)), at_rank(math.ceil(position))
        return low + (high - low) * (position - math.floor(position))

    return DurationStats(
        n=n,
        mean=sum(day * count for day, count in ordered) / n,
        median=percentile_of(0.5),
        p90=percentile_of(0.9),
    )


def duration_stats(days: Sequence[float]) -> DurationStats:
    if not days:
        return DurationStats(0, None, None, None)
    ordered = sorted(days)
    return DurationStats(
        n=len(ordered),
        mean=sum(ordered) / len(ordered),
        median=percentile(ordered, 0.5),
        p90=percentile(ordered, 0.9),
    )


@dataclass(frozen=True)
class Cell:
    """One group of a figure. `n` is the number of trajectories (or clients) it rests on."""

    key: dict[str, str | None]
    n: int
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    mean: float | None = None
    median: float | None = None
    p90: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    suppressed: bool = False

    def sort_key(self) -> tuple[str, ...]:
        return tuple("" if v is None else str(v) for v in self.key.values())


def from_durations(key: dict[str, str | None], days: Sequence[float]) -> Cell:
    stats = duration_stats(days)
    return Cell(
        key=key, n=stats.n, value=stats.median, mean=stats.mean, median=stats.median, p90=stats.p90
    )


def per_trajectory_cell(key: dict[str, str | None], total: int, n: int, divisor: int) -> Cell:
    """An exact whole-number total over n, divided once (deterministic to the last digit)."""
    return Cell(key=key, n=n, value=total / (divisor * n), numerator=total / divisor, denominator=n)


@dataclass(frozen=True)
class ItemTally:
    """The answers to one satisfaction item: how many, their sum, how many scored 4 or 5."""

    count: int
    total: int
    agree: int


def satisfaction_cell(
    key: dict[str, str | None], respondents: int, items: Mapping[str, ItemTally], closed: int
) -> Cell:
    """Per item n, mean, share 4-5 and response rate (answers / closed trajectories)."""
    stats = {
        item: {
            "n": t.count,
            "mean": t.total / t.count if t.count else None,
            "shareAgree": t.agree / t.count if t.count else None,
            "responseRate": t.count / closed if closed else None,
        }
        for item, t in items.items()
    }
    return Cell(
        key=key,
        n=respondents,
        value=stats["overall"]["shareAgree"],
        extra={
            "items": stats,
            "closed": closed,
            "responseRate": respondents / closed if closed else None,
        },
    )


def goals_cell(key: dict[str, str | None], n: int, achieved: int, partly: int, missed: int) -> Cell:
    """Achieved of evaluated goals; partly stays in the denominator and is shown apart."""
    evaluated = achieved + partly + missed
    return Cell(
        key=key,
        n=n,
        value=achieved / evaluated if evaluated else None,
        numerator=achieved,
        denominator=evaluated,
        extra={"partly": partly, "partlyShare": partly / evaluated if evaluated else None},
    )


def share_cell(
    key: dict[str, str | None], numerator: float, denominator: float, **extra: Any
) -> Cell:
    value = numerator / denominator if denominator else None
    return Cell(
        key=key,
        n=int(denominator),
        value=value,
        numerator=numerator,
        denominator=denominator,
        extra=extra,
    )


class Target(Protocol):
    """A streefwaarde as the judgement needs it (stored by the service, read here)."""

    value: float


@dataclass(frozen=True)
class Figure:
    """A KPI's cells for a query, as they may leave the service, and its target."""

    kpi: Kpi
    query: KpiQuery
    cells: list[Cell]
    open_intervals: int | None = None
    target: Target | None = None


def change(direction: Direction, before: float | None, now: float | None) -> str | None:
    """'better', 'worse' or 'same' by the KPI's direction; 'up'/'down' for a KPI without
    one; None without both values."""
    if before is None or now is None:
        return None
    if math.isclose(before, now, rel_tol=1e-9, abs_tol=1e-12):
        return "same"
    if direction is Direction.NEUTRAL:
        return "up" if now > before else "down"
    higher = now > before
    return "better" if higher == (direction is Direction.HIGHER) else "worse"


def target_met(direction: Direction, value: float | None, target: float | None) -> bool | None:
    """Judged by the KPI's direction; no judgement without a value, a target or a direction."""
    if value is None or target is None or direction is Direction.NEUTRAL:
        return None
    return value >= target if direction is Direction.HIGHER else value <= target
