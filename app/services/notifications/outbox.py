"""What a change writes to the outbox, in the change's own transaction: a trajectory whose
findings changed, and a municipality whose figures changed (at most one of those per
subscription per FIGURES_QUIET)."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from app.domain.notifications import Notification, NotificationType
from app.models import ApiClient, AuditFinding, OutboxNotification, Subscription, Trajectory

FIGURES_QUIET = timedelta(minutes=5)  # a nightly import of 100 batches sends one, not 100
Key = tuple[str, str]  # (municipality, trajectoryId)
# What a subscriber must be allowed to read to hear of it.
SCOPE_OF = {
    NotificationType.FIGURES_CHANGED: "kpi:read",
    NotificationType.FINDINGS_CHANGED: "audit:read",
    NotificationType.TERM_DUE_SOON: "audit:read",
    NotificationType.TERM_MISSED: "audit:read",
    NotificationType.TERM_AT_RISK: "audit:read",
}


Live = list[tuple[Subscription, ApiClient]]


@dataclass
class FindingsWatch:
    """The findings of the touched trajectories that someone listens to, before a change,
    and the live subscriptions of their municipalities (read once per batch)."""

    keys: set[Key] = field(default_factory=set)
    before: dict[Key, frozenset[tuple[Any, ...]]] = field(default_factory=dict)
    live: Live = field(default_factory=list)


def listeners(
    session: Session, municipalities: Iterable[str] | None, kind: NotificationType
) -> Live:
    """Live subscriptions to `kind` in these municipalities (None: all), with their client,
    when that client is live and may read what the notification points to."""
    return of_kind(live_subscriptions(session, municipalities), kind)


def live_subscriptions(session: Session, municipalities: Iterable[str] | None) -> Live:
    query = (
        select(Subscription, ApiClient)
        .join(ApiClient, ApiClient.id == Subscription.client_id)
        .where(Subscription.ended_at.is_(None), ApiClient.revoked_at.is_(None))
    )
    if municipalities is not None:
        query = query.where(Subscription.municipality.in_(set(municipalities)))
    return [(subscription, client) for subscription, client in session.execute(query)]


def of_kind(live: Live, kind: NotificationType) -> Live:
    return [
        (subscription, client)
        for subscription, client in live
        if kind.value in subscription.types and SCOPE_OF[kind] in client.scopes
    ]


def watch_findings(session: Session, keys: set[Key]) -> FindingsWatch:
    if not keys:  # nothing new stored: nothing to tell
        return FindingsWatch()
    live = live_subscriptions(session, {m for m, _ in keys})
    listened = {s.municipality for s, _ in of_kind(live, NotificationType.FINDINGS_CHANGED)}
    watched = {key for key in keys if key[0] in listened}
    return FindingsWatch(watched, _findings(session, watched), live)


def _findings(session: Session, keys: set[Key]) -> dict[Key, frozenset[tuple[Any, ...]]]:
    found: dict[Key, set[tuple[Any, ...]]] = {key: set() for key in keys}
    if not keys:
        return {}
    key = tuple_(AuditFinding.municipality, AuditFinding.trajectory_id)
    query = select(
        AuditFinding.municipality, AuditFinding.trajectory_id, AuditFinding.rule,
        AuditFinding.status, AuditFinding.due_on,
    ).where(key.in_(list(keys)))  # fmt: skip
    for municipality, trajectory_id, rule, status, due_on in session.execute(query):
        found[(municipality, trajectory_id)].add((rule, status, due_on))
    return {key: frozenset(value) for key, value in found.items()}


def after_ingest(
    session: Session, base_url: str, municipalities: set[str], watch: FindingsWatch
) -> None:
    """Writes the notifications a stored batch causes (same transaction)."""
    now = datetime.now(UTC)
    after = _findings(session, watch.keys)
    changed = {
        key: {f[0] for f in after.get(key, frozenset()) ^ watch.before.get(key, frozenset())}
        for key in watch.keys
        if after.get(key) != watch.before.get(key)
    }
    if changed:
        _findings_changed(session, base_url, changed, watch.live, now)
    _figures_changed(session, base_url, municipalities, watch.live, now)


def _findings_changed(
    session: Session, base_url: str, changed: dict[Key, set[str]], live: Live, now: datetime
) -> None:
    """`changed`: per trajectory, the rules whose findings changed."""
    keys = list(changed)
    key = tuple_(Trajectory.municipality, Trajectory.trajectory_id)
    rows = session.execute(
        select(
            Trajectory.municipality, Trajectory.trajectory_id, Trajectory.team, Trajectory.domain
        ).where(key.in_(keys))
    )
    found = {(m, t): (team, domain) for m, t, team, domain in rows}
    kind = NotificationType.FINDINGS_CHANGED
    for subscription, client in of_kind(live, kind):
        for municipality, trajectory_id in keys:
            team, domain = found.get((municipality, trajectory_id), (None, None))
            rules = changed[(municipality, trajectory_id)]
            if municipality != subscription.municipality or not hears(
                subscription, client, team, domain, rules
            ):
                continue
            dataref = f"{base_url}/api/v1/audit/trajectories/{trajectory_id}"
            enqueue(
                session,
                subscription,
                kind,
                trajectory_id,
                dataref,
                {"trajectoryId": trajectory_id},
                now,
            )


def hears(
    subscription: Subscription,
    client: ApiClient,
    team: str | None,
    domain: str | None = None,
    rules: Iterable[str] = (),
) -> bool:
    """A team-limited subscriber hears only its teams; a subscription's filters (teams,
    domains, rules) narrow further."""
    if client.teams is not None and team not in client.teams:
        return False
    if subscription.teams is not None and team not in subscription.teams:
        return False
    if subscription.domains is not None and domain not in subscription.domains:
        return False
    return subscription.rules is None or bool(set(rules) & set(subscription.rules))


def _figures_changed(
    session: Session, base_url: str, municipalities: set[str], live: Live, now: datetime
) -> None:
    kind = NotificationType.FIGURES_CHANGED
    for subscription, _ in of_kind(live, kind):
        if subscription.municipality not in municipalities:
            continue
        recent = session.scalar(
            select(OutboxNotification.id)
            .where(
                OutboxNotification.municipality == subscription.municipality,
                OutboxNotification.subscription_id == subscription.id,
                OutboxNotification.type == kind.value,
                OutboxNotification.created_at > now - FIGURES_QUIET,
            )
            .limit(1)
        )
        if recent is None:
            code = subscription.municipality
            dataref = f"{base_url}/api/v1/figures?municipality={code}"
            enqueue(session, subscription, kind, code, dataref, {"municipality": code}, now)


def enqueue(
    session: Session,
    subscription: Subscription,
    kind: NotificationType,
    subject: str,
    dataref: str,
    data: dict[str, str],
    now: datetime,
) -> None:
    notification = Notification(
        str(uuid.uuid4()), kind, subscription.municipality, subject, now, dataref, data
    )
    session.add(
        OutboxNotification(
            municipality=subscription.municipality,
            id=notification.id,
            subscription_id=subscription.id,
            type=kind.value,
            cloud_event=notification.cloud_event(),
            created_at=now,
            state="pending",
            attempts=0,
            next_attempt_at=now,
        )
    )
