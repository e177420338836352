"""The event store: every accepted event, immutable, keyed by (municipality, eventId)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.vocabulary import EventType
from app.models.base import Base, JsonDocument, UtcDateTime, one_of


class StoredEvent(Base):
    __tablename__ = "events"
    __table_args__ = (
        one_of("type", EventType),
        Index("ix_events_trajectory", "municipality", "trajectory_id", "occurred_at"),
    )

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    trajectory_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    occurred_on: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # SHA-256 of the canonical body: a repeat with the same hash is a duplicate, a repeat
    # with another hash a conflict, without comparing documents.
    body_sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
