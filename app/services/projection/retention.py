"""Retention: removing trajectories closed longer ago than the retention term, events and all;
and the access log's entries and ended workbench sessions older than their own terms."""

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.models import (
    AccessLogEntry,
    Base,
    SampleReview,
    StoredEvent,
    Trajectory,
    WebSession,
)
from app.services.projection.store import PROJECTION_TABLES
from app.services.storage import data_version

_CHUNK = 1000
# Everything derived from a trajectory's events, then the events themselves.
_TABLES: tuple[type[Base], ...] = (*PROJECTION_TABLES, StoredEvent)


def cutoff(today: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes the 28th)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def expired(session: Session, before: date) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Trajectory.municipality, Trajectory.trajectory_id).where(
            Trajectory.status == "closed", Trajectory.closed_on < before
        )
    )
    return [(municipality, trajectory_id) for municipality, trajectory_id in rows]


def old_access_log(session: Session, before: datetime) -> int:
    """How many access-log entries were written before `before`."""
    query = select(func.count()).select_from(AccessLogEntry).where(AccessLogEntry.at < before)
    return int(session.execute(query).scalar_one())


def purge_access_log(session: Session, before: datetime) -> int:
    """Remove the access log's entries written before `before` (they name trajectory ids
    and who read them: personal data with a term of its own, ACCESS_LOG_RETENTION_YEARS)."""
    result = session.execute(delete(AccessLogEntry).where(AccessLogEntry.at < before))
    return int(result.rowcount)  # type: ignore[attr-defined]


def purge_ended_sessions(session: Session, now: datetime) -> int:
    """Remove workbench sessions that expired: nothing signs in with them any more."""
    result = session.execute(delete(WebSession).where(WebSession.expires_at < now))
    return int(result.rowcount)  # type: ignore[attr-defined]


def purge(session: Session, keys: list[tuple[str, str]]) -> dict[str, int]:
    """Delete the trajectories and everything derived from or feeding them; counts per table."""
    removed: dict[str, int] = defaultdict(int)
    by_municipality: dict[str, list[str]] = defaultdict(list)
    for municipality, trajectory_id in keys:
        by_municipality[municipality].append(trajectory_id)
    for municipality, ids in by_municipality.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for model in _TABLES:
                result = session.execute(
                    delete(model).where(
                        model.municipality == municipality,  # type: ignore[attr-defined]
                        model.trajectory_id.in_(chunk),  # type: ignore[attr-defined]
                    )
                )
                removed[model.__tablename__] += result.rowcount  # type: ignore[attr-defined]
            removed["sample_review_notes"] += _forget_review_notes(session, municipality, chunk)
    data_version.bump(session, by_municipality)
    return dict(removed)


def _forget_review_notes(session: Session, municipality: str, trajectory_ids: list[str]) -> int:
    """File-review judgements of purged trajectories keep their verdict (the yearly review's
    outcome stays countable) but lose their note: free text is where case details would be."""
    result = session.execute(
        update(SampleReview)
        .where(
            SampleReview.municipality == municipality,
            SampleReview.trajectory_id.in_(trajectory_ids),
            SampleReview.note.is_not(None),
        )
        .values(note=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
