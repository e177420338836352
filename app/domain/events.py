"""An event as the domain sees it: already validated, independent of transport and storage."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.domain.vocabulary import EventType


@dataclass(frozen=True)
class DomainEvent:
    event_id: str
    trajectory_id: str
    type: EventType
    occurred_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple[datetime, str]:
        # occurredAt decides; the sender's eventId breaks ties so the order is total
        # and independent of arrival.
        return (self.occurred_at, self.event_id)


def retracted_ids(events: Iterable[DomainEvent]) -> set[str]:
    """Ids of events withdrawn by an `event.retracted` of the same trajectory.

    A retraction cannot itself be retracted: a wrong retraction is undone by posting the
    event again under a new eventId. That keeps the rule one level deep and free of cycles.
    """
    return {
        str(event.data["retracts"]) for event in events if event.type is EventType.EVENT_RETRACTED
    }


def effective_events(events: Iterable[DomainEvent]) -> list[DomainEvent]:
    """The events that count, in the order that defines the state."""
    all_events = list(events)
    withdrawn = retracted_ids(all_events)
    kept = [
        e
        for e in all_events
        if e.event_id not in withdrawn and e.type is not EventType.EVENT_RETRACTED
    ]
    return sorted(kept, key=lambda e: e.sort_key)
