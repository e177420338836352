"""GET /figures: every KPI of a period in one long table (JSON or CSV), the download a BI
analyst refreshes instead of one call per KPI."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from app.auth import Caller, KpiReader
from app.deps import CurrentProjection, FigureCacheDep, SessionDep, SettingsDep
from app.domain.kpis.figures import TIME_GRAINS
from app.routers.freshness import NOT_MODIFIED, KpiValidated
from app.routers.kpis import GROUP_BY_PATTERN, parse_group_by
from app.routers.params import check_period
from app.routers.route import ContractRoute
from app.routers.tables import (
    CsvDialect,
    LegacyDialect,
    OutputFormat,
    csv_requested,
    csv_response,
    csv_table,
)
from app.schemas import kpi_output, kpi_table
from app.schemas.base import IsoDate
from app.schemas.kpi_table import Dialect
from app.schemas.kpis import FigureRow, FigureTable
from app.services.figures.kpis import every_figure, figure_query

router = APIRouter(prefix="/figures", tags=["kpis"], route_class=ContractRoute)


From = Annotated[IsoDate, Query(alias="from", description="First day, inclusive.")]
To = Annotated[IsoDate, Query(alias="to", description="Last day, inclusive.")]
GroupBy = Annotated[
    str | None,
    Query(
        alias="groupBy",
        description="As for one KPI; KPIs without that breakdown are listed in `omitted`.",
        max_length=200,
        pattern=GROUP_BY_PATTERN,
    ),
]


@router.get(
    "",
    response_model=FigureTable,
    responses={**NOT_MODIFIED},
    summary="Every KPI for a period and breakdown in one long table",
    dependencies=[CurrentProjection, KpiValidated],
)
def list_figures(
    request: Request,
    caller: KpiReader,
    session: SessionDep,
    settings: SettingsDep,
    cache: FigureCacheDep,
    start: From,
    end: To,
    group_by: GroupBy = None,
    output: OutputFormat = None,
    dialect: LegacyDialect = "standard",
) -> Any:
    """Every KPI for one period and breakdown in one long table: per row `kpi, unit,
    valueIs, periodStart, periodEnd`, the group keys and `n, value, mean, median, p90,
    target, suppressed`. KPIs without that breakdown are named in `omitted`. The same
    table as CSV: `figure_table_read`."""
    groups, columns, rows, omitted = _long_table(
        caller, session, settings, cache, start, end, group_by
    )
    if csv_requested(request, output):
        return _csv(columns, rows, dialect, start, end)
    grain = next((g for g in groups if g in TIME_GRAINS), None)
    dimensions = [g for g in groups if g != grain]
    return FigureTable(
        from_=start,
        to=end,
        group_by=list(groups),
        omitted=omitted,
        rows=[
            FigureRow(
                kpi=row["kpi"],
                unit=row["unit"],
                value_is=row["value_is"],
                period_start=row["period_start"],
                period_end=row["period_end"],
                period=row.get(grain) if grain else None,
                group={d: row.get(kpi_table.snake(d)) for d in dimensions},
                n=row["n"],
                value=row["value"],
                mean=row["mean"],
                median=row["median"],
                p90=row["p90"],
                target=row["target"],
                suppressed=row["suppressed"],
            )
            for row in rows
        ],
    )


@router.get(
    "/table",
    response_class=Response,
    responses={
        **csv_table("Every KPI's cells as one CSV table, the same columns whatever the data."),
        **NOT_MODIFIED,
    },
    summary="Every KPI for a period and breakdown as one CSV table (for BI tools)",
    dependencies=[CurrentProjection, KpiValidated],
)
def read_figure_table(
    caller: KpiReader,
    session: SessionDep,
    settings: SettingsDep,
    cache: FigureCacheDep,
    start: From,
    end: To,
    group_by: GroupBy = None,
    dialect: CsvDialect = "standard",
) -> Response:
    """`figure_list` as the table a BI tool refreshes: `kpi, unit, value_is, period_start,
    period_end`, the group keys and `n, value, mean, median, p90, target, suppressed`
    (docs/bi.md lists each column's type)."""
    _, columns, rows, _ = _long_table(caller, session, settings, cache, start, end, group_by)
    return _csv(columns, rows, dialect, start, end)


def _long_table(
    caller: Caller,
    session: SessionDep,
    settings: SettingsDep,
    cache: FigureCacheDep,
    start: date,
    end: date,
    group_by: str | None,
) -> tuple[tuple[str, ...], list[str], list[dict[str, Any]], list[str]]:
    check_period(start, end)
    groups = parse_group_by(group_by)
    query = figure_query(start, end, groups, {}, None, caller.teams)
    figures, omitted = every_figure(
        session,
        caller.municipality,
        query,
        settings.min_cell_size,
        cache,
        caller.rounding(settings),
    )
    tables = [(kpi_output.figure_view(f, settings.min_cell_size), f.kpi) for f in figures]
    columns, rows = kpi_table.long_rows(tables, groups)
    return groups, columns, rows, omitted


def _csv(
    columns: list[str], rows: list[dict[str, Any]], dialect: Dialect, start: date, end: date
) -> Response:
    text = kpi_table.write_csv(columns, rows, dialect)
    return csv_response(text, f"kpi_figures_{start}_{end}.csv")
