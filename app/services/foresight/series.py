"""Monthly series of a volume, counted as its KPI counts it (inflow: openings by the
melding's date; outflow: closures of open periods, a reopened trajectory's second closure
too; caseload: periods open at the month's last day), before any small-number protection:
they feed a model, and are never shown."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from app.models import Trajectory, TrajectoryPeriod


class Volume(StrEnum):
    INFLOW = "inflow"
    OUTFLOW = "outflow"
    CASELOAD = "caseload"


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
    session: Session, municipality: str, volume: Volume, scope: Scope, last_day: date
) -> tuple[date, list[float]]:
    """The first month with an opening in scope, and the volume of every month from it to
    the one ending on `last_day`; no opening at all: (the last month, [])."""
    openings = [day for (day,) in session.execute(_openings(municipality, scope, last_day)) if day]
    if not openings:
        return month_start(last_day), []
    first = month_start(min(openings))
    ends = month_ends(first, last_day)
    if volume is Volume.INFLOW:
        return first, _per_month(openings, ends)
    periods = session.execute(_periods(municipality, scope, last_day)).all()
    if volume is Volume.OUTFLOW:
        return first, _per_month([closed for _, closed in periods if closed is not None], ends)
    return first, _open_at(periods, ends)


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
