"""Posting events: one, or a batch where the valid ones land and the invalid are listed."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.domain.terms import TermPolicy
from app.domain.vocabulary import EventType
from app.errors import Conflict, Forbidden
from app.metrics import BATCH_SIZE, EVENTS_INGESTED, REFOLD_SECONDS
from app.schemas.bounds import MAX_ERRORS, MAX_VALUES, more_values_than
from app.schemas.events import EVENT_ADAPTER, Event, TrajectoryOpened
from app.services.access.clients import Principal
from app.services.ingestion.ingest import ingest, prepare
from app.services.projection.store import trajectory_teams
from app.services.storage.event_store import PreparedEvent
from app.settings import Settings

OPENED = EventType.TRAJECTORY_OPENED.value


@dataclass(frozen=True)
class Sender:
    """Whose events these are: the municipality they default to, any limit on it, and the
    legal terms the service is configured with (due dates are computed on ingest)."""

    default_municipality: str
    limited_to: str | None
    terms: TermPolicy
    teams: tuple[str, ...] | None = None  # a team-limited client writes its teams' cases only
    public_url: str = ""  # where notifications point subscribers to read the details

    @classmethod
    def of(cls, principal: Principal, settings: Settings) -> "Sender":
        municipality = principal.municipality or settings.default_municipality
        return cls(
            municipality,
            principal.municipality,
            settings.terms(),
            principal.teams,
            settings.public_url,
        )

    def refusal(self, event: Event) -> str | None:
        if self.limited_to and event.municipality and event.municipality != self.limited_to:
            return f"this client writes for municipality {self.limited_to} only"
        opens_elsewhere = isinstance(event, TrajectoryOpened) and event.data.team not in (
            self.teams or (event.data.team,)
        )
        if opens_elsewhere:
            return f"this client opens trajectories of its teams only ({self._teams})"
        return None

    def outside_teams(self, session: Session, prepared: Sequence[PreparedEvent]) -> list[int]:
        """The indexes of events on trajectories that are not this team-limited client's:
        stored under another team, or neither stored nor opened in this request (a case
        opened later by someone else must not hold its events)."""
        if self.teams is None:
            return []
        opened_here = {(e.municipality, e.trajectory_id) for e in prepared if e.type == OPENED}
        elsewhere = {(e.municipality, e.trajectory_id) for e in prepared} - opened_here
        teams = trajectory_teams(session, elsewhere)
        return [
            e.index
            for e in prepared
            if (e.municipality, e.trajectory_id) in elsewhere
            and teams.get((e.municipality, e.trajectory_id)) not in self.teams
        ]

    def why_outside(self) -> str:
        return (
            f"this client writes trajectories of its teams only ({self._teams}); open the "
            "trajectory first (trajectory.opened naming one of them)"
        )

    @property
    def _teams(self) -> str:
        return ", ".join(self.teams or ())


@dataclass(frozen=True)
class SingleOutcome:
    event: PreparedEvent
    created: bool


def record_event(session: Session, event: Event, sender: Sender) -> SingleOutcome:
    refusal = sender.refusal(event)
    if refusal:
        raise Forbidden(refusal)
    prepared = prepare(0, event, sender.default_municipality)
    if sender.outside_teams(session, [prepared]):
        raise Forbidden(sender.why_outside())
    report = ingest(session, [prepared], sender.terms, sender.public_url)
    REFOLD_SECONDS.observe(report.refold_seconds)
    _count(
        created=len(report.created),
        duplicate=len(report.duplicates),
        conflict=len(report.conflicts),
    )
    if report.conflicts:
        raise Conflict(
            f"event {prepared.event_id} is already stored with a different body; "
            "an eventId identifies one event forever (post a correction as a new event, "
            "or retract the old one)"
        )
    return SingleOutcome(event=prepared, created=bool(report.created))


@dataclass(frozen=True)
class Rejection:
    """An item of a batch that was not stored, and why (the router words the answer)."""

    index: int
    event_id: str | None
    reason: Literal["invalid", "other_municipality", "outside_teams", "conflict"]
    errors: Sequence[Mapping[str, Any]] = ()  # the validation errors of an invalid item
    detail: str = ""


@dataclass(frozen=True)
class BatchOutcome:
    received: int
    created: int
    duplicates: int
    rejections: list[Rejection]
    refold_seconds: float = 0.0


_TOO_MANY = {"type": "too_many_values", "loc": (), "msg": f"at most {MAX_VALUES} JSON values"}


def record_batch(session: Session, items: Sequence[Any], sender: Sender) -> BatchOutcome:
    """Validate every item, store all valid ones in the caller's one transaction.

    Plain data in and out and no metrics of its own, so it can run in a worker process
    (`worker.py`); `observe_batch()` counts what it did where /metrics is served."""
    rejections: list[Rejection] = []
    prepared: list[PreparedEvent] = []
    for index, item in enumerate(items):
        if more_values_than(item, MAX_VALUES):
            rejections.append(Rejection(index, _event_id_of(item), "invalid", [_TOO_MANY]))
            continue
        try:
            event = EVENT_ADAPTER.validate_python(item)
        except ValidationError as exc:
            # what crosses back from the worker is the problem, never the input again
            errors = exc.errors(include_url=False, include_input=False)[:MAX_ERRORS]
            rejections.append(Rejection(index, _event_id_of(item), "invalid", errors))
            continue
        refusal = sender.refusal(event)
        if refusal:
            rejections.append(
                Rejection(index, str(event.event_id), "other_municipality", detail=refusal)
            )
            continue
        prepared.append(prepare(index, event, sender.default_municipality))
    outside = set(sender.outside_teams(session, prepared))
    if outside:
        why = sender.why_outside()
        rejections += [
            Rejection(e.index, e.event_id, "outside_teams", detail=why)
            for e in prepared
            if e.index in outside
        ]
        prepared = [e for e in prepared if e.index not in outside]
    report = ingest(session, prepared, sender.terms, sender.public_url)
    rejections += [Rejection(e.index, e.event_id, "conflict") for e in report.conflicts]
    rejections.sort(key=lambda r: r.index)
    return BatchOutcome(
        received=len(items),
        created=len(report.created),
        duplicates=len(report.duplicates),
        rejections=rejections,
        refold_seconds=report.refold_seconds,
    )


def observe_batch(outcome: BatchOutcome) -> None:
    """What a batch did, in this process's metrics."""
    BATCH_SIZE.observe(outcome.received)
    REFOLD_SECONDS.observe(outcome.refold_seconds)
    reasons = [r.reason for r in outcome.rejections]
    _count(
        created=outcome.created,
        duplicate=outcome.duplicates,
        conflict=reasons.count("conflict"),
        invalid=reasons.count("invalid"),
        refused=reasons.count("other_municipality") + reasons.count("outside_teams"),
    )


def _event_id_of(item: Any) -> str | None:
    if isinstance(item, dict):
        value = item.get("eventId")
        return value if isinstance(value, str) and len(value) <= 64 else None
    return None


def _count(**by_outcome: int) -> None:
    for outcome, events in by_outcome.items():
        if events:
            EVENTS_INGESTED.labels(outcome).inc(events)
