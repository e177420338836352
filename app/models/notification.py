"""Subscriptions of other systems, and the outbox of notifications to them."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JsonDocument, UtcDateTime, one_of


class Delivery(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # given up after the maximum age; listed, and redelivered on request


class Subscription(Base):
    """A callback URL that hears the chosen kinds of notification of one municipality,
    within the limits (scopes, teams) of the client it is made for."""

    __tablename__ = "subscriptions"

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    callback_url: Mapped[str] = mapped_column(String(2048))
    types: Mapped[list[str]] = mapped_column(JsonDocument)
    teams: Mapped[list[str] | None] = mapped_column(JsonDocument)  # a filter, within the limit
    domains: Mapped[list[str] | None] = mapped_column(JsonDocument)  # filters on trajectories
    rules: Mapped[list[str] | None] = mapped_column(JsonDocument)  # ... and on their findings
    # term.due-soon: told when a term is this many working days away (or fewer), once
    due_within_working_days: Mapped[int] = mapped_column(Integer, default=3)
    # Standard Webhooks signing key (`whsec_...`): shown once; the service signs with it.
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboxNotification(Base):
    """A notification written in the same transaction as the change that causes it, so
    none is lost and none is sent for a change that was rolled back; sent afterwards by
    the delivery worker, with the same id (`webhook-id`) on every attempt."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        one_of("state", Delivery),
        # the delivery worker's scan, per municipality with a subscription
        Index("ix_notification_outbox_due", "municipality", "state", "next_attempt_at"),
        Index("ix_notification_outbox_subscription", "municipality", "subscription_id", "type"),
    )

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(100))
    cloud_event: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16), default=Delivery.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
