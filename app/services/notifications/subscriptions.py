"""Subscriptions: a callback URL hearing chosen kinds of notification of one municipality,
within the limits of the client it is made for."""

import base64
import secrets
import socket
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.notifications import allowed, refused_address
from app.errors import NotFound
from app.models import Delivery, OutboxNotification, Subscription


def new_secret() -> str:
    """A Standard Webhooks signing key: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def callback_problem(url: str, hosts: Sequence[str], https_only: bool) -> str | None:
    """Why `url` may not be called back, or None. Outside development only https, and never
    a host inside the network, unless CALLBACK_ALLOWED_HOSTS (`hosts`) names it."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "a callback is an http(s) URL with a host and a valid port"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "a callback is an http(s) URL with a host"
    if parts.username or parts.password:
        return "a callback URL carries no credentials (the signature proves the sender)"
    if https_only and parts.scheme != "https" and not allowed(parts.hostname, port, hosts):
        return "a callback must use https"
    try:
        found = {str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, port)}
    except (OSError, UnicodeError):  # unknown, or no name a resolver takes
        found = set()
    return refused_address(parts.hostname, port, sorted(found), hosts)


def subscribe(
    session: Session,
    municipality: str,
    client_id: str,
    callback_url: str,
    types: Sequence[str],
    teams: Sequence[str] | None,
    due_within_working_days: int = 3,
    domains: Sequence[str] | None = None,
    rules: Sequence[str] | None = None,
) -> Subscription:
    subscription = Subscription(
        municipality=municipality,
        id=str(uuid.uuid4()),
        client_id=client_id,
        callback_url=callback_url,
        types=sorted(set(types)),
        teams=sorted(set(teams)) if teams else None,
        domains=sorted(set(domains)) if domains else None,
        rules=sorted(set(rules)) if rules else None,
        secret=new_secret(),
        due_within_working_days=due_within_working_days,
        created_at=datetime.now(UTC),
    )
    session.add(subscription)
    session.flush()
    return subscription


def subscriptions_of(session: Session, municipality: str) -> list[Subscription]:
    query = select(Subscription).where(
        Subscription.municipality == municipality, Subscription.ended_at.is_(None)
    )
    return list(session.scalars(query.order_by(Subscription.created_at)))


def get_subscription(session: Session, municipality: str, subscription_id: str) -> Subscription:
    found = session.get(Subscription, (municipality, subscription_id))
    if found is None or found.ended_at is not None:
        raise NotFound(f"subscription {subscription_id} not found")
    return found


def end(session: Session, municipality: str, subscription_id: str) -> None:
    get_subscription(session, municipality, subscription_id).ended_at = datetime.now(UTC)


def dead_letters(
    session: Session, municipality: str, subscription_id: str
) -> list[OutboxNotification]:
    get_subscription(session, municipality, subscription_id)
    query = select(OutboxNotification).where(
        OutboxNotification.municipality == municipality,
        OutboxNotification.subscription_id == subscription_id,
        OutboxNotification.state == Delivery.DEAD.value,
    )
    return list(session.scalars(query.order_by(OutboxNotification.created_at)))


def redeliver(
    session: Session, municipality: str, subscription_id: str, notification_id: str
) -> None:
    """A dead letter goes back to the outbox, with its own id, to be sent now."""
    found = session.get(OutboxNotification, (municipality, notification_id))
    if (
        found is None
        or found.subscription_id != subscription_id
        or found.state != Delivery.DEAD.value
    ):
        raise NotFound(f"dead letter {notification_id} not found")
    found.state = Delivery.PENDING.value
    found.next_attempt_at = datetime.now(UTC)
    found.created_at = datetime.now(UTC)  # its maximum age counts anew
