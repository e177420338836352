"""The quality officer's pages: the worklist of terms, one trajectory's audit, and the
pass rates per rule and team."""

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from app.deps import CurrentProjection, FigureCacheDep, SessionDep, SettingsDep
from app.domain.audit import audit
from app.domain.calendar import local_today
from app.domain.vocabulary import LawDomain
from app.routers.params import RULE_PATTERN, TrajectoryIdPath
from app.routers.tables import csv_response
from app.routers.workbench.common import (
    AuditVisitor,
    FreshAuditPage,
    From,
    OptionalCode,
    To,
    page_router,
    period_or_this_year,
    render,
)
from app.routers.workbench.foresight import WorklistRisks, worklist_risks
from app.routers.workbench.present import RULE_TITLES
from app.schemas import kpi_table
from app.schemas.base import PSEUDONYM_PATTERN
from app.services import audit as audit_service
from app.services.audit import FindingFilter, WorklistOrder
from app.services.trajectories import get_trajectory, values_of

router = page_router()

WORKLIST_PAGE = 50
DOMAIN_CHOICE = "^(|" + "|".join(d.value for d in LawDomain) + ")$"


class SortChoice(StrEnum):
    """The worklist's orders by their Dutch names in the URL."""

    DUE = "datum"
    DUE_LATEST = "recentst"
    TEAM = "team"
    PROFESSIONAL = "professional"
    RISK = "risico"  # the risk of open terms, sorted here (the database does not hold it)

    @property
    def order(self) -> WorklistOrder:
        return WorklistOrder.DUE if self is SortChoice.RISK else WorklistOrder[self.name]


SORT_WORDS = {
    SortChoice.DUE: "uiterste datum, vroegste eerst",
    SortChoice.DUE_LATEST: "uiterste datum, laatste eerst",
    SortChoice.TEAM: "team",
    SortChoice.PROFESSIONAL: "professional",
    SortChoice.RISK: "kans te laat, hoogste eerst",
}
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@dataclass(frozen=True)
class WorklistChoice:
    """What the officer chose on the worklist's form (the page and its CSV share it)."""

    within: Annotated[int, Query(alias="binnen", ge=0, le=365)] = 14
    team: OptionalCode = ""
    rule: Annotated[str, Query(alias="regel", max_length=32, pattern=f"^$|{RULE_PATTERN}")] = ""
    domain: Annotated[str, Query(alias="domein", max_length=16, pattern=DOMAIN_CHOICE)] = ""
    closed_too: Annotated[bool, Query(alias="ook_afgesloten")] = False
    professional: Annotated[
        str, Query(max_length=128, pattern=f"^$|{PSEUDONYM_PATTERN[1:-1]}$")
    ] = ""
    order: Annotated[SortChoice, Query(alias="sorteer")] = SortChoice.DUE

    def filters(self, teams: tuple[str, ...] | None, today: date) -> dict[str, FindingFilter]:
        base = FindingFilter(
            teams,
            self.rule or None,
            team=self.team or None,
            open_only=not self.closed_too,
            domain=self.domain or None,
            professional=self.professional or None,
        )
        return {
            "soon": replace(base, due_within_days=self.within),
            "late": replace(base, status="fail", due_before=today),
        }


Choice = Annotated[WorklistChoice, Depends()]


@router.get("/werklijst", response_class=HTMLResponse, dependencies=[CurrentProjection])
def worklist(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    cache: FigureCacheDep,
    visitor: AuditVisitor,
    choice: Choice,
    soon_from: Annotated[Offset, Query(alias="binnenkort_vanaf")] = 0,
    late_from: Annotated[Offset, Query(alias="te_laat_vanaf")] = 0,
) -> Response:
    """Terms that run out within `binnen` days, and those already missed, of open
    trajectories unless asked otherwise; each list counted, filtered, sorted and paged."""
    caller = visitor.caller
    today = local_today()
    chosen = choice.filters(caller.teams, today)
    risks = worklist_risks(session, caller, settings, cache, today)
    lists = {
        "soon": (chosen["soon"], soon_from, "binnenkort_vanaf"),
        "late": (chosen["late"], late_from, "te_laat_vanaf"),
    }
    shown = {
        name: _worklist_part(
            request,
            session,
            caller.municipality,
            where,
            today,
            Listing(choice, start, key, risks),
        )
        for name, (where, start, key) in lists.items()
    }
    caller.log_read(
        session,
        [r["trajectory_id"] for part in shown.values() for r in part["rows"]],
        with_query=True,
    )
    return render(
        request,
        visitor,
        "worklist.html",
        within=choice.within,
        today=today,
        soon=shown["soon"],
        late=shown["late"],
        chosen={
            "team": choice.team,
            "rule": choice.rule,
            "domain": choice.domain,
            "closed_too": choice.closed_too,
            "professional": choice.professional,
            "order": choice.order.value,
        },
        teams=caller.teams or values_of(session, caller.municipality, "team"),
        rules=RULE_TITLES,
        domains=[d.value for d in LawDomain],
        orders={
            order.value: word
            for order, word in SORT_WORDS.items()
            if order is not SortChoice.RISK or risks is not None
        },
        risk_explained=risks.explanation if risks else None,
    )


@dataclass(frozen=True)
class Listing:
    """How one list of the worklist is shown: the officer's choice, where its page starts
    and under which name in the URL, and the risks of open terms (None: switched off)."""

    choice: WorklistChoice
    start: int
    offset_name: str
    risks: WorklistRisks | None


def _worklist_part(
    request: Request,
    session: SessionDep,
    municipality: str,
    where: FindingFilter,
    today: date,
    listing: Listing,
) -> dict[str, Any]:
    """One list of the worklist: its count over every page, this page, and the links to
    the pages before and after it."""
    total = audit_service.count_findings(session, municipality, where, today)
    start, order = listing.start, listing.choice.order
    if order is SortChoice.RISK and listing.risks is not None:
        every = audit_service.worklist_page(
            session, municipality, where, today, order.order, 0, EXPORT_LIMIT
        )
        items = [_work_item(row, today, listing.risks) for row in every]
        items.sort(key=lambda item: -(item["risk"] or 0.0))  # stable: due date within
        items = items[start : start + WORKLIST_PAGE]
    else:
        rows = audit_service.worklist_page(
            session, municipality, where, today, order.order, start, WORKLIST_PAGE
        )
        items = [_work_item(row, today, listing.risks) for row in rows]

    def at(offset: int) -> str:
        return str(request.url.include_query_params(**{listing.offset_name: offset}))

    end = start + len(items)
    return {
        "rows": items,
        "total": total,
        "first": start + 1,
        "last": end,
        "more": at(end) if end < total else None,
        "back": at(max(start - WORKLIST_PAGE, 0)) if start > 0 else None,
    }


EXPORT_LIMIT = 10_000
LISTS_NL = {"soon": "verloopt binnenkort", "late": "te laat"}


@router.get("/werklijst.csv", dependencies=[CurrentProjection])
def worklist_csv(
    session: SessionDep,
    settings: SettingsDep,
    cache: FigureCacheDep,
    visitor: AuditVisitor,
    choice: Choice,
) -> Response:
    """Both lists as one table for Excel, with the form's filters (case-level: logged)."""
    caller = visitor.caller
    today = local_today()
    risks = worklist_risks(session, caller, settings, cache, today)
    rows: list[dict[str, Any]] = []
    for name, where in choice.filters(caller.teams, today).items():
        found = audit_service.worklist_page(
            session, caller.municipality, where, today, choice.order.order, 0, EXPORT_LIMIT
        )
        rows += [{**_work_item(row, today, risks), "list": LISTS_NL[name]} for row in found]
    if choice.order is SortChoice.RISK:
        rows.sort(key=lambda row: -(row["risk"] or 0.0))
    caller.log_read(session, [r["trajectory_id"] for r in rows], with_query=True)
    table = [
        {
            "lijst": r["list"],
            "traject": r["trajectory_id"],
            "team": r["team"],
            "professional": r["professional"],
            "regel": RULE_TITLES.get(r["rule"], r["rule"]),
            "uiterste_datum": r["due_on"],
            "dagen": r["days_left"],
            "kans_te_laat": round(r["risk"], 3) if r["risk"] is not None else None,
        }
        for r in rows
    ]
    columns = [
        "lijst", "traject", "team", "professional", "regel", "uiterste_datum", "dagen",
        "kans_te_laat",
    ]  # fmt: skip
    text = kpi_table.write_csv(columns, table, "excel")
    return csv_response(text, f"werklijst_{today}.csv")


def _work_item(row: Any, today: date, risks: WorklistRisks | None) -> dict[str, Any]:
    finding, _, team, professional = row
    return {
        "risk": risks.of(finding.trajectory_id, finding.rule) if risks else None,
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
    district: OptionalCode = "",
    domain: Annotated[str, Query(alias="domein", max_length=16, pattern=DOMAIN_CHOICE)] = "",
) -> Response:
    """Pass rates per rule, for the whole municipality (or the visitor's teams) and per
    team, over the trajectories opened in the period (of a wijk or domain, if chosen): the
    yearly review's table."""
    caller = visitor.caller
    start, end = period_or_this_year(start, end)
    today = local_today()
    args = (session, caller.municipality, start, end)
    filters = _audit_filters(district, domain)
    overall = audit_service.summary(*args, None, today, caller.teams, cache, filters)
    return render(
        request,
        visitor,
        "compliance.html",
        start=start,
        end=end,
        rules=RULE_TITLES,
        total=overall[0] if overall else None,
        teams=audit_service.summary(*args, "team", today, caller.teams, cache, filters),
        chosen={"district": district, "domein": domain},
        districts=values_of(session, caller.municipality, "district"),
        domains=[d.value for d in LawDomain],
        query=urlencode({k: v for k, v in {"district": district, "domein": domain}.items() if v}),
    )


def _audit_filters(district: str, domain: str) -> tuple[tuple[str, str], ...]:
    chosen = (("district", district), ("domain", domain))
    return tuple((name, value) for name, value in chosen if value)


@router.get("/naleving/trajecten", response_class=HTMLResponse, dependencies=[CurrentProjection])
def compliance_cases(
    request: Request,
    session: SessionDep,
    visitor: AuditVisitor,
    rule: Annotated[str, Query(alias="regel", max_length=32, pattern=RULE_PATTERN)],
    start: From = None,
    end: To = None,
    team: OptionalCode = "",
    district: OptionalCode = "",
    domain: Annotated[str, Query(alias="domein", max_length=16, pattern=DOMAIN_CHOICE)] = "",
) -> Response:
    """The trajectories behind a compliance cell: as many as its "van" count, failed first,
    each to its trajectory page. Case-level: logged, never cached."""
    caller = visitor.caller
    span = period_or_this_year(start, end)
    cases = audit_service.rule_cases(
        session,
        caller.municipality,
        rule,
        span,
        local_today(),
        team or None,
        caller.teams,
        _audit_filters(district, domain),
    )
    caller.log_read(session, [tid for tid, _, _ in cases], with_query=True)
    return render(
        request,
        visitor,
        "compliance_cases.html",
        rule=rule,
        start=span[0],
        end=span[1],
        team=team,
        cases=cases,
        passed=sum(1 for *_, state in cases if state == "pass"),
    )
