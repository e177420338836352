"""The periodic report: for a tertial, half-year or year, the KPIs against their targets and
the previous period, charts, compliance and the file-review outcome, as one printable page
(what the quality officer takes to the management team and what goes to the council)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.deps import CurrentProjection, FigureCacheDep, SessionDep, SettingsDep
from app.domain.bsn import contains_bsn
from app.domain.calendar import local_today
from app.domain.kpis.figures import Figure, change
from app.domain.reporting import ReportLine, ReportPeriod, UnknownPeriod, summarise
from app.domain.sampling import ReviewOutcome
from app.errors import InvalidInput
from app.routers.workbench.charts import line_chart
from app.routers.workbench.common import (
    NO_CONTROL_CHARACTERS,
    AuditVisitor,
    CsrfField,
    FreshKpiPage,
    KpiVisitor,
    Visitor,
    check_csrf,
    page_router,
    render,
)
from app.routers.workbench.figures import (
    forecast_shown,
    judged,
    points,
    running,
    series,
    total,
)
from app.routers.workbench.foresight import FORECAST_KPIS, report_row
from app.routers.workbench.pdf import html_to_pdf
from app.routers.workbench.present import RULE_TITLES
from app.routers.workbench.workbook import XLSX, report_workbook_bytes
from app.schemas.problem import InvalidParam
from app.services import audit as audit_service
from app.services.figures.cache import FigureCache
from app.services.figures.comments import comments_of, write_comment
from app.services.figures.kpis import can_drill, every_figure, figure_query, get_kpi

router = page_router()

PERIOD_PATTERN = r"^[0-9]{4}(-[TH][0-9])?$"


def _chosen(label: str | None) -> ReportPeriod:
    """As asked, else the last tertial that has ended: the council's latest image."""
    if label is None:
        return ReportPeriod.containing(local_today(), "T").previous()
    try:
        return ReportPeriod.parse(label)
    except UnknownPeriod as exc:
        raise InvalidInput(
            str(exc), invalid_params=[InvalidParam(name="periode", code="pattern", reason=str(exc))]
        ) from exc


def _choices(today_year: int) -> list[ReportPeriod]:
    """The periods the form offers: this year and the two before, newest first."""
    found = []
    for year in range(today_year, today_year - 3, -1):
        found += [ReportPeriod(year, "Y")]
        found += [ReportPeriod(year, "H", n) for n in (2, 1)]
        found += [ReportPeriod(year, "T", n) for n in (3, 2, 1)]
    return found


@dataclass(frozen=True)
class _Figures:
    now: dict[str, Figure]
    earlier: dict[str, Figure]
    monthly: list[Figure]
    last_year: dict[str, Figure]  # empty unless asked for


def _report_figures(
    session: SessionDep,
    settings: SettingsDep,
    visitor: Visitor,
    cache: FigureCache | None,
    period: ReportPeriod,
    with_last_year: bool = False,
) -> _Figures:
    """The period's figures, the period before's, both by month, and (when asked for) the
    same period a year earlier."""
    before, year_ago = period.previous(), period.a_year_earlier()
    caller = visitor.caller
    rounding = caller.rounding(settings)

    def figures(start: date, end: date, group_by: tuple[str, ...] = ()) -> list[Figure]:
        query = figure_query(start, end, group_by, {}, None, caller.teams)
        found, _ = every_figure(
            session, caller.municipality, query, settings.min_cell_size, cache, rounding
        )
        return found

    return _Figures(
        {f.kpi.id: f for f in figures(period.start, period.end)},
        {f.kpi.id: f for f in figures(before.start, before.end)},
        figures(before.start, period.end, ("month",)),
        {f.kpi.id: f for f in figures(year_ago.start, year_ago.end)} if with_last_year else {},
    )


def _hold_data(figures: Iterable[Figure]) -> bool:
    """Whether any of these figures has a value to compare with."""
    return any((shown := total(f)) is not None and shown.state == "shown" for f in figures)


@router.get("/rapport.xlsx", dependencies=[CurrentProjection, FreshKpiPage])
def report_workbook(
    session: SessionDep,
    settings: SettingsDep,
    visitor: KpiVisitor,
    cache: FigureCacheDep,
    label: Annotated[str | None, Query(alias="periode", pattern=PERIOD_PATTERN)] = None,
) -> Response:
    """The report's figures as one Excel workbook: numbers as numbers, dates as dates."""
    period = _chosen(label)
    found = _report_figures(session, settings, visitor, cache, period)
    content = report_workbook_bytes(period, found.now, found.earlier, found.monthly)
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="rapportage_{period.label}.xlsx"'},
    )


@router.get("/rapport.pdf", dependencies=[CurrentProjection, FreshKpiPage])
def report_pdf(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: KpiVisitor,
    cache: FigureCacheDep,
    label: Annotated[str | None, Query(alias="periode", pattern=PERIOD_PATTERN)] = None,
) -> Response:
    """The report as a PDF made by the server: the page as it prints, with page numbers."""
    page = report(request, session, settings, visitor, cache, label)
    content = html_to_pdf(bytes(page.body).decode())
    name = f"rapportage_{_chosen(label).label}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/rapport/toelichting")
def report_comment(
    session: SessionDep,
    visitor: AuditVisitor,
    csrf: CsrfField,
    label: Annotated[str, Form(alias="periode", pattern=PERIOD_PATTERN)],
    kpi_id: Annotated[str, Form(alias="kpi", max_length=64)],
    text: Annotated[str, Form(alias="tekst", max_length=2000, pattern=NO_CONTROL_CHARACTERS)] = "",
) -> Response:
    """The officer's comment on a KPI for the period's report; empty removes it."""
    check_csrf(visitor, csrf)
    period = _chosen(label)
    kpi = get_kpi(kpi_id)
    if contains_bsn(text):
        raise InvalidInput(
            "de toelichting lijkt een BSN te bevatten",
            invalid_params=[
                InvalidParam(name="tekst", code="bsn", reason="geen BSN in een toelichting")
            ],
        )
    caller = visitor.caller
    write_comment(
        session, caller.municipality, period.label, kpi.id, text.strip(), caller.signature
    )
    back = f"/werkbank/rapport?periode={period.label}#toelichting-{kpi.id}"
    return RedirectResponse(back, status_code=303)


@router.get("/rapport", response_class=HTMLResponse, dependencies=[CurrentProjection, FreshKpiPage])
def report(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: KpiVisitor,
    cache: FigureCacheDep,
    label: Annotated[str | None, Query(alias="periode", pattern=PERIOD_PATTERN)] = None,
) -> Response:
    period = _chosen(label)
    before = period.previous()
    caller = visitor.caller
    cell_size = settings.min_cell_size
    # A year's report has its year before as the period before already.
    found = _report_figures(
        session, settings, visitor, cache, period, with_last_year=period.kind != "Y"
    )
    now, earlier = found.now, found.earlier
    year_ago = period.a_year_earlier()
    with_last_year = _hold_data(found.last_year.values())
    compared = _hold_data(earlier.values())
    running_month = running(before.start, period.end, "month")
    charts = []
    for figure in found.monthly:
        months = series(figure, "month")
        target = figure.target.value if figure.target else None
        chart = line_chart(
            points(months),
            target,
            size=(330, 180),
            unit=figure.kpi.unit,
            running=running_month,
        )
        if chart is not None:
            charts.append({"kpi": figure.kpi, "chart": chart, "months": months})
    rows: list[dict[str, Any]] = []
    for kpi_id, figure in now.items():
        cell, previous = total(figure), total(earlier.get(kpi_id))
        target = figure.target.value if figure.target else None
        rows.append(
            {
                "kpi": figure.kpi,
                "cell": cell,
                "previous": previous,
                "last_year": total(found.last_year.get(kpi_id)),
                "drill": caller.reads_cases and can_drill(figure.kpi),
                "target": target,
                "met": judged(figure.kpi, cell, target),
            }
        )
    return render(
        request,
        visitor,
        "report.html",
        period=period,
        before=before,
        choices=_choices(local_today().year),
        made_on=local_today(),
        rows=rows,
        summary=summarise([_line(row) for row in rows]),
        kpis={row["kpi"].id: row["kpi"] for row in rows},
        charts=charts,
        compared=compared,
        year_ago=year_ago if with_last_year else None,
        comments=comments_of(session, caller.municipality, period.label),
        may_comment=caller.reads_cases,
        municipality_name=settings.municipality_names.get(caller.municipality),
        min_cell_size=cell_size,
        expected=[
            report_row(kpi, shown)
            for kpi in (get_kpi(kpi_id) for kpi_id in FORECAST_KPIS)
            if (shown := forecast_shown(session, visitor, kpi, settings, cache, (330, 180)))
        ],
        **_audit_sections(session, visitor, cache, period, before),
    )


def _line(row: dict[str, Any]) -> ReportLine:
    """A report row as the summary reads it: only values the table shows."""
    now, before = (
        cell.value if cell is not None and not cell.suppressed else None
        for cell in (row["cell"], row["previous"])
    )
    direction = row["kpi"].direction
    return ReportLine(row["kpi"].id, now, before, row["met"], change(direction, before, now))


def _audit_sections(
    session: SessionDep,
    visitor: Visitor,
    cache: FigureCache | None,
    period: ReportPeriod,
    before: ReportPeriod,
) -> dict[str, Any]:
    """Compliance and file review, for a client that may read the audit (else left out)."""
    caller = visitor.caller
    if "audit:read" not in caller.principal.scopes:
        return {"compliance": None, "reviews": None}
    today = local_today()

    def overall(span: ReportPeriod) -> Any:
        found = audit_service.summary(
            session, caller.municipality, span.start, span.end, None, today, caller.teams, cache
        )
        return found[0] if found else None

    reviews = audit_service.review_outcomes(
        session, caller.municipality, caller.teams, period.start, period.end
    )
    summed = sum((outcome for _, outcome in reviews), ReviewOutcome(0, 0, 0))
    return {
        "compliance": {"now": overall(period), "before": overall(before), "rules": RULE_TITLES},
        "reviews": {"samples": reviews, "total": summed},
    }
