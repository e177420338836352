"""GET /forecasts/{kpiId}: what the coming months will bring; GET /term-risks: which open
terms are likely to be missed; each with how reliable it was."""

from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from app.auth import Auditor, Caller, KpiReader
from app.deps import CurrentProjection, FigureCacheDep, SessionDep, SettingsDep
from app.domain.calendar import local_today
from app.domain.foresight import Expected, Forecast
from app.domain.foresight.risk import FEATURES, HELD_OUT_DAYS
from app.domain.vocabulary import LawDomain
from app.errors import Forbidden, NotFound
from app.routers.freshness import NOT_MODIFIED, KpiValidated
from app.routers.params import KpiIdPath
from app.routers.route import ContractRoute
from app.routers.tables import CsvDialect, csv_response, csv_table
from app.schemas import kpi_table
from app.schemas.base import CODE_PATTERN, IsoDate
from app.schemas.foresight import (
    BacktestView,
    BandView,
    ExpectedView,
    ForecastView,
    ReliabilityBandView,
    RiskModelView,
    RiskQualityView,
    TermRiskPage,
    TermRiskView,
)
from app.services.figures.cache import FigureCache
from app.services.foresight import (
    ForecastQuery,
    Scope,
    Series,
    TermRisks,
    forecast_series,
    term_risks,
)


def switched_on(settings: SettingsDep) -> None:
    if not settings.foresight:
        raise NotFound("forecasts and term risks are switched off in this installation")


router = APIRouter(
    tags=["foresight"], route_class=ContractRoute, dependencies=[Depends(switched_on)]
)

SWITCHED_OFF = {"description": "Switched off in this installation (setting FORESIGHT)."}
TOO_LITTLE: dict[int | str, dict[str, Any]] = {
    404: {"description": "No forecast of this KPI, or switched off (setting FORESIGHT)."},
    422: {
        "description": "Too little history (under 24 complete months), or too few a month, "
        "to forecast: no forecast rather than a guess."
    },
}
FORECASTS = ", ".join(series.value for series in Series)


def forecast_query(
    kpi_id: KpiIdPath,
    caller: KpiReader,
    as_of: Annotated[
        IsoDate | None,
        Query(
            alias="asOf",
            description="Forecast from the month after the last complete one before this "
            "day (default today).",
        ),
    ] = None,
    team: Annotated[str | None, Query(max_length=64, pattern=CODE_PATTERN)] = None,
    domain: Annotated[LawDomain | None, Query()] = None,
) -> ForecastQuery:
    if kpi_id not in {series.value for series in Series}:
        raise NotFound(f"no forecast of {kpi_id!r}: there are forecasts of {FORECASTS}")
    _own_team(caller, team)
    scope = Scope(caller.teams, team, domain.value if domain else None)
    return ForecastQuery(Series(kpi_id), as_of or local_today(), scope)


def _own_team(caller: Caller, team: str | None) -> None:
    if team is not None and caller.teams is not None and team not in caller.teams:
        raise Forbidden(f"this client reads its own teams only ({', '.join(caller.teams)})")


Asked = Annotated[ForecastQuery, Depends(forecast_query)]


@router.get(
    "/forecasts/{kpiId}",
    response_model=ForecastView,
    responses={**NOT_MODIFIED, **TOO_LITTLE},
    summary="A KPI's forecast, with its backtest",
    description="The forecast of inflow, outflow, caseload (a month's count; a tertial the "
    "sum of its months), waiting_time_intake or waiting_time_support (a month's median days; "
    "a tertial the mean of its months); any other KPI: 404. "
    "The next three months and the next tertial, each with 80 % and 95 % bands, "
    "the model, the history it used and how it did in a rolling backtest on the same series. "
    "As a CSV table: `forecast_table_read`.",
    dependencies=[CurrentProjection, KpiValidated],
)
def read_forecast(
    caller: KpiReader,
    session: SessionDep,
    settings: SettingsDep,
    cache: FigureCacheDep,
    asked: Asked,
) -> ForecastView:
    made = forecast_series(session, caller.municipality, asked, settings.min_cell_size, cache)
    return forecast_view(asked, made)


@router.get(
    "/forecasts/{kpiId}/table",
    response_class=Response,
    responses={
        **csv_table("One row per forecast period (three months, then the tertial)."),
        **NOT_MODIFIED,
        **TOO_LITTLE,
    },
    summary="A forecast as a CSV table (for BI tools)",
    dependencies=[CurrentProjection, KpiValidated],
)
def read_forecast_table(
    caller: KpiReader,
    session: SessionDep,
    settings: SettingsDep,
    cache: FigureCacheDep,
    asked: Asked,
    dialect: CsvDialect = "standard",
) -> Response:
    """The same forecast as `forecast_read`: per period its bounds, the expected value and
    both bands, and on every row the model's backtest (MASE, coverage, skill)."""
    made = forecast_series(session, caller.municipality, asked, settings.min_cell_size, cache)
    columns, rows = forecast_rows(asked, made)
    text = kpi_table.write_csv(columns, rows, dialect)
    return csv_response(text, f"forecast_{asked.series.value}_{asked.as_of}.csv")


def forecast_view(asked: ForecastQuery, made: Forecast) -> ForecastView:
    test = made.backtest
    return ForecastView(
        kpi_id=asked.series.value,
        team=asked.scope.team,
        domain=asked.scope.domain,
        as_of=asked.as_of,
        model=made.model,
        history_from=made.history_from,
        history_to=made.history_to,
        history_months=made.history_months,
        months=[_expected_view(item) for item in made.months],
        tertial=_expected_view(made.tertial),
        backtest=BacktestView(
            origins=test.origins,
            points=test.points,
            mase=round(test.mase, 3),
            coverage80=round(test.coverage80, 3),
            coverage95=round(test.coverage95, 3),
            mean_absolute_error=round(test.mean_absolute_error, 2),
            mean_forecast_error=round(test.mean_forecast_error, 2),
            skill=test.skill,
        ),
    )


def _expected_view(item: Expected) -> ExpectedView:
    return ExpectedView(
        period=item.label,
        start=item.start,
        end=item.end,
        expected=round(item.expected, 1),
        band80=BandView(low=round(item.band80.low, 1), high=round(item.band80.high, 1)),
        band95=BandView(low=round(item.band95.low, 1), high=round(item.band95.high, 1)),
    )


FORECAST_COLUMNS = [
    "kpi_id", "period", "period_start", "period_end", "expected", "band80_low", "band80_high",
    "band95_low", "band95_high", "model", "history_months", "backtest_mase",
    "backtest_coverage80", "skill",
]  # fmt: skip


def forecast_rows(asked: ForecastQuery, made: Forecast) -> tuple[list[str], list[dict[str, Any]]]:
    view = forecast_view(asked, made)
    rows = [
        {
            "kpi_id": view.kpi_id,
            "period": item.period,
            "period_start": item.start,
            "period_end": item.end,
            "expected": item.expected,
            "band80_low": item.band80.low,
            "band80_high": item.band80.high,
            "band95_low": item.band95.low,
            "band95_high": item.band95.high,
            "model": view.model,
            "history_months": view.history_months,
            "backtest_mase": view.backtest.mase,
            "backtest_coverage80": view.backtest.coverage80,
            "skill": view.backtest.skill,
        }
        for item in [*view.months, view.tertial]
    ]
    return FORECAST_COLUMNS, rows


RISK_COLUMNS = ["trajectory_id", "kind", "rule", "team", "started_on", "due_on", "risk"]
TOO_FEW_TERMS: dict[int | str, dict[str, Any]] = {
    404: SWITCHED_OFF,
    422: {"description": "Too few terms with a known outcome to learn or test the model on."},
}
RiskKind = Literal["assessment", "decision"]


@dataclass(frozen=True)
class RiskQuery:
    as_of: date
    team: str | None
    kind: str | None
    limit: int


def risk_query(
    caller: Auditor,
    as_of: Annotated[
        IsoDate | None,
        Query(alias="asOf", description="The day the risks are for (default today)."),
    ] = None,
    team: Annotated[str | None, Query(max_length=64, pattern=CODE_PATTERN)] = None,
    kind: Annotated[RiskKind | None, Query(description="Only this kind of term.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="The riskiest this many.")] = 100,
) -> RiskQuery:
    _own_team(caller, team)
    return RiskQuery(as_of or local_today(), team, kind, limit)


AskedRisks = Annotated[RiskQuery, Depends(risk_query)]


@router.get(
    "/term-risks",
    response_model=TermRiskPage,
    responses={**TOO_FEW_TERMS},
    summary="The risk that each open assessment and decision term is missed",
    description="Open terms (running, not yet due) with the probability that they will be "
    "missed, the riskiest first, learned from this municipality's terms with a known "
    "outcome from process facts only (never anything about the resident), with the model's "
    "held-out quality. Case-level: logged. As a CSV table: `term_risk_table_read`.",
    dependencies=[CurrentProjection],
)
def read_term_risks(
    caller: Auditor, session: SessionDep, cache: FigureCacheDep, asked: AskedRisks
) -> TermRiskPage:
    return term_risk_page(asked, _risks(session, caller, cache, asked))


@router.get(
    "/term-risks/table",
    response_class=Response,
    responses={**csv_table("One row per open term, the riskiest first."), **TOO_FEW_TERMS},
    summary="The risks of open terms as a CSV table",
    dependencies=[CurrentProjection],
)
def read_term_risk_table(
    caller: Auditor,
    session: SessionDep,
    cache: FigureCacheDep,
    asked: AskedRisks,
    dialect: CsvDialect = "standard",
) -> Response:
    """The same terms as `term_risk_read`, one row each (case-level: logged)."""
    page = term_risk_page(asked, _risks(session, caller, cache, asked))
    rows = [
        {
            "trajectory_id": r.trajectory_id,
            "kind": r.kind,
            "rule": r.rule,
            "team": r.team,
            "started_on": r.started_on,
            "due_on": r.due_on,
            "risk": r.risk,
        }
        for r in page.results
    ]
    text = kpi_table.write_csv(RISK_COLUMNS, rows, dialect)
    return csv_response(text, f"term_risks_{asked.as_of}.csv")


def _risks(
    session: SessionDep, caller: Caller, cache: FigureCache | None, asked: RiskQuery
) -> TermRisks:
    """The open terms asked for; the trajectories shown are logged."""
    found = term_risks(session, caller.municipality, caller.teams, asked.as_of, cache)
    chosen = [
        r
        for r in found.risks
        if (asked.team is None or r.team == asked.team)
        and (asked.kind is None or r.term.kind == asked.kind)
    ]
    caller.log_read(
        session, sorted({r.term.trajectory_id for r in chosen[: asked.limit]}), with_query=True
    )
    return replace(found, risks=chosen)


def term_risk_page(asked: RiskQuery, found: TermRisks) -> TermRiskPage:
    model, quality = found.model, found.model.quality
    return TermRiskPage(
        as_of=asked.as_of,
        model=RiskModelView(
            method="logistic regression (statsmodels GLM, binomial, ridge-penalised) on weekly "
            "snapshots of the municipality's terms with a known outcome",
            predictors=list(FEATURES),
            examples=model.examples,
            missed_share=round(model.missed_share, 4),
            quality=RiskQualityView(
                held_out_days=HELD_OUT_DAYS,
                examples=quality.examples,
                base_rate=round(quality.base_rate, 4),
                brier=round(quality.brier, 4),
                brier_base_rate=round(quality.brier_base_rate, 4),
                beats_base_rate=quality.beats_base_rate,
                reliability=[
                    ReliabilityBandView(
                        low=band.low,
                        high=band.high,
                        predicted=round(band.predicted, 3),
                        observed=round(band.observed, 3),
                        examples=band.examples,
                    )
                    for band in quality.reliability
                ],
            ),
        ),
        total=len(found.risks),
        results=[
            TermRiskView(
                trajectory_id=r.term.trajectory_id,
                kind=r.term.kind,
                rule=r.rule,
                team=r.team,
                started_on=r.term.started_on,
                due_on=r.term.due_on,
                risk=round(r.risk, 3),
            )
            for r in found.risks[: asked.limit]
        ],
    )
