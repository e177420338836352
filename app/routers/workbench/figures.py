"""The KPI pages: the overview of the catalogue with a trend per KPI, and one KPI with its
definition, chart over time against target and 0-meting, breakdown, and the CSV of both."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Query, Request, Response
from fastapi.responses import HTMLResponse

from app.deps import CurrentProjection, FigureCacheDep, SessionDep, SettingsDep
from app.domain.calendar import local_today
from app.domain.kpis.figures import (
    Cell,
    Figure,
    change,
    period_bounds,
    period_label,
    target_met,
)
from app.domain.kpis.spec import NO_BREAKDOWN, NO_TIME_SERIES, Kpi, Reported
from app.errors import NotFound
from app.routers.params import KpiIdPath
from app.routers.tables import csv_response
from app.routers.workbench.charts import Point, line_chart
from app.routers.workbench.common import (
    AuditVisitor,
    FreshKpiPage,
    From,
    KpiVisitor,
    OptionalCode,
    To,
    page_router,
    period_or_this_year,
    render,
)
from app.routers.workbench.foresight import (
    PageForecast,
    expected_rows,
    page_forecast,
    with_chart,
)
from app.schemas import kpi_output, kpi_table
from app.services.figures.cache import FigureCache
from app.services.figures.kpis import (
    can_drill,
    compute_figure,
    every_figure,
    figure_query,
    get_kpi,
    kpi_members,
)
from app.services.trajectories import values_of
from app.settings import Settings

router = page_router()

GRAINS = {"month": "maand", "quarter": "kwartaal", "tertial": "tertiaal"}
Grain = Literal["month", "quarter", "tertial"]
BREAKDOWNS = {
    "team": "team",
    "district": "wijk",
    "domain": "domein",
    "channel": "kanaal",
    "ageBand": "leeftijdsgroep",
}
Breakdown = Literal["team", "district", "domain", "channel", "ageBand"]
GrainQuery = Annotated[Grain, Query(alias="korrel")]
BreakdownQuery = Annotated[Breakdown, Query(alias="naar")]


@dataclass(frozen=True)
class Shown:
    """One cell as a table row shows it: a label, and value and n unless suppressed.

    `state` tells the four kinds of "no value" apart, as the officer must: `suppressed`
    (1-4 cases, "< 5"), `pending` (cases whose measurement needs time to pass, none
    measurable yet), `empty` (no case at all) and `unreported` (a reported KPI nobody
    posted a value for)."""

    label: str
    value: float | None
    n: int | None
    suppressed: bool
    state: str = "shown"


def shown(cell: Cell, key: str) -> Shown:
    visible = not cell.suppressed
    return Shown(
        label=cell.key.get(key) or "\N{EN DASH}",
        value=cell.value if visible else None,
        n=cell.n if visible else None,
        suppressed=cell.suppressed,
        state=_state(cell),
    )


def _state(cell: Cell) -> str:
    if cell.suppressed:
        return "suppressed"
    if cell.n == 0 and cell.value is None:
        waiting = cell.extra.get("pending", 0)
        return "pending" if waiting is None or waiting > 0 else "empty"
    return "shown"


def periods(start: date, end: date, grain: str) -> list[str]:
    """Every period label from start to end, so an empty period is a gap, not skipped."""
    labels: list[str] = []
    day = start
    while day <= end:
        label = period_label(day, grain)
        if not labels or labels[-1] != label:
            labels.append(label)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return labels


def series(figure: Figure, grain: str) -> list[Shown]:
    by_label = {cell.key.get(grain): cell for cell in figure.cells}
    rows = []
    for label in periods(figure.query.start, figure.query.end, grain):
        cell = by_label.get(label)
        rows.append(shown(cell, grain) if cell else Shown(label, None, 0, False, "empty"))
    return rows


def running(start: date, end: date, grain: str) -> str | None:
    """The label of the period still running, if the span reaches into it."""
    today = local_today()
    return period_label(today, grain) if start <= today <= end else None


def points(rows: list[Shown]) -> list[Point]:
    return [Point(row.label, row.value) for row in rows]


def total(figure: Figure | None) -> Shown | None:
    if figure is None or len(figure.cells) > 1:
        return None
    if not figure.cells:
        nobody = isinstance(figure.kpi.measure, Reported)
        return Shown("", None, None, False, "unreported" if nobody else "empty")
    return shown(figure.cells[0], "")


def last_change(kpi: Kpi, trend: list[Shown], running_label: str | None) -> str | None:
    """How the last complete period with a value compares with the one before it."""
    values = [r.value for r in trend if r.label != running_label and r.value is not None]
    return change(kpi.direction, values[-2], values[-1]) if len(values) >= 2 else None


def judged(kpi: Kpi, cell: Shown | None, target: float | None) -> bool | None:
    if cell is None or cell.suppressed:
        return None
    return target_met(kpi.direction, cell.value, target)


@router.get("/", response_class=HTMLResponse, dependencies=[CurrentProjection, FreshKpiPage])
def overview(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: KpiVisitor,
    cache: FigureCacheDep,
    start: From = None,
    end: To = None,
    grain: GrainQuery = "month",
    team: OptionalCode = "",
    district: OptionalCode = "",
    domain: OptionalCode = "",
) -> Response:
    """Every KPI of the catalogue for the period: value, n, target, met, a small trend and
    how its last complete period compares with the one before; for a team, wijk or domain."""
    start, end = period_or_this_year(start, end)
    caller = visitor.caller
    chosen = {"team": team, "district": district, "domain": domain}
    filters = {name: value for name, value in chosen.items() if value}

    def figures(group_by: tuple[str, ...]) -> list[Figure]:
        query = figure_query(start, end, group_by, filters, None, caller.teams)
        found, _ = every_figure(
            session, caller.municipality, query, settings.min_cell_size, cache, rounding
        )
        return found

    rounding = caller.rounding(settings)
    totals = figures(())
    trend_of = {figure.kpi.id: series(figure, grain) for figure in figures((grain,))}
    running_label = running(start, end, grain)
    rows = []
    for figure in totals:
        cell = total(figure)
        target = figure.target.value if figure.target else None
        trend = trend_of.get(figure.kpi.id)
        rows.append(
            {
                "kpi": figure.kpi,
                "cell": cell,
                "target": target,
                "met": judged(figure.kpi, cell, target),
                "trend": trend,
                "change": last_change(figure.kpi, trend or [], running_label),
                "drill": caller.reads_cases and can_drill(figure.kpi),
                "spark": line_chart(
                    points(trend),
                    size=(140, 36),
                    axes=False,
                    running=running_label,
                )
                if trend
                else None,
            }
        )
    return render(
        request,
        visitor,
        "overview.html",
        rows=rows,
        start=start,
        end=end,
        grain=grain,
        grains=GRAINS,
        chosen=chosen,
        choices={
            "team": caller.teams or values_of(session, caller.municipality, "team"),
            "district": values_of(session, caller.municipality, "district"),
            "domain": values_of(session, caller.municipality, "domain"),
        },
        min_cell_size=settings.min_cell_size,
    )


def _kpi_figures(
    session: Any,
    visitor: Any,
    kpi: Kpi,
    span: tuple[date, date],
    grain: str,
    by: str,
    settings: Settings,
    cache: FigureCache | None,
) -> tuple[Figure | None, Figure | None]:
    """The KPI over time and broken down, as far as its measure has either."""
    caller = visitor.caller
    min_cell_size, rounding = settings.min_cell_size, caller.rounding(settings)
    over_time = broken_down = None
    if not isinstance(kpi.measure, NO_TIME_SERIES):
        query = figure_query(*span, (grain,), {}, None, caller.teams)
        over_time = compute_figure(
            session, caller.municipality, kpi.id, query, min_cell_size, cache, rounding
        )
    if not isinstance(kpi.measure, NO_BREAKDOWN):
        query = figure_query(*span, (by,), {}, None, caller.teams)
        broken_down = compute_figure(
            session, caller.municipality, kpi.id, query, min_cell_size, cache, rounding
        )
    return over_time, broken_down


@router.get(
    "/kpis/{kpiId}", response_class=HTMLResponse, dependencies=[CurrentProjection, FreshKpiPage]
)
def kpi_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: KpiVisitor,
    cache: FigureCacheDep,
    kpi_id: KpiIdPath,
    start: From = None,
    end: To = None,
    grain: GrainQuery = "month",
    by: BreakdownQuery = "team",
) -> Response:
    """One KPI as an analyst reads it: the Dutch definition, a chart over time against its
    target and 0-meting (with the same numbers as a table), and a breakdown."""
    kpi = get_kpi(kpi_id)
    span = period_or_this_year(start, end)
    over_time, broken_down = _kpi_figures(session, visitor, kpi, span, grain, by, settings, cache)
    rows = series(over_time, grain) if over_time else []
    shown_figure = over_time or broken_down
    drill = can_drill(kpi) and visitor.caller.reads_cases
    stored = shown_figure.target if shown_figure else None
    target = stored.value if stored else None
    baseline = getattr(stored, "baseline_value", None)
    ahead = forecast_shown(session, visitor, kpi, settings, cache)
    return render(
        request,
        visitor,
        "kpi.html",
        ahead=ahead,
        ahead_rows=expected_rows(ahead.forecast, kpi.unit) if ahead and ahead.forecast else [],
        kpi=kpi,
        start=span[0],
        end=span[1],
        grain=grain,
        grains=GRAINS,
        by=by,
        breakdowns=BREAKDOWNS,
        rows=rows,
        chart=line_chart(
            points(rows), target, baseline, unit=kpi.unit, running=running(*span, grain)
        ),
        target=target,
        baseline=baseline,
        stored_target=stored,
        groups=[shown(c, by) for c in broken_down.cells] if broken_down else None,
        drill=drill,
        bounds={row.label: period_bounds(row.label, grain) for row in rows},
        min_cell_size=settings.min_cell_size,
    )


def forecast_shown(
    session: Any,
    visitor: Any,
    kpi: Kpi,
    settings: Settings,
    cache: FigureCache | None,
    size: tuple[int, int] = (640, 260),
) -> PageForecast | None:
    """The forecast of a KPI with one, drawn after its last twelve complete months (the
    protected figures every reader sees, not the series the model read)."""
    caller = visitor.caller
    shown_forecast = page_forecast(session, caller, kpi.id, settings, cache, local_today())
    if shown_forecast is None or shown_forecast.forecast is None:
        return shown_forecast
    last = shown_forecast.forecast.history_to
    first = date(last.year - 1 + (last.month == 12), last.month % 12 + 1, 1)
    history: list[Point] = []
    if not isinstance(kpi.measure, NO_TIME_SERIES):
        query = figure_query(first, last, ("month",), {}, None, caller.teams)
        recent = compute_figure(
            session,
            caller.municipality,
            kpi.id,
            query,
            settings.min_cell_size,
            cache,
            caller.rounding(settings),
        )
        history = points(series(recent, "month"))
    return with_chart(shown_forecast, history, kpi.unit, size)


@router.get("/kpis/{kpiId}/csv", dependencies=[CurrentProjection])
def kpi_csv(
    session: SessionDep,
    settings: SettingsDep,
    visitor: KpiVisitor,
    cache: FigureCacheDep,
    kpi_id: KpiIdPath,
    table: Annotated[Literal["reeks", "uitsplitsing"], Query(alias="tabel")],
    start: From = None,
    end: To = None,
    grain: GrainQuery = "month",
    by: BreakdownQuery = "team",
) -> Response:
    """The table the KPI page shows, as the API's CSV (same cells, same suppression)."""
    kpi = get_kpi(kpi_id)
    span = period_or_this_year(start, end)
    over_time, broken_down = _kpi_figures(session, visitor, kpi, span, grain, by, settings, cache)
    figure = over_time if table == "reeks" else broken_down
    if figure is None:
        raise NotFound(f"{kpi.id} has no {table} table")
    body = kpi_output.figure_view(figure, settings.min_cell_size)
    text = kpi_table.write_csv(*kpi_table.figure_rows(body, kpi), "excel")
    return csv_response(text, f"{kpi.id}_{table}_{span[0]}_{span[1]}.csv")


@router.get("/teams", response_class=HTMLResponse, dependencies=[CurrentProjection, FreshKpiPage])
def team_matrix(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: KpiVisitor,
    cache: FigureCacheDep,
    start: From = None,
    end: To = None,
) -> Response:
    """Every KPI by team side by side against its target: met or missed marked in colour
    and in words, so the matrix reads without colour too."""
    start, end = period_or_this_year(start, end)
    caller = visitor.caller
    figures, _ = every_figure(
        session,
        caller.municipality,
        figure_query(start, end, ("team",), {}, None, caller.teams),
        settings.min_cell_size,
        cache,
        caller.rounding(settings),
    )
    teams = sorted({c.key.get("team") or "" for f in figures for c in f.cells} - {""})
    rows = []
    for figure in figures:
        target = figure.target.value if figure.target else None
        by_team = {c.key.get("team"): shown(c, "team") for c in figure.cells}
        cells = [by_team.get(team) for team in teams]
        rows.append(
            {
                "kpi": figure.kpi,
                "target": target,
                "cells": [(c, judged(figure.kpi, c, target)) for c in cells],
            }
        )
    return render(
        request,
        visitor,
        "teams.html",
        rows=rows,
        teams=teams,
        start=start,
        end=end,
        min_cell_size=settings.min_cell_size,
    )


DRILL_LIMIT = 500


@router.get(
    "/kpis/{kpiId}/trajecten", response_class=HTMLResponse, dependencies=[CurrentProjection]
)
def kpi_cases(
    request: Request,
    session: SessionDep,
    visitor: AuditVisitor,
    kpi_id: KpiIdPath,
    start: From = None,
    end: To = None,
    team: OptionalCode = "",
    district: OptionalCode = "",
    domain: OptionalCode = "",
    channel: OptionalCode = "",
    age_band: Annotated[str, Query(alias="ageBand", max_length=8, pattern=r"^$|^[0-9+-]+$")] = "",
) -> Response:
    """The trajectories behind a figure (a cell of the KPI page), for a reader of cases:
    as many as its n, each to its trajectory page. Case-level: logged, never cached."""
    kpi = get_kpi(kpi_id)
    span = period_or_this_year(start, end)
    chosen = {"team": team, "district": district, "domain": domain, "channel": channel}
    filters = {name: value for name, value in {**chosen, "ageBand": age_band}.items() if value}
    caller = visitor.caller
    query = figure_query(*span, (), filters, None, caller.teams)
    members, total_count = kpi_members(session, caller.municipality, kpi.id, query, DRILL_LIMIT)
    caller.log_read(session, [tid for tid, _ in members], with_query=True)
    return render(
        request,
        visitor,
        "kpi_cases.html",
        kpi=kpi,
        start=span[0],
        end=span[1],
        filters=filters,
        members=members,
        total=total_count,
        limit=DRILL_LIMIT,
    )
