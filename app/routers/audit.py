"""The quality officer's audit: rules, findings per trajectory, pass rates, worklist, samples."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status

from app.auth import Auditor
from app.deps import CurrentProjection, FigureCacheDep, SessionDep, SettingsDep
from app.domain.audit import RULES, RULES_BY_ID, Finding, Rule
from app.domain.calendar import local_today
from app.errors import InvalidInput
from app.routers.freshness import NOT_MODIFIED, AuditValidated
from app.routers.params import (
    RULE_PATTERN,
    SampleIdPath,
    TrajectoryIdPath,
    check_period,
    location,
    parse_worklist_cursor,
    worklist_cursor,
    worklist_cursor_pattern,
)
from app.routers.route import ContractRoute
from app.schemas.audit import (
    AdjustmentView,
    AtwCalendarView,
    AuditSummary,
    CalendarDay,
    FindingView,
    IgnoredView,
    ReviewView,
    RuleRate,
    RuleView,
    SampleRequest,
    SampleView,
    SummaryGroup,
    TrajectoryAudit,
    WorklistItem,
    WorklistPage,
)
from app.schemas.base import CODE_PATTERN, IsoDate
from app.schemas.problem import InvalidParam
from app.services import audit as audit_service

router = APIRouter(prefix="/audit", tags=["audit"], route_class=ContractRoute)

AsOf = Annotated[
    IsoDate | None, Query(alias="asOf", description="Judge terms on this day (default today).")
]


@router.get("/rules", response_model=list[RuleView], summary="The rule catalogue")
def list_rules(caller: Auditor, settings: SettingsDep) -> list[RuleView]:
    """The compliance rules the audit applies: what each checks, its legal or policy source,
    which events prove it, how it reads edge cases, and its parameters (term lengths as
    configured)."""
    terms = settings.terms()

    def parameters(rule: Rule) -> dict[str, object]:
        # Term lengths are settings: show the ones in force.
        if rule.term is None:
            return rule.parameters
        return {**rule.parameters, "days": dict(terms.lengths(rule.term))}

    return [
        RuleView(
            id=r.id,
            title=r.title,
            source=r.source,
            evidence=r.evidence,
            edges=r.edges,
            parameters=parameters(r),
        )
        for r in RULES
    ]


def _finding_view(finding: Finding) -> FindingView:
    return FindingView(
        rule=finding.rule,
        status=finding.status.value,
        explanation=finding.explanation,
        evidence=list(finding.evidence),
        due_on=finding.due,
        days_over=finding.days_over,
        days_remaining=finding.days_remaining,
        adjustments=[
            AdjustmentView(
                rule=a.rule,
                reason=a.reason,
                moved_from=a.moved_from,
                moved_to=a.moved_to,
                source=a.source,
                event_id=a.event_id,
            )
            for a in finding.adjustments
        ],
        ignored=[IgnoredView(event_id=i.event_id, reason=i.reason) for i in finding.ignored],
        suspended_since=finding.suspended_since,
    )


@router.get(
    "/calendar",
    response_model=AtwCalendarView,
    summary="The Algemene termijnenwet days of a year that terms cannot end on",
)
def atw_calendar(
    caller: Auditor,
    settings: SettingsDep,
    year: Annotated[int, Query(ge=1900, le=2200)],
) -> AtwCalendarView:
    """The days of a year on which no legal term can end (Algemene termijnenwet): Saturdays and
    Sundays aside, the holidays of art. 3 lid 1-2 and the days declared equal by decree
    (lid 3), each with its source, and whether a decree covers the year."""
    calendar = settings.terms().calendar
    return AtwCalendarView(
        year=year,
        declared_days_covered=calendar.covers(year),
        days=[
            CalendarDay(date=d.day, kind=d.kind, name=d.name, source=d.source)
            for d in calendar.year(year).values()
        ],
    )


@router.get(
    "/trajectories/{trajectoryId}",
    response_model=TrajectoryAudit,
    responses={404: {}},
    summary="Findings per rule for one trajectory, with the evidence",
)
def audit_trajectory(
    trajectory_id: TrajectoryIdPath,
    caller: Auditor,
    session: SessionDep,
    settings: SettingsDep,
    as_of: AsOf = None,
) -> TrajectoryAudit:
    """Every rule's finding for one trajectory (pass, fail, pending, not applicable) with an
    explanation an officer can read out, the evidence events, due dates and each legal
    adjustment (suspension, verdaging, Atw) with its reason. Case-level data: logged."""
    today = as_of or local_today()
    municipality = caller.municipality
    findings = audit_service.trajectory_findings(
        session, municipality, trajectory_id, today, caller.teams, settings.terms()
    )
    caller.log_read(session, [trajectory_id])
    return TrajectoryAudit(
        trajectory_id=trajectory_id,
        as_of=today,
        passes=all(f.status != "fail" for f in findings),
        findings=[_finding_view(f) for f in findings],
    )


@router.get(
    "/summary",
    response_model=AuditSummary,
    responses=NOT_MODIFIED,
    summary="Pass rates per rule, overall and by group",
    dependencies=[CurrentProjection, AuditValidated],
)
def audit_summary(
    caller: Auditor,
    session: SessionDep,
    settings: SettingsDep,
    cache: FigureCacheDep,
    start: Annotated[IsoDate, Query(alias="from")],
    end: Annotated[IsoDate, Query(alias="to")],
    group_by: Annotated[
        Literal["team", "district", "domain", "professional"] | None, Query(alias="groupBy")
    ] = None,
    as_of: AsOf = None,
) -> AuditSummary:
    """Pass rates per rule over the trajectories opened in a period, overall or by team,
    district, domain or professional, for the yearly review with management."""
    check_period(start, end)
    today = as_of or local_today()
    groups = audit_service.summary(
        session, caller.municipality, start, end, group_by, today, caller.teams, cache
    )
    return AuditSummary(
        from_=start,
        to=end,
        as_of=today,
        population="trajectories opened in the period",
        group_by=group_by,
        groups=[
            SummaryGroup(
                key=g.key,
                trajectories=g.trajectories,
                passing=g.passing,
                pass_rate=round(g.passing / g.trajectories, 4),
                rules={
                    rule: RuleRate(
                        passed=r.counts.get("pass", 0),
                        failed=r.counts.get("fail", 0),
                        pending=r.counts.get("pending", 0),
                        not_applicable=r.counts.get("not_applicable", 0),
                        pass_rate=None if r.pass_rate is None else round(r.pass_rate, 4),
                    )
                    for rule, r in g.rules.items()
                },
            )
            for g in groups
        ],
    )


@router.get(
    "/findings",
    response_model=WorklistPage,
    summary="Worklist of findings, e.g. terms about to be missed",
    dependencies=[CurrentProjection],
)
def audit_findings(
    request: Request,
    caller: Auditor,
    session: SessionDep,
    settings: SettingsDep,
    rule: Annotated[str | None, Query(max_length=32, pattern=RULE_PATTERN)] = None,
    finding_status: Annotated[
        Literal["pass", "fail", "pending", "not_applicable"] | None, Query(alias="status")
    ] = None,
    team: Annotated[str | None, Query(max_length=64, pattern=CODE_PATTERN)] = None,
    due_before: Annotated[IsoDate | None, Query(alias="dueBefore")] = None,
    due_within: Annotated[
        int | None,
        Query(alias="dueWithin", ge=0, le=366, description="Pending findings due within N days."),
    ] = None,
    as_of: AsOf = None,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=1000)] = 100,
    cursor: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=worklist_cursor_pattern(RULES_BY_ID),
            description="From `next`: the page starts after this finding.",
        ),
    ] = None,
) -> WorklistPage:
    """The worklist: findings by status and rule, e.g. terms due in the next `dueWithin` days
    or overdue, soonest first, keyset-paged. Case-level data: logged."""
    if rule is not None and rule not in RULES_BY_ID:
        raise InvalidInput(
            f"unknown rule {rule!r}",
            invalid_params=[
                InvalidParam(name="rule", code="enum", reason=f"one of {', '.join(RULES_BY_ID)}")
            ],
        )
    where = audit_service.FindingFilter(
        caller.teams, rule, finding_status, team, due_before, due_within
    )
    today = as_of or local_today()
    municipality = caller.municipality
    after = parse_worklist_cursor(cursor)
    rows, last = audit_service.worklist(session, municipality, where, today, page_size, after)
    shown = [f.trajectory_id for f, *_ in rows]
    caller.log_read(session, shown, with_query=True)
    return WorklistPage(
        results=[
            WorklistItem(
                trajectory_id=f.trajectory_id,
                team=team_,
                professional_ref=professional,
                rule=f.rule,
                status=effective,
                due_on=f.due_on,
                explanation=f.explanation,
                evidence=list(f.evidence),
            )
            for f, effective, team_, professional in rows
        ],
        next=str(request.url.include_query_params(cursor=worklist_cursor(*last))) if last else None,
        next_cursor=worklist_cursor(*last) if last else None,
        page_size=page_size,
    )


def _sample_view(session: SessionDep, sample: Any) -> SampleView:
    view = SampleView.model_validate(sample, from_attributes=True)
    view.reviews = [
        ReviewView.model_validate(review, from_attributes=True)
        for review in audit_service.review_history(session, sample)
    ]
    return view


@router.post(
    "/samples",
    response_model=SampleView,
    status_code=status.HTTP_201_CREATED,
    summary="Draw a seeded, stratified sample of trajectories for file review",
    dependencies=[CurrentProjection],
)
def post_sample(
    body: SampleRequest,
    request: Request,
    response: Response,
    caller: Auditor,
    session: SessionDep,
    settings: SettingsDep,
) -> SampleView:
    """Draw a seeded, stratified sample of trajectories opened in a period for file review; the
    same request with the same seed draws the same cases. `Location` names the sample."""
    municipality = caller.municipality
    sample = audit_service.draw_sample(
        session,
        municipality,
        size=body.size,
        start=body.from_,
        end=body.to,
        stratify_by=body.stratify_by,
        seed=body.seed,
        drawn_by=caller.signature,
        teams=caller.teams,
    )
    caller.log_read(session, sample.trajectory_ids)
    response.headers["Location"] = location(request, f"/audit/samples/{sample.id}")
    return _sample_view(session, sample)


@router.get(
    "/samples/{sampleId}",
    response_model=SampleView,
    responses={404: {}},
    summary="A sample drawn earlier",
    dependencies=[CurrentProjection],
)
def read_sample(
    sample_id: SampleIdPath,
    caller: Auditor,
    session: SessionDep,
    settings: SettingsDep,
) -> SampleView:
    """A sample drawn earlier, with its request and the trajectories drawn (only those within
    the reader's teams)."""
    municipality = caller.municipality
    sample = audit_service.get_sample(session, municipality, sample_id, caller.teams)
    caller.log_read(session, sample.trajectory_ids)
    return _sample_view(session, sample)
