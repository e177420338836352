"""GET /kpis (catalogue), GET /kpis/{kpiId} (figures, JSON or CSV), targets, reported values."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.auth import Admin, Caller, EventWriter, KpiReader
from app.deps import CurrentProjection, FigureCacheDep, SessionDep, SettingsDep
from app.domain.kpis.figures import DIMENSIONS, TIME_GRAINS, Figure, KpiQuery
from app.domain.kpis.spec import Kpi
from app.domain.vocabulary import AgeBand, Channel, LawDomain
from app.errors import InvalidInput
from app.routers.freshness import NOT_MODIFIED, KpiValidated
from app.routers.params import KpiIdPath, check_period
from app.routers.route import ContractRoute
from app.routers.tables import (
    CsvDialect,
    LegacyDialect,
    OutputFormat,
    csv_requested,
    csv_response,
    csv_table,
    preferred_language,
)
from app.schemas import kpi_output, kpi_table
from app.schemas.base import CODE_PATTERN, PSEUDONYM_PATTERN, IsoDate
from app.schemas.kpi_table import Dialect
from app.schemas.kpis import (
    KpiDefinition,
    KpiFigure,
    ReportedValueRequest,
    ReportedValueView,
    TargetRequest,
    TargetView,
)
from app.schemas.problem import InvalidParam
from app.services.figures.kpis import (
    catalogue,
    compute_figure,
    figure_query,
    get_kpi,
    record_reported_value,
    set_target,
)

router = APIRouter(prefix="/kpis", tags=["kpis"], route_class=ContractRoute)


@router.get(
    "",
    response_model=list[KpiDefinition],
    responses={**NOT_MODIFIED},
    summary="The KPI catalogue",
    dependencies=[KpiValidated],
)
def list_kpis(
    request: Request,
    response: Response,
    caller: KpiReader,
    session: SessionDep,
    output: OutputFormat = None,
    dialect: LegacyDialect = "standard",
) -> Any:
    """Every KPI: names, definition (Dutch unless `Accept-Language` prefers English), unit,
    which statistic `value` is, which way is better, source events, procedure,
    frequency, owner, breakdowns and target. As a table: `kpi_catalogue_table_read`."""
    language = preferred_language(request.headers.get("accept-language"))
    response.headers["Content-Language"] = language
    entries = _catalogue(session, caller, language)
    if csv_requested(request, output):
        return _catalogue_table(entries, language, dialect)
    return entries


@router.get(
    "/table",
    response_class=Response,
    responses={**csv_table("The catalogue as a CSV table, one row per KPI."), **NOT_MODIFIED},
    summary="The KPI catalogue as a CSV table (for BI tools and generated clients)",
    dependencies=[KpiValidated],
)
def read_catalogue_table(
    request: Request, caller: KpiReader, session: SessionDep, dialect: CsvDialect = "standard"
) -> Response:
    """The catalogue of `kpi_list` as a table, its text in Dutch unless `Accept-Language`
    prefers English (`Content-Language` says which)."""
    language = preferred_language(request.headers.get("accept-language"))
    return _catalogue_table(_catalogue(session, caller, language), language, dialect)


def _catalogue(session: SessionDep, caller: Caller, language: str) -> list[KpiDefinition]:
    return [
        kpi_output.definition_view(kpi, target, language)
        for kpi, target in catalogue(session, caller.municipality)
    ]


def _catalogue_table(entries: list[KpiDefinition], language: str, dialect: Dialect) -> Response:
    text = kpi_table.write_csv(*kpi_table.catalogue_rows(entries), dialect)
    answer = csv_response(text, "kpi_catalogue.csv")
    answer.headers["Content-Language"] = language
    return answer


def parse_group_by(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    names = tuple(part.strip() for part in raw.split(",") if part.strip())
    allowed = (*DIMENSIONS, *TIME_GRAINS)
    problems = [
        InvalidParam(
            name="groupBy", code="enum", reason=f"{name!r} is not one of {', '.join(allowed)}"
        )
        for name in names
        if name not in allowed
    ]
    if sum(name in TIME_GRAINS for name in names) > 1:
        problems.append(
            InvalidParam(
                name="groupBy",
                code="one_time_grain",
                reason=f"at most one of {', '.join(TIME_GRAINS)}",
            )
        )
    problems += [
        InvalidParam(name="groupBy", code="duplicate", reason=f"{name!r} is named twice")
        for name, times in Counter(names).items()
        if times > 1
    ]
    if problems:
        raise InvalidInput("groupBy names unknown or repeated dimensions", invalid_params=problems)
    return names


_DIMENSION = "(" + "|".join(DIMENSIONS) + ")"
_GRAIN = "(" + "|".join(TIME_GRAINS) + ")"
# Dimensions in any order, at most one time grain among them.
GROUP_BY_PATTERN = (
    f"^({_DIMENSION}(,{_DIMENSION})*(,{_GRAIN})?(,{_DIMENSION})*|{_GRAIN}(,{_DIMENSION})*)$"
)


@dataclass(frozen=True)
class FigureRequest:
    start: date
    end: date
    group_by: tuple[str, ...]
    filters: dict[str, Any]
    as_of: date | None

    def query(self, caller: Caller) -> KpiQuery:
        return figure_query(
            self.start, self.end, self.group_by, self.filters, self.as_of, caller.teams
        )


def figure_request(
    start: Annotated[
        IsoDate, Query(alias="from", description="First day, inclusive (local date).")
    ],
    end: Annotated[IsoDate, Query(alias="to", description="Last day, inclusive (local date).")],
    group_by: Annotated[
        str | None,
        Query(
            alias="groupBy",
            description="Comma-separated: any of "
            + ", ".join(DIMENSIONS)
            + ", and at most one of "
            + ", ".join(TIME_GRAINS)
            + "; each at most once. Not every KPI supports every breakdown (see its "
            "catalogue entry).",
            max_length=200,
            pattern=GROUP_BY_PATTERN,
        ),
    ] = None,
    team: Annotated[str | None, Query(max_length=64, pattern=CODE_PATTERN)] = None,
    district: Annotated[str | None, Query(max_length=64, pattern=CODE_PATTERN)] = None,
    domain: LawDomain | None = None,
    channel: Channel | None = None,
    age_band: Annotated[AgeBand | None, Query(alias="ageBand")] = None,
    provision_category: Annotated[
        str | None, Query(alias="provisionCategory", max_length=64, pattern=CODE_PATTERN)
    ] = None,
    professional: Annotated[str | None, Query(max_length=128, pattern=PSEUDONYM_PATTERN)] = None,
    as_of: Annotated[
        IsoDate | None,
        Query(alias="asOf", description="Re-entry: the day windows are judged on (default today)."),
    ] = None,
) -> FigureRequest:
    """The period, breakdown and filters of a figure, shared by its JSON and CSV forms."""
    check_period(start, end)
    filters = {
        "team": team,
        "district": district,
        "domain": domain,
        "channel": channel,
        "ageBand": age_band,
        "provisionCategory": provision_category,
        "professional": professional,
    }
    return FigureRequest(start, end, parse_group_by(group_by), filters, as_of)


Asked = Annotated[FigureRequest, Depends(figure_request)]


@router.get(
    "/{kpiId}",
    response_model=KpiFigure,
    responses={**NOT_MODIFIED, 404: {}},
    summary="One KPI's figures for a period, by group",
    description="The figure as JSON; the same figure as the CSV table a BI tool loads is "
    "`kpi_table_read`.",
    dependencies=[CurrentProjection, KpiValidated],
)
def read_kpi(
    request: Request,
    kpi_id: KpiIdPath,
    caller: KpiReader,
    session: SessionDep,
    settings: SettingsDep,
    cache: FigureCacheDep,
    asked: Asked,
    output: OutputFormat = None,
    dialect: LegacyDialect = "standard",
) -> Any:
    figure = _asked_figure(session, settings, cache, caller, kpi_id, asked)
    body = kpi_output.figure_view(figure, settings.min_cell_size)
    if csv_requested(request, output):
        return _table(body, figure.kpi, dialect)
    return body


@router.get(
    "/{kpiId}/table",
    response_class=Response,
    responses={
        **csv_table(
            "The figure as a CSV table: one row per group, the same columns whatever the data."
        ),
        **NOT_MODIFIED,
        404: {},
    },
    summary="One KPI's figures as a CSV table (for BI tools and generated clients)",
    dependencies=[CurrentProjection, KpiValidated],
)
def read_kpi_table(
    kpi_id: KpiIdPath,
    caller: KpiReader,
    session: SessionDep,
    settings: SettingsDep,
    cache: FigureCacheDep,
    asked: Asked,
    dialect: CsvDialect = "standard",
) -> Response:
    """The same figure as `kpi_read`, as a CSV table: one row per group with
    `period_start`/`period_end`, unit and statistic, the figures and the details
    flattened; the columns depend only on the KPI and `groupBy`. `dialect=excel` for a
    Dutch-locale Excel."""
    figure = _asked_figure(session, settings, cache, caller, kpi_id, asked)
    return _table(kpi_output.figure_view(figure, settings.min_cell_size), figure.kpi, dialect)


def _asked_figure(
    session: SessionDep,
    settings: SettingsDep,
    cache: FigureCacheDep,
    caller: Caller,
    kpi_id: str,
    asked: FigureRequest,
) -> Figure:
    """The figure a reader asked for, within its limits and rounded as it may read it."""
    return compute_figure(
        session,
        caller.municipality,
        kpi_id,
        asked.query(caller),
        settings.min_cell_size,
        cache,
        caller.rounding(settings),
    )


def _table(body: KpiFigure, kpi: Kpi, dialect: Dialect) -> Response:
    text = kpi_table.write_csv(*kpi_table.figure_rows(body, kpi), dialect)
    return csv_response(text, f"{kpi.id}_{body.from_}_{body.to}.csv")


@router.put(
    "/{kpiId}/target",
    response_model=TargetView,
    responses={
        404: {},
        409: {"description": "The baseline period has no figure to derive the target from."},
    },
    summary="Set a target (streefwaarde)",
    dependencies=[CurrentProjection],
)
def put_target(
    kpi_id: KpiIdPath,
    request_body: TargetRequest,
    caller: Admin,
    session: SessionDep,
    settings: SettingsDep,
) -> TargetView:
    """Set the municipality's target for a KPI: a value, or a 0-meting
    (`baselineFrom`/`baselineTo`) plus a `change` (the target is the baseline figure
    plus the change). Figures then say per group whether the target is met."""
    baseline = None
    if request_body.baseline_from and request_body.baseline_to:
        baseline = (request_body.baseline_from, request_body.baseline_to)
    target = set_target(
        session,
        caller.municipality,
        kpi_id,
        value=request_body.value,
        baseline=baseline,
        change=request_body.change,
        note=request_body.note,
        min_cell_size=settings.min_cell_size,
        writer_teams=caller.teams,
    )
    view = kpi_output.target_view(target)
    assert view is not None
    return view


@router.post(
    "/{kpiId}/values",
    response_model=ReportedValueView,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {
            "model": ReportedValueView,
            "description": "Replaced the value for that period and group.",
        },
        404: {},
    },
    summary="Post a reported KPI value (awareness, reachability, cost) for a period",
)
def post_value(
    kpi_id: KpiIdPath,
    request_body: ReportedValueRequest,
    response: Response,
    caller: EventWriter,
    session: SessionDep,
    settings: SettingsDep,
) -> ReportedValueView:
    """Post a value of a reported KPI (cost, awareness, reachability) for a period and optional
    group; a second post for the same period and group replaces it (200). A derived KPI
    takes no posted values (404)."""
    get_kpi(kpi_id)
    row, created = record_reported_value(
        session,
        caller.municipality,
        kpi_id,
        period=(request_body.from_, request_body.to),
        group={str(k): v for k, v in request_body.group.items()},
        value=request_body.value,
        n=request_body.n,
        source=request_body.source,
        writer_teams=caller.teams,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return ReportedValueView(
        kpi=row.kpi_id,
        from_=row.period_from,
        to=row.period_to,
        group={str(k): v for k, v in request_body.group.items()},
        value=row.value,
        n=row.n,
        source=row.source,
        reported_at=row.reported_at,
    )
