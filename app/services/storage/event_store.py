"""The event store: every accepted event, immutable, keyed by (municipality, eventId).

The only module that queries the events table; it maps a stored row to the DomainEvent
the fold reads.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, func, select, tuple_
from sqlalchemy.orm import Session

from app.domain.calendar import local_date
from app.domain.events import DomainEvent
from app.domain.vocabulary import EventType
from app.models import StoredEvent
from app.services.storage.bulk import insert_missing
from app.services.storage.sql_functions import among

CHUNK = 1000
TrajectoryKey = tuple[str, str]  # (municipality, trajectoryId)


@dataclass(frozen=True)
class PreparedEvent:
    index: int
    municipality: str
    event_id: str
    trajectory_id: str
    type: str
    occurred_at: datetime
    body: dict[str, Any]
    body_sha256: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.municipality, self.event_id)


def by_municipality(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for municipality, ident in keys:
        grouped[municipality].append(ident)
    return grouped


def chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def stored_fingerprints(
    session: Session, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for municipality, ids in by_municipality(keys).items():
        for chunk in chunks(ids):
            rows = session.execute(
                select(StoredEvent.event_id, StoredEvent.body_sha256).where(
                    StoredEvent.municipality == municipality,
                    among(session, StoredEvent.event_id, chunk),
                )
            )
            found.update({(municipality, event_id): sha for event_id, sha in rows})
    return found


def stored_row(event: PreparedEvent, received_at: datetime) -> dict[str, Any]:
    """The events-table row of a prepared event."""
    return {
        "municipality": event.municipality,
        "event_id": event.event_id,
        "trajectory_id": event.trajectory_id,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "occurred_on": local_date(event.occurred_at),
        "received_at": received_at,
        "body_sha256": event.body_sha256,
        "body": event.body,
    }


def insert_new(session: Session, events: list[PreparedEvent]) -> set[tuple[str, str]]:
    if not events:
        return set()
    received_at = datetime.now(UTC)
    rows = [stored_row(e, received_at) for e in events]
    table = cast(Table, StoredEvent.__table__)
    inserted = insert_missing(session.connection(), table, rows, ("municipality", "event_id"))
    return {(municipality, event_id) for municipality, event_id in inserted}


def events_of(
    session: Session, municipality: str, trajectory_ids: Sequence[str]
) -> dict[str, list[DomainEvent]]:
    """Every stored event of these trajectories, as the fold reads them.

    Reads only each body's `data` (the rest repeats the columns), through Core: the fold of
    a daily batch reads back ten events per trajectory it touches, and the whole bodies
    through the ORM cost a third more."""
    rows = session.connection().execute(
        select(
            StoredEvent.trajectory_id,
            StoredEvent.event_id,
            StoredEvent.type,
            StoredEvent.occurred_at,
            StoredEvent.body["data"],
        ).where(
            StoredEvent.municipality == municipality,
            among(session, StoredEvent.trajectory_id, trajectory_ids),
        )
    )
    grouped: dict[str, list[DomainEvent]] = defaultdict(list)
    for trajectory_id, event_id, event_type, occurred_at, data in rows:
        grouped[trajectory_id].append(
            to_domain(trajectory_id, event_id, event_type, occurred_at, data)
        )
    return grouped


def event_counts(
    session: Session, municipality: str, trajectory_ids: Sequence[str]
) -> dict[str, int]:
    """How many events each of these trajectories has stored (those with none are left out)."""
    rows = session.execute(
        select(StoredEvent.trajectory_id, func.count())
        .where(
            StoredEvent.municipality == municipality,
            among(session, StoredEvent.trajectory_id, trajectory_ids),
        )
        .group_by(StoredEvent.trajectory_id)
    )
    return {trajectory_id: int(count) for trajectory_id, count in rows}


def as_domain(event: PreparedEvent) -> DomainEvent:
    """A prepared event as the fold reads it: the same as its stored row read back (the
    body as stored, the instant in UTC as the column returns it)."""
    return to_domain(
        event.trajectory_id,
        event.event_id,
        event.type,
        event.occurred_at.astimezone(UTC),
        event.body.get("data"),
    )


def timeline(session: Session, municipality: str, trajectory_id: str) -> list[StoredEvent]:
    """Every stored event of one trajectory, in the order that defines its state."""
    return list(
        session.execute(
            select(StoredEvent)
            .where(
                StoredEvent.municipality == municipality, StoredEvent.trajectory_id == trajectory_id
            )
            .order_by(StoredEvent.occurred_at, StoredEvent.event_id)
        ).scalars()
    )


def has_events(session: Session) -> bool:
    return session.execute(select(StoredEvent.event_id).limit(1)).first() is not None


def trajectory_count(session: Session, through: TrajectoryKey | None = None) -> int:
    """How many trajectories have events (those up to and including `through`, if given)."""
    query = select(StoredEvent.municipality, StoredEvent.trajectory_id).distinct()
    if through is not None:
        query = query.where(
            tuple_(StoredEvent.municipality, StoredEvent.trajectory_id) <= tuple_(*through)
        )
    return int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def trajectories_after(
    session: Session, after: TrajectoryKey | None, limit: int
) -> list[TrajectoryKey]:
    """The next trajectories with events, in key order: a rebuild walks them in chunks."""
    query = select(StoredEvent.municipality, StoredEvent.trajectory_id).distinct()
    if after is not None:
        query = query.where(
            tuple_(StoredEvent.municipality, StoredEvent.trajectory_id) > tuple_(*after)
        )
    query = query.order_by(StoredEvent.municipality, StoredEvent.trajectory_id).limit(limit)
    return [(m, t) for m, t in session.execute(query)]


def to_domain(
    trajectory_id: str,
    event_id: str,
    event_type: str,
    occurred_at: datetime,
    data: dict[str, Any] | None,
) -> DomainEvent:
    """A stored event as the fold reads it; `data` is the body's `data` (absent: none)."""
    return DomainEvent(
        event_id=event_id,
        trajectory_id=trajectory_id,
        type=EventType(event_type),
        occurred_at=occurred_at,
        data=data or {},
    )
