"""Ingestion: fingerprint the events, store the new ones idempotently (the event store),
sort out repeats and conflicts, and refold every touched trajectory once (the projection)."""

import hashlib
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC

import orjson
from sqlalchemy.orm import Session

from app.domain.events import DomainEvent
from app.domain.terms import TermPolicy
from app.domain.vocabulary import EventType
from app.schemas.events import Event
from app.services.notifications import outbox
from app.services.projection.build import admit_writes, code_version
from app.services.projection.store import refold
from app.services.storage import data_version
from app.services.storage.event_store import (
    PreparedEvent,
    TrajectoryKey,
    as_domain,
    insert_new,
    stored_fingerprints,
)


@dataclass
class IngestReport:
    created: list[PreparedEvent] = field(default_factory=list)
    duplicates: list[PreparedEvent] = field(default_factory=list)
    conflicts: list[PreparedEvent] = field(default_factory=list)
    refold_seconds: float = 0.0  # observed by the caller: a batch may run in another process


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


def ingest(
    session: Session, events: Sequence[PreparedEvent], terms: TermPolicy, public_url: str = ""
) -> IngestReport:
    """Store new events, sort out repeats, refold every touched trajectory once, and write
    the notifications the change causes to the outbox.

    The caller's transaction covers it all: either every new event, its projection and its
    notifications land, or nothing does.
    """
    admit_writes(session, code_version(terms))
    report = IngestReport()
    fresh = _split_repeats_within(events, report)
    # Insert first, look up after: an id already stored (earlier, or by another request
    # that the insert waited for) is left out, and only those ids are looked up to tell a
    # repeat from a conflict. A backfill, all new, costs no look-up at all.
    inserted = insert_new(session, fresh)
    kept_out = [e for e in fresh if e.key not in inserted]
    stored = stored_fingerprints(session, [e.key for e in kept_out]) if kept_out else {}
    for event in fresh:
        if event.key in inserted:
            report.created.append(event)
        elif stored.get(event.key) == event.body_sha256:
            report.duplicates.append(event)
        else:
            report.conflicts.append(event)
    started = time.perf_counter()
    keys = {(e.municipality, e.trajectory_id) for e in report.created}
    watch = outbox.watch_findings(session, keys)
    refold(session, keys, terms, in_hand=_opened_here(report.created))
    report.refold_seconds = time.perf_counter() - started
    municipalities = {e.municipality for e in report.created}
    data_version.bump(session, municipalities)
    if municipalities:
        outbox.after_ingest(session, public_url, municipalities, watch)
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


def _opened_here(created: Sequence[PreparedEvent]) -> dict[TrajectoryKey, list[DomainEvent]]:
    """The events of trajectories this batch opens: likely all they have (the refold
    checks), so the refold need not read them back."""
    by_trajectory: dict[TrajectoryKey, list[PreparedEvent]] = defaultdict(list)
    for event in created:
        by_trajectory[(event.municipality, event.trajectory_id)].append(event)
    return {
        key: [as_domain(e) for e in events]
        for key, events in by_trajectory.items()
        if any(e.type == EventType.TRAJECTORY_OPENED for e in events)
    }
