"""Posting events: one, or a batch where the valid ones land and the invalid are listed."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.domain.terms import TermPolicy
from app.errors import Conflict, Forbidden
from app.problems import invalid_params_from
from app.schemas.events import EVENT_ADAPTER, BatchItemError, BatchResult, Event
from app.schemas.problem import InvalidParam
from app.services.clients import Principal
from app.services.ingest import PreparedEvent, ingest, prepare
from app.settings import Settings


@dataclass(frozen=True)
class Sender:
    """Whose events these are: the municipality they default to, any limit on it, and the
    legal terms the service is configured with (due dates are computed on ingest)."""

    default_municipality: str
    limited_to: str | None
    terms: TermPolicy

    @classmethod
    def of(cls, principal: Principal, settings: Settings) -> "Sender":
        municipality = principal.municipality or settings.default_municipality
        return cls(municipality, principal.municipality, settings.terms())

    def refusal(self, event: Event) -> str | None:
        if self.limited_to and event.municipality and event.municipality != self.limited_to:
            return f"this client writes for municipality {self.limited_to} only"
        return None


@dataclass(frozen=True)
class SingleOutcome:
    event: PreparedEvent
    created: bool


def record_event(session: Session, event: Event, sender: Sender) -> SingleOutcome:
    refusal = sender.refusal(event)
    if refusal:
        raise Forbidden(refusal)
    prepared = prepare(0, event, sender.default_municipality)
    report = ingest(session, [prepared], sender.terms)
    if report.conflicts:
        raise Conflict(
            f"event {prepared.event_id} is already stored with a different body; "
            "an eventId identifies one event forever (post a correction as a new event, "
            "or retract the old one)"
        )
    return SingleOutcome(event=prepared, created=bool(report.created))


def record_batch(session: Session, items: Sequence[Any], sender: Sender) -> BatchResult:
    """Validate every item, store all valid ones in the caller's one transaction."""
    errors: list[BatchItemError] = []
    prepared: list[PreparedEvent] = []
    for index, item in enumerate(items):
        try:
            event = EVENT_ADAPTER.validate_python(item)
        except ValidationError as exc:
            errors.append(
                BatchItemError(
                    index=index,
                    event_id=_event_id_of(item),
                    status=400,
                    invalid_params=invalid_params_from(exc.errors()),
                )
            )
            continue
        refusal = sender.refusal(event)
        if refusal:
            errors.append(
                BatchItemError(
                    index=index,
                    event_id=str(event.event_id),
                    status=403,
                    invalid_params=[
                        InvalidParam(name="municipality", code="forbidden", reason=refusal)
                    ],
                )
            )
            continue
        prepared.append(prepare(index, event, sender.default_municipality))
    report = ingest(session, prepared, sender.terms)
    errors.extend(
        BatchItemError(
            index=event.index,
            event_id=event.event_id,
            status=409,
            invalid_params=[
                InvalidParam(
                    name="eventId",
                    code="conflict",
                    reason="already stored (or earlier in this batch) with a different body",
                )
            ],
        )
        for event in report.conflicts
    )
    errors.sort(key=lambda e: e.index)
    return BatchResult(
        received=len(items),
        created=len(report.created),
        duplicates=len(report.duplicates),
        rejected=len(errors),
        errors=errors,
    )


def _event_id_of(item: Any) -> str | None:
    if isinstance(item, dict):
        value = item.get("eventId")
        return value if isinstance(value, str) and len(value) <= 64 else None
    return None
