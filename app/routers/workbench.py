"""The workbench: server-rendered pages in Dutch for the quality officer, team managers and
administrators, in the same process and with the same clients, scopes and limits as the
API. Sign-in exchanges an API client's token for a session cookie (app/services/
web_sessions.py); each page then authorises with the API's own ScopeGuard and Caller."""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from app.auth import Caller, ScopeGuard, caller_from
from app.deps import CurrentProjection, SessionDep, SettingsDep
from app.domain.audit import RULES_BY_ID, Judgement
from app.domain.calendar import local_today
from app.domain.kpis.figures import target_met
from app.domain.kpis.spec import NO_BREAKDOWN, NO_TIME_SERIES
from app.errors import Forbidden
from app.routers.params import KpiIdPath, SampleIdPath, TrajectoryIdPath
from app.services import audit as audit_service
from app.services import web_sessions
from app.services.kpis import compute_figure, every_figure, figure_query, get_kpi
from app.services.trajectories import get_trajectory

router = APIRouter(prefix="/werkbank", include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")

SESSION_COOKIE = "wk_session"
RULE_TITLES = {rule_id: rule.title for rule_id, rule in RULES_BY_ID.items()}
LOGIN_CSRF_COOKIE = "wk_login_csrf"


class SignInRequired(Exception):
    """No (live) session: the browser is sent to the sign-in page."""


def to_sign_in(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/werkbank/inloggen", status_code=303)


@dataclass(frozen=True)
class Visitor:
    caller: Caller
    csrf: str


def _visitor(scope: str | None) -> Any:
    """Who is signed in; with `scope`, the API's guard for that scope decides too."""
    guard = ScopeGuard(scope) if scope else None

    def visitor(request: Request, session: SessionDep, settings: SettingsDep) -> Visitor:
        session_id = request.cookies.get(SESSION_COOKIE)
        resumed = (
            web_sessions.resume(session, session_id, datetime.now(UTC)) if session_id else None
        )
        if resumed is None:
            raise SignInRequired
        principal, csrf = resumed
        # The API's own guard decides, on the principal the session stands for.
        request.state.principal = principal
        if guard is not None:
            guard(request, None)
        return Visitor(caller_from(request, principal, settings), csrf)

    return visitor


KpiVisitor = Annotated[Visitor, Depends(_visitor("kpi:read"))]
AuditVisitor = Annotated[Visitor, Depends(_visitor("audit:read"))]
SignedIn = Annotated[Visitor, Depends(_visitor(None))]  # any client may sign out


def _cookie(response: Response, request: Request, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path="/werkbank",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


@router.get("/inloggen", response_class=HTMLResponse)
def sign_in_page(request: Request, message: str | None = None) -> Response:
    csrf = secrets.token_urlsafe(32)
    page = templates.TemplateResponse(
        request, "workbench/login.html", {"csrf": csrf, "caller": None, "message": message}
    )
    _cookie(page, request, LOGIN_CSRF_COOKIE, csrf, 600)
    return page


@router.post("/inloggen", response_class=HTMLResponse)
def sign_in(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(max_length=100)],
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf):
        return sign_in_page(request, "De sessie van dit formulier is verlopen; probeer opnieuw.")
    started = web_sessions.sign_in(session, token.strip(), datetime.now(UTC))
    if started is None:
        page = sign_in_page(request, "Dit token is onbekend of ingetrokken.")
        page.status_code = 401
        return page
    session_id, _ = started
    answer = RedirectResponse("/werkbank/", status_code=303)
    _cookie(answer, request, SESSION_COOKIE, session_id, int(web_sessions.IDLE.total_seconds()))
    answer.delete_cookie(LOGIN_CSRF_COOKIE, path="/werkbank")
    return answer


@router.post("/uitloggen")
def sign_out(
    request: Request,
    session: SessionDep,
    visitor: SignedIn,
    csrf: Annotated[str, Form(max_length=100)],
) -> Response:
    if secrets.compare_digest(visitor.csrf, csrf):
        web_sessions.sign_out(session, request.cookies.get(SESSION_COOKIE, ""))
    answer = RedirectResponse("/werkbank/inloggen", status_code=303)
    answer.delete_cookie(SESSION_COOKIE, path="/werkbank")
    return answer


@router.get("/", response_class=HTMLResponse, dependencies=[CurrentProjection])
def overview(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: KpiVisitor,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    start, end = _period(start, end)
    caller = visitor.caller
    query = figure_query(start, end, (), {}, None, caller.teams)
    figures, _ = every_figure(session, caller.municipality, query, settings.min_cell_size)
    rows = [_row(figure) for figure in figures]
    context = {
        "caller": caller,
        "csrf": visitor.csrf,
        "rows": rows,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "min_cell_size": settings.min_cell_size,
    }
    return templates.TemplateResponse(request, "workbench/overview.html", context)


def _row(figure: Any) -> dict[str, Any]:
    kpi = figure.kpi
    cell = figure.cells[0] if figure.cells else None
    target = figure.target.value if figure.target else None
    value = None if cell is None or cell.value is None else round(cell.value, 3)
    return {
        "id": kpi.id,
        "name": kpi.name_nl,
        "unit": kpi.unit,
        "value": value,
        "n": cell.n if cell else 0,
        "suppressed": bool(cell and cell.suppressed),
        "empty": cell is None or cell.value is None,
        "target": target,
        "met": target_met(kpi.direction, cell.value, target)
        if cell and not cell.suppressed
        else None,
    }


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
    shown = [f.trajectory_id for f, *_ in [*soon, *late]]
    caller.log_read(session, shown, with_query=True)
    context = {
        "caller": caller,
        "csrf": visitor.csrf,
        "within": within,
        "today": today,
        "soon": [_work_item(row, today) for row in soon],
        "late": [_work_item(row, today) for row in late],
    }
    return templates.TemplateResponse(request, "workbench/worklist.html", context)


WORKLIST_LIMIT = 200


def _work_item(row: Any, today: date) -> dict[str, Any]:
    finding, _, team, professional = row
    return {
        "trajectory_id": finding.trajectory_id,
        "team": team,
        "professional": professional,
        "rule": RULE_TITLES.get(finding.rule, finding.rule),
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
    view = get_trajectory(session, caller.municipality, trajectory_id, caller.teams)
    findings = audit_service.trajectory_findings(
        session, caller.municipality, trajectory_id, today, caller.teams, settings.terms()
    )
    caller.log_read(session, [trajectory_id])
    context = {
        "caller": caller,
        "csrf": visitor.csrf,
        "trajectory_id": trajectory_id,
        "state": view.state,
        "findings": findings,
        "titles": RULE_TITLES,
        "today": today,
    }
    return templates.TemplateResponse(request, "workbench/trajectory.html", context)


GRAINS = {"month": "maand", "quarter": "kwartaal", "tertial": "tertiaal"}


@router.get("/kpis/{kpiId}", response_class=HTMLResponse, dependencies=[CurrentProjection])
def kpi_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: KpiVisitor,
    kpi_id: KpiIdPath,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    grain: Annotated[Literal["month", "quarter", "tertial"], Query(alias="korrel")] = "month",
) -> Response:
    """One KPI as an analyst reads it: the Dutch definition, a chart over time against its
    target (with the same numbers as a table), and the breakdown by team."""
    caller = visitor.caller
    kpi = get_kpi(kpi_id)
    start, end = _period(start, end)
    series = breakdown = None
    if not isinstance(kpi.measure, NO_TIME_SERIES):
        query = figure_query(start, end, (grain,), {}, None, caller.teams)
        series = compute_figure(session, caller.municipality, kpi.id, query, settings.min_cell_size)
    if not isinstance(kpi.measure, NO_BREAKDOWN):
        query = figure_query(start, end, ("team",), {}, None, caller.teams)
        breakdown = compute_figure(
            session, caller.municipality, kpi.id, query, settings.min_cell_size
        )
    points = [_cell_row(cell, grain) for cell in series.cells] if series else []
    target = series.target.value if series and series.target else None
    context = {
        "caller": caller,
        "csrf": visitor.csrf,
        "kpi": kpi,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "grain": grain,
        "grains": GRAINS,
        "points": points,
        "chart": chart(points, target),
        "target": target,
        "teams": [_cell_row(cell, "team") for cell in breakdown.cells] if breakdown else None,
        "min_cell_size": settings.min_cell_size,
    }
    return templates.TemplateResponse(request, "workbench/kpi.html", context)


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    today = local_today()
    first, last = start or date(today.year, 1, 1), end or today
    return (first, last) if first <= last else (last, first)


def _cell_row(cell: Any, key: str) -> dict[str, Any]:
    """One cell for a table: its label under `key`, value and n, or suppressed."""
    shown = not cell.suppressed
    return {
        "label": cell.key.get(key),
        "value": round(cell.value, 3) if shown and cell.value is not None else None,
        "n": cell.n if shown else None,
        "suppressed": cell.suppressed,
    }


def chart(points: list[dict[str, Any]], target: float | None) -> dict[str, Any] | None:
    """An SVG line chart drawn on the server (no script, no library to fetch): the values
    per period and the target as a dashed line; suppressed periods leave a gap."""
    values = [p["value"] for p in points if p["value"] is not None]
    if not values:
        return None
    top = max([*values, target or 0.0]) or 1.0
    width, height, pad = 640, 220, 30
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return round(height - pad - (height - 2 * pad) * value / top, 1)

    dots = [
        {
            "x": round(pad + i * step, 1),
            "y": y(p["value"]),
            "label": p["label"],
            "value": p["value"],
        }
        for i, p in enumerate(points)
        if p["value"] is not None
    ]
    return {
        "width": width,
        "height": height,
        "line": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "target_y": y(target) if target is not None else None,
        "pad": pad,
        "top": round(top, 3),
    }


@router.get("/naleving", response_class=HTMLResponse, dependencies=[CurrentProjection])
def compliance(
    request: Request,
    session: SessionDep,
    visitor: AuditVisitor,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """Pass rates per rule, for the whole municipality (or the visitor's teams) and per
    team, over the trajectories opened in the period: the yearly review's table."""
    caller = visitor.caller
    start, end = _period(start, end)
    today = local_today()
    args = (session, caller.municipality, start, end)
    overall = audit_service.summary(*args, None, today, caller.teams)
    teams = audit_service.summary(*args, "team", today, caller.teams)
    context = {
        "caller": caller,
        "csrf": visitor.csrf,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "rules": RULE_TITLES,
        "total": overall[0] if overall else None,
        "teams": teams,
    }
    return templates.TemplateResponse(request, "workbench/compliance.html", context)


def _check_csrf(visitor: Visitor, csrf: str) -> None:
    if not secrets.compare_digest(visitor.csrf, csrf):
        raise Forbidden("this form is no longer valid; reload the page and submit it again")


@router.get("/steekproeven", response_class=HTMLResponse, dependencies=[CurrentProjection])
def samples(request: Request, session: SessionDep, visitor: AuditVisitor) -> Response:
    """The samples drawn for file review, and the form to draw a new one."""
    caller = visitor.caller
    start, end = _period(None, None)
    context = {
        "caller": caller,
        "csrf": visitor.csrf,
        "samples": audit_service.list_samples(session, caller.municipality, caller.teams),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "strata": AUDIT_STRATA,
    }
    return templates.TemplateResponse(request, "workbench/samples.html", context)


AUDIT_STRATA = {
    "team": "team",
    "professional": "professional",
    "district": "wijk",
    "domain": "domein",
}


@router.post("/steekproeven", dependencies=[CurrentProjection])
def draw(
    session: SessionDep,
    visitor: AuditVisitor,
    csrf: Annotated[str, Form(max_length=100)],
    size: Annotated[int, Form(ge=1, le=500)],
    start: Annotated[date, Form(alias="from")],
    end: Annotated[date, Form(alias="to")],
    stratify_by: Annotated[Literal["team", "professional", "district", "domain"], Form()],
    seed: Annotated[int, Form(ge=0, le=2**53 - 1)],
) -> Response:
    _check_csrf(visitor, csrf)
    caller = visitor.caller
    first, last = _period(start, end)
    sample = audit_service.draw_sample(
        session,
        caller.municipality,
        size=size,
        start=first,
        end=last,
        stratify_by=stratify_by,
        seed=seed,
        drawn_by=caller.signature,
        teams=caller.teams,
    )
    caller.log_read(session, sample.trajectory_ids)
    return RedirectResponse(f"/werkbank/steekproeven/{sample.id}", status_code=303)


@router.get(
    "/steekproeven/{sampleId}", response_class=HTMLResponse, dependencies=[CurrentProjection]
)
def sample_page(
    request: Request, session: SessionDep, visitor: AuditVisitor, sample_id: SampleIdPath
) -> Response:
    """One sample: its cases with links, the reviewer's latest judgement of each, and the
    form to judge (akkoord / afwijking, with a note)."""
    caller = visitor.caller
    sample = audit_service.get_sample(session, caller.municipality, sample_id, caller.teams)
    caller.log_read(session, sample.trajectory_ids)
    reviews = audit_service.latest_reviews(session, sample.id)
    counts = {j.value: sum(r.judgement == j.value for r in reviews.values()) for j in Judgement}
    context = {
        "caller": caller,
        "csrf": visitor.csrf,
        "sample": sample,
        "reviews": reviews,
        "counts": counts,
        "open": len(sample.trajectory_ids) - len(reviews),
        "judgements": [j.value for j in Judgement],
    }
    return templates.TemplateResponse(request, "workbench/sample.html", context)


@router.post("/steekproeven/{sampleId}/oordelen", dependencies=[CurrentProjection])
def judge(
    session: SessionDep,
    visitor: AuditVisitor,
    sample_id: SampleIdPath,
    csrf: Annotated[str, Form(max_length=100)],
    trajectory_id: Annotated[str, Form(alias="trajectoryId", max_length=64)],
    judgement: Annotated[Judgement, Form()],
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    _check_csrf(visitor, csrf)
    caller = visitor.caller
    sample = audit_service.get_sample(session, caller.municipality, sample_id, caller.teams)
    audit_service.record_review(
        session,
        sample,
        trajectory_id,
        judgement,
        note.strip() or None,
        caller.signature,
    )
    return RedirectResponse(f"/werkbank/steekproeven/{sample.id}", status_code=303)
