"""GET /figures: every KPI of a period in one long table (JSON or CSV), the download a BI
analyst refreshes instead of one call per KPI."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from app.auth import KpiReader
from app.deps import CurrentProjection, FigureCacheDep, SessionDep, SettingsDep
from app.domain.kpis.figures import TIME_GRAINS
from app.routers.freshness import NOT_MODIFIED, KpiValidated
from app.routers.kpis import GROUP_BY_PATTERN, parse_group_by
from app.routers.params import check_period
from app.routers.route import ContractRoute
from app.routers.tables import (
    CsvDialect,
    OutputFormat,
    csv_content,
    csv_requested,
    csv_response,
)
from app.schemas import kpi_output, kpi_table
from app.schemas.base import IsoDate
from app.schemas.kpis import FigureRow, FigureTable
from app.services.figures.kpis import every_figure, figure_query

router = APIRouter(prefix="/figures", tags=["kpis"], route_class=ContractRoute)


@router.get(
    "",
    response_model=FigureTable,
    responses={**NOT_MODIFIED, 200: csv_content("Every KPI's cells, as JSON or CSV.")},
    summary="Every KPI for a period and breakdown in one long table",
    dependencies=[CurrentProjection, KpiValidated],
)
def list_figures(
    request: Request,
    caller: KpiReader,
    session: SessionDep,
    settings: SettingsDep,
    cache: FigureCacheDep,
    start: Annotated[IsoDate, Query(alias="from", description="First day, inclusive.")],
    end: Annotated[IsoDate, Query(alias="to", description="Last day, inclusive.")],
    group_by: Annotated[
        str | None,
        Query(
            alias="groupBy",
            description="As for one KPI; KPIs without that breakdown are listed in `omitted`.",
            max_length=200,
            pattern=GROUP_BY_PATTERN,
        ),
    ] = None,
    output: OutputFormat = None,
    dialect: CsvDialect = "standard",
) -> Any:
    """Every KPI for one period and breakdown in one long table (JSON or CSV): `kpi, unit,
    value_is, period_start, period_end`, the group keys and `n, value, mean, median,
    p90, target, suppressed`. KPIs without that breakdown are named in `omitted`."""
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
    if csv_requested(request, output):
        text = kpi_table.write_csv(columns, rows, dialect)
        return csv_response(text, f"kpi_figures_{start}_{end}.csv")
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
