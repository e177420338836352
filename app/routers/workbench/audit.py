"""The quality officer's pages: the worklist of terms, one trajectory's audit, and the
pass rates per rule and team."""

from datetime import date
from typing import Annotated, Any

from fastapi import Query, Request, Response
from fastapi.responses import HTMLResponse

from app.deps import CurrentProjection, FigureCacheDep, SessionDep, SettingsDep
from app.domain.audit import audit
from app.domain.calendar import local_today
from app.routers.params import TrajectoryIdPath
from app.routers.workbench.common import (
    AuditVisitor,
    FreshAuditPage,
    From,
    To,
    page_router,
    period_or_this_year,
    render,
)
from app.routers.workbench.present import RULE_TITLES
from app.services import audit as audit_service
from app.services.trajectories import get_trajectory

router = page_router()

WORKLIST_LIMIT = 200


@router.get("/werklijst", response_class=HTMLResponse, dependencies=[CurrentProjection])
def worklist(
    request: Request,
    session: SessionDep,
    visitor: AuditVisitor,
    within: Annotated[int, Query(alias="binnen", ge=0, le=365)] = 14,
) -> Response:
    """Terms that run out within `binnen` days, and those already missed, soonest first."""
    caller = visitor.caller
    today = local_today()
    soon, _ = audit_service.worklist(
        session,
        caller.municipality,
        audit_service.FindingFilter(caller.teams, due_within_days=within),
        today,
        WORKLIST_LIMIT,
        None,
    )
    late, _ = audit_service.worklist(
        session,
        caller.municipality,
        audit_service.FindingFilter(caller.teams, status="fail", due_before=today),
        today,
        WORKLIST_LIMIT,
        None,
    )
    caller.log_read(session, [f.trajectory_id for f, *_ in [*soon, *late]], with_query=True)
    return render(
        request,
        visitor,
        "worklist.html",
        within=within,
        today=today,
        soon=[_work_item(row, today) for row in soon],
        late=[_work_item(row, today) for row in late],
    )


def _work_item(row: Any, today: date) -> dict[str, Any]:
    finding, _, team, professional = row
    return {
        "trajectory_id": finding.trajectory_id,
        "team": team,
        "professional": professional,
        "rule": finding.rule,
        "due_on": finding.due_on,
        "days_left": (finding.due_on - today).days if finding.due_on else None,
    }


@router.get(
    "/trajecten/{trajectoryId}", response_class=HTMLResponse, dependencies=[CurrentProjection]
)
def trajectory(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: AuditVisitor,
    trajectory_id: TrajectoryIdPath,
) -> Response:
    """The six steps on a timeline and every finding with its evidence and adjustments;
    nothing of the resident beyond the pseudonym."""
    caller = visitor.caller
    today = local_today()
    view = get_trajectory(
        session, caller.municipality, trajectory_id, settings.terms(), caller.teams
    )
    findings = audit(view.folded, today)  # the state just folded, not read and folded again
    caller.log_read(session, [trajectory_id])
    return render(
        request,
        visitor,
        "trajectory.html",
        trajectory_id=trajectory_id,
        state=view.state,
        findings=findings,
        today=today,
    )


@router.get(
    "/naleving", response_class=HTMLResponse, dependencies=[CurrentProjection, FreshAuditPage]
)
def compliance(
    request: Request,
    session: SessionDep,
    visitor: AuditVisitor,
    cache: FigureCacheDep,
    start: From = None,
    end: To = None,
) -> Response:
    """Pass rates per rule, for the whole municipality (or the visitor's teams) and per
    team, over the trajectories opened in the period: the yearly review's table."""
    caller = visitor.caller
    start, end = period_or_this_year(start, end)
    today = local_today()
    args = (session, caller.municipality, start, end)
    overall = audit_service.summary(*args, None, today, caller.teams, cache)
    return render(
        request,
        visitor,
        "compliance.html",
        start=start,
        end=end,
        rules=RULE_TITLES,
        total=overall[0] if overall else None,
        teams=audit_service.summary(*args, "team", today, caller.teams, cache),
    )
