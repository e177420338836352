"""Storing events idempotently and refolding the trajectories they touch."""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.domain.calendar import local_date
from app.domain.events import DomainEvent
from app.domain.reentry import Stay, next_openings
from app.domain.terms import TermPolicy
from app.domain.vocabulary import EventType
from app.models import (
    Application,
    AuditFinding,
    Base,
    Complaint,
    StepCompletion,
    StoredEvent,
    SupportSpell,
    Trajectory,
    TrajectoryDocument,
    TrajectoryPeriod,
)
from app.schemas.events import Event
from app.services.projection import project

_CHUNK = 1000
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


@dataclass
class IngestReport:
    created: list[PreparedEvent] = field(default_factory=list)
    duplicates: list[PreparedEvent] = field(default_factory=list)
    conflicts: list[PreparedEvent] = field(default_factory=list)


def prepare(index: int, event: Event, default_municipality: str) -> PreparedEvent:
    """Resolve the municipality and fingerprint the body, as the idempotency check needs."""
    municipality = event.municipality or default_municipality
    body = event.model_dump(mode="json", by_alias=True, exclude_none=True)
    body["municipality"] = municipality
    # The fingerprint normalises occurredAt to UTC: the same instant written with another
    # offset is the same event, not a conflict.
    fingerprint = {**body, "occurredAt": event.occurred_at.astimezone(UTC).isoformat()}
    digest = hashlib.sha256(orjson.dumps(fingerprint, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return PreparedEvent(
        index=index,
        municipality=municipality,
        event_id=str(event.event_id),
        trajectory_id=event.trajectory_id,
        type=event.type,
        occurred_at=event.occurred_at,
        body=body,
        body_sha256=digest,
    )


def ingest(session: Session, events: Sequence[PreparedEvent], terms: TermPolicy) -> IngestReport:
    """Store new events, sort out repeats, refold every touched trajectory once.

    The caller's transaction covers it all: either every new event and its projection
    lands, or nothing does.
    """
    report = IngestReport()
    fresh = _split_repeats_within(events, report)
    stored = _stored_fingerprints(session, [e.key for e in fresh])
    new: list[PreparedEvent] = []
    for event in fresh:
        known = stored.get(event.key)
        if known is None:
            new.append(event)
        elif known == event.body_sha256:
            report.duplicates.append(event)
        else:
            report.conflicts.append(event)
    inserted = _insert_new(session, new)
    # Another request may have stored the same id between our look-up and our insert: the
    # insert waited for it, so its fingerprint is visible now and decides like any other.
    lost = [e for e in new if e.key not in inserted]
    winners = _stored_fingerprints(session, [e.key for e in lost]) if lost else {}
    for event in new:
        if event.key in inserted:
            report.created.append(event)
        elif winners.get(event.key) == event.body_sha256:
            report.duplicates.append(event)
        else:
            report.conflicts.append(event)
    refold(session, {(e.municipality, e.trajectory_id) for e in report.created}, terms)
    return report


def _split_repeats_within(
    events: Sequence[PreparedEvent], report: IngestReport
) -> list[PreparedEvent]:
    first_seen: dict[tuple[str, str], PreparedEvent] = {}
    for event in events:
        earlier = first_seen.get(event.key)
        if earlier is None:
            first_seen[event.key] = event
        elif earlier.body_sha256 == event.body_sha256:
            report.duplicates.append(event)
        else:
            report.conflicts.append(event)
    return list(first_seen.values())


def _by_municipality(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for municipality, ident in keys:
        grouped[municipality].append(ident)
    return grouped


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _stored_fingerprints(
    session: Session, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for municipality, ids in _by_municipality(keys).items():
        for chunk in _chunks(ids):
            rows = session.execute(
                select(StoredEvent.event_id, StoredEvent.body_sha256).where(
                    StoredEvent.municipality == municipality, StoredEvent.event_id.in_(chunk)
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


def _insert_new(session: Session, events: list[PreparedEvent]) -> set[tuple[str, str]]:
    if not events:
        return set()
    received_at = datetime.now(UTC)
    rows = [stored_row(e, received_at) for e in events]
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        dialect_insert(StoredEvent)
        .on_conflict_do_nothing(index_elements=["municipality", "event_id"])
        .returning(StoredEvent.municipality, StoredEvent.event_id)
    )
    inserted: set[tuple[str, str]] = set()
    for start in range(0, len(rows), _CHUNK):
        result = session.execute(statement, rows[start : start + _CHUNK])
        inserted.update((m, e) for m, e in result)
    return inserted


def refold(session: Session, keys: set[TrajectoryKey], terms: TermPolicy) -> None:
    """Recompute the projection rows of these trajectories from all their stored events."""
    if not keys:
        return
    _lock_trajectories(session.connection(), keys)
    now = datetime.now(UTC)
    today = local_date(now)
    rows: dict[type[Base], list[dict[str, Any]]] = {model: [] for model in PROJECTION_TABLES}
    clients: set[tuple[str, str]] = set()
    for municipality, trajectory_ids in _by_municipality(sorted(keys)).items():
        for chunk in _chunks(trajectory_ids):
            events_by_trajectory = _load_events(session, municipality, chunk)
            clients |= _clients_of(session, municipality, chunk)
            for model in PROJECTION_TABLES:
                session.execute(
                    delete(model).where(
                        model.municipality == municipality,  # type: ignore[attr-defined]
                        model.trajectory_id.in_(chunk),  # type: ignore[attr-defined]
                    )
                )
            for trajectory_id, events in events_by_trajectory.items():
                projected = project(municipality, trajectory_id, events, terms, now, today)
                rows[Trajectory].append(projected.trajectory)
                if projected.state.client_ref:
                    clients.add((municipality, projected.state.client_ref))
                rows[TrajectoryDocument].append(projected.document)
                rows[Complaint].extend(projected.complaints)
                rows[AuditFinding].extend(projected.findings)
                rows[TrajectoryPeriod].extend(projected.periods)
                rows[Application].extend(projected.applications)
                rows[SupportSpell].extend(projected.supports)
                rows[StepCompletion].extend(projected.step_completions)
    for model, table_rows in rows.items():
        for start in range(0, len(table_rows), _CHUNK):
            session.execute(insert(model), table_rows[start : start + _CHUNK])
    _refresh_next_openings(session, clients)


def _clients_of(
    session: Session, municipality: str, trajectory_ids: Sequence[str]
) -> set[tuple[str, str]]:
    """Clients of the stored rows about to be replaced (a corrected clientRef leaves one)."""
    rows = session.execute(
        select(Trajectory.client_ref).where(
            Trajectory.municipality == municipality,
            Trajectory.trajectory_id.in_(trajectory_ids),
            Trajectory.client_ref.is_not(None),
        )
    )
    return {(municipality, client_ref) for (client_ref,) in rows if client_ref is not None}


def _refresh_next_openings(session: Session, clients: set[tuple[str, str]]) -> None:
    """Recompute next_opened_on for every trajectory of the clients a refold touched.

    A new melding changes the re-entry of the same client's earlier trajectories, which
    were not refolded themselves; keeping this per row makes re-entry a column lookup.
    """
    for municipality, client_refs in _by_municipality(sorted(clients)).items():
        for chunk in _chunks(client_refs):
            stays: dict[str, list[tuple[Stay, date | None]]] = defaultdict(list)
            for tid, client_ref, opened_on, closed_on, current in session.execute(
                select(
                    Trajectory.trajectory_id,
                    Trajectory.client_ref,
                    Trajectory.opened_on,
                    Trajectory.closed_on,
                    Trajectory.next_opened_on,
                ).where(Trajectory.municipality == municipality, Trajectory.client_ref.in_(chunk))
            ):
                stays[str(client_ref)].append((Stay(tid, opened_on, closed_on), current))
            changes = []
            for client_stays in stays.values():
                computed = next_openings(stay for stay, _ in client_stays)
                changes += [
                    {
                        "municipality": municipality,
                        "trajectory_id": stay.trajectory_id,
                        "next_opened_on": computed[stay.trajectory_id],
                    }
                    for stay, current in client_stays
                    if computed[stay.trajectory_id] != current
                ]
            if changes:
                session.execute(update(Trajectory), changes)


# Every table derived from a trajectory's events, rebuilt together on each refold.
PROJECTION_TABLES: tuple[type[Base], ...] = (
    Trajectory,
    TrajectoryDocument,
    Complaint,
    AuditFinding,
    TrajectoryPeriod,
    Application,
    SupportSpell,
    StepCompletion,
)


def _lock_trajectories(connection: Connection, keys: set[TrajectoryKey]) -> None:
    """Serialise refolds of the same trajectory across concurrent requests.

    Without this, two requests adding events to one trajectory could each refold without
    the other's event and the last to commit would win. On PostgreSQL a transaction-scoped
    advisory lock per trajectory (taken in sorted order, so no deadlock) makes the second
    wait and then see the first's events. SQLite already lets one writer in at a time.
    """
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        text(
            "SELECT pg_advisory_xact_lock(k) FROM "
            "(SELECT DISTINCT hashtextextended(unnest(CAST(:keys AS text[])), 0) AS k) AS s "
            "ORDER BY k"
        ),
        {"keys": sorted(f"{m}:{t}" for m, t in keys)},
    )


def _load_events(
    session: Session, municipality: str, trajectory_ids: Sequence[str]
) -> dict[str, list[DomainEvent]]:
    rows = session.execute(
        select(
            StoredEvent.trajectory_id,
            StoredEvent.event_id,
            StoredEvent.type,
            StoredEvent.occurred_at,
            StoredEvent.body,
        ).where(
            StoredEvent.municipality == municipality,
            StoredEvent.trajectory_id.in_(trajectory_ids),
        )
    )
    grouped: dict[str, list[DomainEvent]] = defaultdict(list)
    for trajectory_id, event_id, event_type, occurred_at, body in rows:
        grouped[trajectory_id].append(
            to_domain(trajectory_id, event_id, event_type, occurred_at, body)
        )
    return grouped


def to_domain(
    trajectory_id: str, event_id: str, event_type: str, occurred_at: datetime, body: dict[str, Any]
) -> DomainEvent:
    return DomainEvent(
        event_id=event_id,
        trajectory_id=trajectory_id,
        type=EventType(event_type),
        occurred_at=occurred_at,
        data=body.get("data") or {},
    )
