"""Notices about legal terms, once a day and once per cluster: a term that runs out within
a subscription's number of working days (Atw: no weekend, no Atw day), a term whose
due date passed unmet, and an open term the risk model finds likely to be missed (at
least AT_RISK_FROM; where foresight is on). Each term is told once per subscription."""

import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.atw import AtwCalendar
from app.domain.calendar import MUNICIPAL_TZ
from app.domain.notifications import TERM_RULES, NotificationType, working_days_until
from app.errors import NotEnoughData
from app.models import ApiClient, AuditFinding, OutboxNotification, Subscription, Trajectory
from app.services.figures.cache import FigureCache, MemoryStore
from app.services.foresight import term_risks
from app.services.notifications.outbox import enqueue, hears, listeners
from app.services.storage import job_runs

logger = logging.getLogger("wijkteam_kpi.notifications")
JOB = "term-notices"
AT_RISK_FROM = 0.5  # more likely missed than met


def notify_terms(
    sessions: sessionmaker[Session],
    today: date,
    calendar: AtwCalendar,
    public_url: str = "",
    foresight: bool = True,
) -> int | None:
    """Writes today's term notices to the outbox; how many, or None when another replica
    has today's run."""

    def write() -> int:
        with sessions() as session:
            now = datetime.now(UTC)
            count = 0
            for subscription, client in listeners(session, None, NotificationType.TERM_DUE_SOON):
                count += _due_soon(session, subscription, client, today, calendar, public_url, now)
            for subscription, client in listeners(session, None, NotificationType.TERM_MISSED):
                count += _missed(session, subscription, client, today, public_url, now)
            if foresight:
                # one model per municipality however many subscribe: kept for this run only
                models = FigureCache(MemoryStore(), JOB)
                for subscription, client in listeners(session, None, NotificationType.TERM_AT_RISK):
                    count += _at_risk(session, subscription, client, today, public_url, now, models)
            session.commit()
            return count

    return job_runs.once(sessions, JOB, today.isoformat(), write)


def _open_terms(
    session: Session, subscription: Subscription, client: ApiClient, *where: object
) -> list[tuple[str, str, date]]:
    """The terms of open trajectories `where` says, that this subscription hears of."""
    query = (
        select(
            AuditFinding.trajectory_id,
            AuditFinding.rule,
            AuditFinding.due_on,
            Trajectory.team,
            Trajectory.domain,
        )
        .join(
            Trajectory,
            and_(
                Trajectory.municipality == AuditFinding.municipality,
                Trajectory.trajectory_id == AuditFinding.trajectory_id,
            ),
        )
        .where(
            AuditFinding.municipality == subscription.municipality,
            AuditFinding.rule.in_(TERM_RULES),
            AuditFinding.due_on.is_not(None),
            Trajectory.closed_on.is_(None),
            *where,  # type: ignore[arg-type]
        )
    )
    return [
        (trajectory, rule, due_on)
        for trajectory, rule, due_on, team, domain in session.execute(query)
        if due_on is not None and hears(subscription, client, team, domain, (rule,))
    ]


def _due_soon(
    session: Session,
    subscription: Subscription,
    client: ApiClient,
    today: date,
    calendar: AtwCalendar,
    public_url: str,
    now: datetime,
) -> int:
    days = subscription.due_within_working_days
    horizon = today + timedelta(days=days * 2 + 14)  # more than N working days, Atw or not
    terms = _open_terms(
        session, subscription, client, AuditFinding.status == "pending",
        AuditFinding.due_on >= today, AuditFinding.due_on <= horizon,
    )  # fmt: skip
    due = [term for term in terms if working_days_until(today, term[2], calendar) <= days]
    return _tell(session, subscription, NotificationType.TERM_DUE_SOON, due, public_url, now)


def _missed(
    session: Session,
    subscription: Subscription,
    client: ApiClient,
    today: date,
    public_url: str,
    now: datetime,
) -> int:
    # Misses from the day the subscription was made on: a new subscriber is not flooded
    # with every term its municipality ever missed.
    since = subscription.created_at.astimezone(MUNICIPAL_TZ).date()
    missed = _open_terms(
        session, subscription, client,
        or_(AuditFinding.status == "fail", AuditFinding.status == "pending"),
        AuditFinding.due_on < today, AuditFinding.due_on >= since,
    )  # fmt: skip
    return _tell(session, subscription, NotificationType.TERM_MISSED, missed, public_url, now)


def _at_risk(
    session: Session,
    subscription: Subscription,
    client: ApiClient,
    today: date,
    public_url: str,
    now: datetime,
    models: FigureCache,
) -> int:
    try:
        teams = tuple(client.teams) if client.teams is not None else None
        found = term_risks(session, subscription.municipality, teams, today, models)
    except NotEnoughData:
        return 0  # nothing to learn from yet: no warning rather than a guess
    risky = [
        (risk.term.trajectory_id, risk.rule, risk.term.due_on)
        for risk in found.risks
        if risk.risk >= AT_RISK_FROM
        and hears(subscription, client, risk.team, risk.term.domain, (risk.rule,))
    ]
    return _tell(session, subscription, NotificationType.TERM_AT_RISK, risky, public_url, now)


def _tell(
    session: Session,
    subscription: Subscription,
    kind: NotificationType,
    terms: list[tuple[str, str, date]],
    public_url: str,
    now: datetime,
) -> int:
    """One notice per term (trajectory, rule, due date) per subscription, ever."""
    told = {
        (
            row.cloud_event["subject"],
            row.cloud_event["data"].get("rule"),
            row.cloud_event["data"].get("dueOn"),
        )
        for row in session.scalars(
            select(OutboxNotification).where(
                OutboxNotification.municipality == subscription.municipality,
                OutboxNotification.subscription_id == subscription.id,
                OutboxNotification.type == kind.value,
            )
        )
    }
    count = 0
    for trajectory, rule, due_on in terms:
        if (trajectory, rule, due_on.isoformat()) in told:
            continue
        data = {"trajectoryId": trajectory, "rule": rule, "dueOn": due_on.isoformat()}
        dataref = f"{public_url}/api/v1/audit/trajectories/{trajectory}"
        enqueue(session, subscription, kind, trajectory, dataref, data, now)
        count += 1
    return count


class DailyTermNotices:
    """Each day at `at`, the day's term notices; the first replica to claim the day writes
    them (storage.job_runs)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        calendar: AtwCalendar,
        at: time,
        public_url: str,
        foresight: bool = True,
    ) -> None:
        def notices(today: date) -> None:
            count = notify_terms(sessions, today, calendar, public_url, foresight)
            logger.info(
                "term notices for %s: %s", today, "another replica" if count is None else count
            )

        self._thread = job_runs.DailyThread("term-notices", at, notices)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.stop()
