"""Monthly series of a KPI, counted as the KPI counts it (inflow: openings by the
melding's date; outflow: closures of open periods, a reopened trajectory's second closure
too; caseload: periods open at the month's last day; a waiting time: the median days of
the intervals ending in the month, from its KPI's own start and end columns), before any
rounding: they feed a model, and are never shown. A month with fewer intervals than the
small-number threshold has no median (missing, which the model reads as such)."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from app.domain.kpis.catalogue import KPIS
from app.domain.kpis.spec import Duration
from app.models import Trajectory, TrajectoryPeriod


class Series(StrEnum):
    """The KPIs with a forecast: three counts and two waiting times (durations)."""

    INFLOW = "inflow"
    OUTFLOW = "outflow"
    CASELOAD = "caseload"
    WAITING_TIME_INTAKE = "waiting_time_intake"
    WAITING_TIME_SUPPORT = "waiting_time_support"

    @property
    def is_count(self) -> bool:
        return not isinstance(KPIS[self.value].measure, Duration)


@dataclass(frozen=True)
class Scope:
    """Whose trajectories: the reader's teams (None: all), one team, one domain."""

    teams: tuple[str, ...] | None = None
    team: str | None = None
    domain: str | None = None


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_ends(first: date, last: date) -> list[date]:
    """The last day of every month from `first`'s to `last`'s."""
    ends, month = [], month_start(first)
    while month <= last:
        following = (month + timedelta(days=32)).replace(day=1)
        ends.append(following - timedelta(days=1))
        month = following
    return ends


def monthly_series(
    session: Session,
    municipality: str,
    series: Series,
    scope: Scope,
    last_day: date,
    min_cases: int = 1,
) -> tuple[date, list[float]]:
    """The first month with an opening in scope, and the value of every month from it to
    the one ending on `last_day`; no opening at all: (the last month, [])."""
    openings = [day for (day,) in session.execute(_openings(municipality, scope, last_day)) if day]
    if not openings:
        return month_start(last_day), []
    first = month_start(min(openings))
    ends = month_ends(first, last_day)
    if series is Series.INFLOW:
        return first, _per_month(openings, ends)
    if not series.is_count:
        measure = KPIS[series.value].measure
        assert isinstance(measure, Duration)
        query = _intervals(municipality, scope, first, last_day, measure.start, measure.end)
        return first, _median_per_month(session.execute(query).all(), ends, min_cases)
    periods = session.execute(_periods(municipality, scope, last_day)).all()
    if series is Series.OUTFLOW:
        return first, _per_month([closed for _, closed in periods if closed is not None], ends)
    return first, _open_at(periods, ends)


def _median_per_month(intervals: Sequence[Any], ends: list[date], min_cases: int) -> list[float]:
    """The median days of the intervals ending in each month; NaN under `min_cases`."""
    by_month: dict[date, list[int]] = {}
    for start, end in intervals:
        by_month.setdefault(month_start(end), []).append((end - start).days)
    medians = []
    for end in ends:
        days = by_month.get(month_start(end), [])
        medians.append(float(np.median(days)) if len(days) >= min_cases else math.nan)
    return medians


def _intervals(
    municipality: str, scope: Scope, first: date, last_day: date, start: str, end: str
) -> Select[Any]:
    start_on, end_on = getattr(Trajectory, start), getattr(Trajectory, end)
    return select(start_on, end_on).where(
        start_on.is_not(None),
        end_on >= first,
        end_on <= last_day,
        *_in_scope(municipality, scope),
    )


def _per_month(days: Sequence[date], ends: list[date]) -> list[float]:
    ordinals = np.sort(np.fromiter((d.toordinal() for d in days), dtype=np.int64))
    up_to = np.searchsorted(ordinals, [e.toordinal() for e in ends], side="right")
    before = np.searchsorted(ordinals, month_start(ends[0]).toordinal())
    return [float(n) for n in np.diff(up_to, prepend=before)]


def _open_at(periods: Sequence[Any], ends: list[date]) -> list[float]:
    """Periods opened on or before each month's end and not closed by then."""
    opened = np.sort(np.fromiter((o.toordinal() for o, _ in periods), dtype=np.int64))
    closed = np.sort(
        np.fromiter((c.toordinal() for _, c in periods if c is not None), dtype=np.int64)
    )
    at = [e.toordinal() for e in ends]
    counts = np.searchsorted(opened, at, side="right") - np.searchsorted(closed, at, side="right")
    return [float(n) for n in counts]


def _in_scope(municipality: str, scope: Scope) -> list[ColumnElement[bool]]:
    conditions = [Trajectory.municipality == municipality]
    if scope.teams is not None:
        conditions.append(Trajectory.team.in_(scope.teams))
    if scope.team is not None:
        conditions.append(Trajectory.team == scope.team)
    if scope.domain is not None:
        conditions.append(Trajectory.domain == scope.domain)
    return conditions


def _openings(municipality: str, scope: Scope, last_day: date) -> Select[date | None]:
    return select(Trajectory.opened_on).where(
        Trajectory.opened_on.is_not(None),
        Trajectory.opened_on <= last_day,
        *_in_scope(municipality, scope),
    )


def _periods(municipality: str, scope: Scope, last_day: date) -> Select[date, date | None]:
    return (
        select(TrajectoryPeriod.opened_on, TrajectoryPeriod.closed_on)
        .join(
            Trajectory,
            (Trajectory.municipality == TrajectoryPeriod.municipality)
            & (Trajectory.trajectory_id == TrajectoryPeriod.trajectory_id),
        )
        .where(TrajectoryPeriod.opened_on <= last_day, *_in_scope(municipality, scope))
    )
