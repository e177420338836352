"""Audit use cases: findings for one trajectory, pass rates, the worklist, samples."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from app.domain.audit import RULES, Finding, Judgement, Status, audit
from app.domain.calendar import local_today
from app.domain.sampling import ReviewOutcome, review_outcome, stratified_sample
from app.domain.terms import TermPolicy
from app.domain.trajectory import TrajectoryState, fold
from app.errors import NotFound
from app.models import AuditFinding, AuditSample, SampleReview, Trajectory
from app.services.figures.cache import FigureCache
from app.services.storage.event_store import events_of
from app.services.trajectories import team_visible

# Grouping an audit summary or stratifying a sample: API name -> projection column.
AUDIT_DIMENSIONS = {
    "team": Trajectory.team,
    "district": Trajectory.district,
    "domain": Trajectory.domain,
    "professional": Trajectory.professional_ref,
}


def load_state(
    session: Session, municipality: str, trajectory_id: str, terms: TermPolicy
) -> TrajectoryState:
    """Fold one trajectory from its events: findings are judged on today, not on the last refold."""
    events = events_of(session, municipality, [trajectory_id]).get(trajectory_id)
    if not events:
        raise NotFound(f"no trajectory {trajectory_id!r} in municipality {municipality}")
    return fold(trajectory_id, events, terms)


def trajectory_findings(
    session: Session,
    municipality: str,
    trajectory_id: str,
    today: date,
    teams: tuple[str, ...] | None,
    terms: TermPolicy,
) -> list[Finding]:
    if not team_visible(session, municipality, trajectory_id, teams):
        raise NotFound(f"no trajectory {trajectory_id!r} in municipality {municipality}")
    return audit(load_state(session, municipality, trajectory_id, terms), today)


def effective_status(today: date) -> ColumnElement[str]:
    """A pending finding whose due date has passed is a failure: the same rule as the domain's."""
    overdue = and_(
        AuditFinding.status == Status.PENDING.value,
        AuditFinding.due_on.is_not(None),
        AuditFinding.due_on < today,
    )
    return case((overdue, Status.FAIL.value), else_=AuditFinding.status)


def trajectory_passes(today: date) -> ColumnElement[bool]:
    return and_(
        Trajectory.audit_failures == 0,
        or_(Trajectory.audit_pending_due_on.is_(None), Trajectory.audit_pending_due_on >= today),
    )


@dataclass(frozen=True)
class RuleSummary:
    counts: dict[str, int]

    @property
    def pass_rate(self) -> float | None:
        decided = self.counts.get("pass", 0) + self.counts.get("fail", 0)
        return self.counts.get("pass", 0) / decided if decided else None


@dataclass(frozen=True)
class GroupSummary:
    key: dict[str, str | None]
    trajectories: int
    passing: int
    rules: dict[str, RuleSummary]


@dataclass(frozen=True)
class SummaryRecipe:
    """An audit summary as asked; `as_of` None: as of the day it is computed."""

    municipality: str
    start: date
    end: date
    group_by: str | None
    as_of: date | None
    teams: tuple[str, ...] | None
    filters: tuple[tuple[str, str], ...] = ()

    def compute(self, session: Session, cache: FigureCache) -> None:
        today = self.as_of or local_today()
        summary(
            session,
            self.municipality,
            self.start,
            self.end,
            self.group_by,
            today,
            self.teams,
            cache,
            self.filters,
        )


def summary(
    session: Session,
    municipality: str,
    start: date,
    end: date,
    group_by: str | None,
    today: date,
    teams: tuple[str, ...] | None = None,
    cache: FigureCache | None = None,
    filters: tuple[tuple[str, str], ...] = (),
) -> list[GroupSummary]:
    """Pass rates per rule over the trajectories opened in the period (with `filters`: of
    a team, district or domain), from the cache while no write has changed them (the key
    holds the data version and the day)."""
    if cache is None:
        return _summary(session, municipality, start, end, group_by, today, teams, filters)
    # Asked for today (the default), it is warmed for each new day; asked as of a fixed day,
    # for that day.
    as_of = None if today == local_today() else today
    recipe = SummaryRecipe(municipality, start, end, group_by, as_of, teams, filters)
    cache.remember(recipe)
    key = cache.key(
        session, municipality, "audit-summary", start, end, group_by, today, teams, filters
    )
    found = cache.fetch(
        key,  # dataclasses, serialised as they are
        lambda: orjson.dumps(
            _summary(session, municipality, start, end, group_by, today, teams, filters)
        ),
    )
    return [_summary_from(group) for group in orjson.loads(found)]


def _summary_from(stored: dict[str, Any]) -> GroupSummary:
    return GroupSummary(
        key=stored["key"],
        trajectories=stored["trajectories"],
        passing=stored["passing"],
        rules={rule: RuleSummary(found["counts"]) for rule, found in stored["rules"].items()},
    )


def _summary(
    session: Session,
    municipality: str,
    start: date,
    end: date,
    group_by: str | None,
    today: date,
    teams: tuple[str, ...] | None,
    filters: tuple[tuple[str, str], ...] = (),
) -> list[GroupSummary]:
    """Pass rates per rule over the trajectories opened in the period, in two aggregate queries."""
    group = [AUDIT_DIMENSIONS[group_by].label("group")] if group_by else []
    in_scope = [Trajectory.municipality == municipality, Trajectory.opened_on.between(start, end)]
    if teams is not None:
        in_scope.append(Trajectory.team.in_(teams))
    in_scope += [AUDIT_DIMENSIONS[name] == value for name, value in filters]
    status = effective_status(today)
    per_rule = (
        select(*group, AuditFinding.rule, status, func.count())
        .join(
            Trajectory,
            and_(
                Trajectory.municipality == AuditFinding.municipality,
                Trajectory.trajectory_id == AuditFinding.trajectory_id,
            ),
        )
        .where(*in_scope)
        .group_by(*group, AuditFinding.rule, status)
    )
    counts: dict[Any, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in session.execute(per_rule):
        values: tuple[Any, ...] = tuple(row)
        key = values[0] if group else None
        rule, state, n = values[-3], values[-2], values[-1]
        counts[key][rule][state] = counts[key][rule].get(state, 0) + n
    overall = select(
        *group, func.count(), func.sum(case((trajectory_passes(today), 1), else_=0))
    ).where(*in_scope)
    if group:
        overall = overall.group_by(*group)
    result = []
    for row in session.execute(overall):
        totals: tuple[Any, ...] = tuple(row)
        key = totals[0] if group else None
        if totals[-2] == 0:
            continue
        rules = {rule.id: RuleSummary(counts[key].get(rule.id, {})) for rule in RULES}
        result.append(
            GroupSummary(
                key={group_by: key} if group_by else {},
                trajectories=int(totals[-2]),
                passing=int(totals[-1]),
                rules=rules,
            )
        )
    return sorted(result, key=lambda g: str(g.key))


@dataclass(frozen=True)
class FindingFilter:
    teams: tuple[str, ...] | None = None  # the client's limit, if any
    rule: str | None = None
    status: str | None = None
    team: str | None = None
    due_before: date | None = None
    due_within_days: int | None = None
    open_only: bool = False  # trajectories not closed (the workbench's worklist default)
    domain: str | None = None
    professional: str | None = None


class WorklistOrder(StrEnum):
    """How the workbench may sort the worklist; each ends in the default order so that
    ties are stable from page to page."""

    DUE = "due"  # most urgent first: the earliest due date, those without one last
    DUE_LATEST = "due_latest"  # the most recent first: the misses of the last days on top
    TEAM = "team"
    PROFESSIONAL = "professional"


def worklist(
    session: Session,
    municipality: str,
    where: FindingFilter,
    today: date,
    page_size: int,
    after: tuple[str, str, str] | None,
) -> tuple[list[Any], tuple[str, str, str] | None]:
    """Findings to act on, most urgent first: by due date, oldest overdue first, then
    those without a due date; ties by trajectoryId and rule. Keyset-paged on that order,
    so pages stay stable while findings change."""
    query = _matching(_worklist_columns(today), municipality, where, today)
    if after:
        query = query.where(_after(*after))
    rows = session.execute(query.order_by(*_ordering(WorklistOrder.DUE)).limit(page_size + 1)).all()
    page = list(rows[:page_size])
    if len(rows) <= page_size:
        return page, None
    last = page[-1][0]
    return page, (last.due_on.isoformat() if last.due_on else "", last.trajectory_id, last.rule)


def worklist_page(
    session: Session,
    municipality: str,
    where: FindingFilter,
    today: date,
    order: WorklistOrder,
    offset: int,
    limit: int,
) -> list[Any]:
    """One page of the worklist in the order the officer chose; rows as `worklist` gives
    them. Paged by position: a person pages a few times through a list she just counted."""
    query = _matching(_worklist_columns(today), municipality, where, today)
    return list(session.execute(query.order_by(*_ordering(order)).offset(offset).limit(limit)))


def _worklist_columns(today: date) -> Any:
    return select(
        AuditFinding,
        effective_status(today).label("effective"),
        Trajectory.team,
        Trajectory.professional_ref,
    )


def _ordering(order: WorklistOrder) -> list[Any]:
    no_due = AuditFinding.due_on.is_(None)
    by_due = [no_due, AuditFinding.due_on]
    if order is WorklistOrder.DUE_LATEST:
        by_due = [no_due, AuditFinding.due_on.desc()]
    lead = {
        WorklistOrder.TEAM: [Trajectory.team],
        WorklistOrder.PROFESSIONAL: [Trajectory.professional_ref],
    }.get(order, [])
    return [*lead, *by_due, AuditFinding.trajectory_id, AuditFinding.rule]


def count_findings(session: Session, municipality: str, where: FindingFilter, today: date) -> int:
    """How many findings the worklist holds for `where`, over every page."""
    query = _matching(select(func.count()), municipality, where, today)
    return int(session.execute(query).scalar_one())


def _matching(query: Any, municipality: str, where: FindingFilter, today: date) -> Any:
    """`query` over the findings `where` admits, joined to their trajectories."""
    status = effective_status(today)
    query = query.select_from(AuditFinding).join(
        Trajectory,
        and_(
            Trajectory.municipality == AuditFinding.municipality,
            Trajectory.trajectory_id == AuditFinding.trajectory_id,
        ),
    )
    query = query.where(AuditFinding.municipality == municipality)
    if where.open_only:
        query = query.where(Trajectory.closed_on.is_(None))
    if where.domain:
        query = query.where(Trajectory.domain == where.domain)
    if where.rule:
        query = query.where(AuditFinding.rule == where.rule)
    if where.status:
        query = query.where(status == where.status)
    if where.team:
        query = query.where(Trajectory.team == where.team)
    if where.professional:
        query = query.where(Trajectory.professional_ref == where.professional)
    if where.teams is not None:
        query = query.where(Trajectory.team.in_(where.teams))
    if where.due_before:
        query = query.where(AuditFinding.due_on < where.due_before)
    if where.due_within_days is not None:
        # "will be missed unless something happens": still pending, due within N days
        query = query.where(
            status == Status.PENDING.value,
            AuditFinding.due_on <= today + timedelta(days=where.due_within_days),
        )
    return query


def _after(due_on: str, trajectory_id: str, rule: str) -> ColumnElement[bool]:
    """Rows after (due_on, trajectory_id, rule) in the worklist order; "" is no due date."""
    later_in_tie = or_(
        AuditFinding.trajectory_id > trajectory_id,
        and_(AuditFinding.trajectory_id == trajectory_id, AuditFinding.rule > rule),
    )
    if not due_on:
        return and_(AuditFinding.due_on.is_(None), later_in_tie)
    due = date.fromisoformat(due_on)
    return or_(
        AuditFinding.due_on.is_(None),
        AuditFinding.due_on > due,
        and_(AuditFinding.due_on == due, later_in_tie),
    )


def draw_sample(
    session: Session,
    municipality: str,
    *,
    size: int,
    start: date,
    end: date,
    stratify_by: str,
    seed: int,
    drawn_by: str,
    teams: tuple[str, ...] | None = None,
) -> AuditSample:
    column = AUDIT_DIMENSIONS[stratify_by]
    strata: dict[str, list[str]] = defaultdict(list)
    for trajectory_id, stratum in session.execute(
        select(Trajectory.trajectory_id, column).where(
            Trajectory.municipality == municipality,
            Trajectory.opened_on.between(start, end),
            Trajectory.team.in_(teams) if teams is not None else true(),
        )
    ):
        strata[stratum or "(unknown)"].append(trajectory_id)
    drawn = stratified_sample(strata, size, seed)
    sample = AuditSample(
        id=str(uuid.uuid4()),
        municipality=municipality,
        drawn_at=datetime.now(UTC),
        drawn_by=drawn_by,
        request={
            "size": size,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "stratifyBy": stratify_by,
            "seed": seed,
            "population": {k: len(v) for k, v in sorted(strata.items())},
            # the teams the drawing client was limited to (null: every team): a narrower
            # client may not read this sample
            "teams": sorted(teams) if teams is not None else None,
            "strata": {k: len(v) for k, v in drawn.items()},
        },
        trajectory_ids=[tid for ids in drawn.values() for tid in ids],
    )
    session.add(sample)
    session.flush()
    return sample


def get_sample(
    session: Session, municipality: str, sample_id: str, teams: tuple[str, ...] | None = None
) -> AuditSample:
    """A sample of this municipality drawn within the reader's teams; any other is not found
    (a sample drawn over more teams would show their trajectories and population counts)."""
    sample = session.get(AuditSample, (municipality, sample_id))
    if sample is None:
        raise NotFound(f"no sample {sample_id!r}")
    drawn_over = sample.request.get("teams")
    if teams is not None and (drawn_over is None or not set(drawn_over) <= set(teams)):
        raise NotFound(f"no sample {sample_id!r}")
    return sample


def list_samples(
    session: Session, municipality: str, teams: tuple[str, ...] | None, limit: int = 50
) -> list[AuditSample]:
    """The samples of this municipality the reader may see, newest first."""
    rows = session.execute(
        select(AuditSample)
        .where(AuditSample.municipality == municipality)
        .order_by(AuditSample.drawn_at.desc())
        .limit(limit * 4)
    ).scalars()
    visible = []
    for sample in rows:
        drawn_over = sample.request.get("teams")
        if teams is None or (drawn_over is not None and set(drawn_over) <= set(teams)):
            visible.append(sample)
    return visible[:limit]


def record_review(
    session: Session,
    sample: AuditSample,
    trajectory_id: str,
    judgement: Judgement,
    note: str | None,
    reviewed_by: str,
) -> SampleReview:
    """A judgement of one trajectory of the sample; an earlier one stays as history."""
    if trajectory_id not in sample.trajectory_ids:
        raise NotFound(f"trajectory {trajectory_id!r} is not in sample {sample.id}")
    review = SampleReview(
        municipality=sample.municipality,
        sample_id=sample.id,
        trajectory_id=trajectory_id,
        judgement=judgement.value,
        note=note,
        reviewed_by=reviewed_by,
        reviewed_at=datetime.now(UTC),
    )
    session.add(review)
    session.flush()
    return review


def review_history(session: Session, sample: AuditSample) -> list[SampleReview]:
    """Every judgement recorded on a sample's cases, oldest first."""
    return list(
        session.execute(
            select(SampleReview)
            .where(
                SampleReview.municipality == sample.municipality,
                SampleReview.sample_id == sample.id,
            )
            .order_by(SampleReview.id)
        ).scalars()
    )


def latest_reviews(session: Session, sample: AuditSample) -> dict[str, SampleReview]:
    """The latest judgement per trajectory of a sample."""
    return {review.trajectory_id: review for review in review_history(session, sample)}


def review_outcomes(
    session: Session, municipality: str, teams: tuple[str, ...] | None, start: date, end: date
) -> list[tuple[AuditSample, ReviewOutcome]]:
    """The samples drawn over trajectories opened in [start, end] (overlapping it), each with
    what its review found so far: what the periodic report shows."""
    found = []
    for sample in list_samples(session, municipality, teams):
        drawn_from = date.fromisoformat(sample.request["from"])
        drawn_to = date.fromisoformat(sample.request["to"])
        if drawn_from > end or drawn_to < start:
            continue
        latest = latest_reviews(session, sample)
        judged = {trajectory: review.judgement for trajectory, review in latest.items()}
        found.append((sample, review_outcome(sample.trajectory_ids, judged)))
    return found


def rule_cases(
    session: Session,
    municipality: str,
    rule: str,
    period: tuple[date, date],
    today: date,
    team: str | None = None,
    teams: tuple[str, ...] | None = None,
    filters: tuple[tuple[str, str], ...] = (),
) -> list[tuple[str, str | None, str]]:
    """The trajectories behind a compliance cell: opened in the period (of `team`), with
    the rule passed or failed as of `today` (what its pass rate counts): id, team, status."""
    status = effective_status(today)
    query = (
        select(AuditFinding.trajectory_id, Trajectory.team, status)
        .join(
            Trajectory,
            and_(
                Trajectory.municipality == AuditFinding.municipality,
                Trajectory.trajectory_id == AuditFinding.trajectory_id,
            ),
        )
        .where(
            AuditFinding.municipality == municipality,
            AuditFinding.rule == rule,
            Trajectory.opened_on.between(*period),
            status.in_([Status.PASS.value, Status.FAIL.value]),
        )
        .order_by(status, AuditFinding.trajectory_id)
    )
    if team is not None:
        query = query.where(Trajectory.team == team)
    if teams is not None:
        query = query.where(Trajectory.team.in_(teams))
    query = query.where(*(AUDIT_DIMENSIONS[name] == value for name, value in filters))
    return [(tid, team_, str(state)) for tid, team_, state in session.execute(query)]
