"""Sending what the outbox holds: due notifications, signed as Standard Webhooks
(`webhook-id`, `webhook-timestamp`, `webhook-signature`) over a CloudEvent in structured
JSON mode, the same id on every attempt so a receiver can drop repeats. A failure is tried
again with backoff and jitter; past the maximum age the notification is a dead letter.

Several replicas share the outbox: each takes the due rows no other has locked (PostgreSQL
`FOR UPDATE SKIP LOCKED`), so a notification goes out once per attempt, whichever replica
sends it; a replica that dies mid-send leaves the row to the next poll.
"""

import logging
import random
import threading
from datetime import UTC, datetime, timedelta

import httpx
import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks import Webhook

from app.domain.notifications import DeliveryPolicy, retry_after
from app.metrics import NOTIFICATION_DELIVERIES, OLDEST_PENDING_NOTIFICATION
from app.models import Delivery, OutboxNotification, Subscription
from app.services.notifications.subscriptions import callback_problem

logger = logging.getLogger("wijkteam_kpi.notifications")
BATCH = 50
TIMEOUT_SECONDS = 5.0
MAX_RESPONSE_BYTES = 64 * 1024  # what is read of a receiver's answer (it is not used)


def deliver_due(
    sessions: sessionmaker[Session], policy: DeliveryPolicy, now: datetime | None = None
) -> int:
    """Sends the due notifications (at most BATCH); how many were delivered."""
    now = now or datetime.now(UTC)
    delivered = 0
    with sessions() as session:
        due = session.scalars(
            select(OutboxNotification)
            .where(
                # leads with the municipality like the index (a distributed PostgreSQL
                # finds each shard's due rows by it); only subscribed ones have any
                OutboxNotification.municipality.in_(select(Subscription.municipality).distinct()),
                OutboxNotification.state == Delivery.PENDING.value,
                OutboxNotification.next_attempt_at <= now,
            )
            .order_by(OutboxNotification.next_attempt_at)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        for row in due:
            subscription = session.get(Subscription, (row.municipality, row.subscription_id))
            error = _send(row, subscription, policy) if subscription else "subscription ended"
            delivered += _record(row, error, policy, now)
        session.commit()
        _measure_backlog(session, now)
    return delivered


def _send(
    row: OutboxNotification, subscription: Subscription, policy: DeliveryPolicy
) -> str | None:
    """None when the receiver took it (2xx), else why not."""
    if subscription.ended_at is not None:
        return "subscription ended"
    problem = callback_problem(subscription.callback_url, policy.allowed_hosts, policy.https_only)
    if problem:  # checked again at each send: a name may resolve elsewhere by now
        return problem
    body = orjson.dumps(row.cloud_event).decode()
    sent_at = datetime.now(UTC)
    headers = {
        "Content-Type": "application/cloudevents+json; charset=utf-8",
        "webhook-id": row.id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(subscription.secret).sign(row.id, sent_at, body),
    }
    try:
        with (
            httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as http,
            http.stream("POST", subscription.callback_url, content=body, headers=headers) as answer,
        ):
            read = 0
            for chunk in answer.iter_bytes():
                read += len(chunk)
                if read > MAX_RESPONSE_BYTES:
                    break
            return None if 200 <= answer.status_code < 300 else f"answered {answer.status_code}"
    except httpx.HTTPError as error:
        return f"{type(error).__name__}: {error}"[:300]


def _record(
    row: OutboxNotification, error: str | None, policy: DeliveryPolicy, now: datetime
) -> int:
    row.attempts += 1
    if error is None:
        row.state, row.delivered_at, row.last_error = Delivery.DELIVERED.value, now, None
        NOTIFICATION_DELIVERIES.labels("delivered").inc()
        return 1
    row.last_error = error[:300]
    if now - row.created_at >= policy.max_age:
        row.state = Delivery.DEAD.value
        NOTIFICATION_DELIVERIES.labels("dead").inc()
        logger.warning(
            "notification %s given up after %d attempts: %s", row.id, row.attempts, error
        )
    else:
        row.next_attempt_at = now + timedelta(seconds=retry_after(row.attempts, random.Random()))
        NOTIFICATION_DELIVERIES.labels("failed").inc()
    return 0


def _measure_backlog(session: Session, now: datetime) -> None:
    oldest = session.scalar(
        select(func.min(OutboxNotification.created_at)).where(
            OutboxNotification.state == Delivery.PENDING.value
        )
    )
    OLDEST_PENDING_NOTIFICATION.set((now - oldest).total_seconds() if oldest else 0.0)


class DeliveryWorker:
    """A thread of each serving process that sends what is due, every `poll_seconds`."""

    def __init__(
        self, sessions: sessionmaker[Session], policy: DeliveryPolicy, poll_seconds: float
    ) -> None:
        self._sessions, self._policy, self._poll = sessions, policy, poll_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notification-delivery", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=TIMEOUT_SECONDS * 2)

    def _run(self) -> None:
        while not self._stopped.wait(self._poll):
            try:
                deliver_due(self._sessions, self._policy)
            except Exception:  # the database away, say: the next poll tries again
                logger.exception("delivering notifications failed; trying again")
