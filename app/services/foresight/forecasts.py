"""Forecasts of inflow, outflow and caseload for a municipality, a team or a domain,
kept in the figure cache like a figure (until an event, a setting or the day changes)."""

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import orjson
from sqlalchemy.orm import Session

from app.domain.foresight import (
    MIN_MONTHS,
    Backtest,
    Band,
    Expected,
    Forecast,
    TooLittleHistory,
    forecast,
)
from app.errors import NotEnoughData
from app.services.figures.cache import FigureCache
from app.services.foresight.series import Scope, Series, monthly_series


@dataclass(frozen=True)
class ForecastQuery:
    series: Series
    as_of: date  # forecasts start with the month after the last complete one before it
    scope: Scope


def last_complete_month_end(as_of: date) -> date:
    return as_of.replace(day=1) - timedelta(days=1)


def forecast_series(
    session: Session,
    municipality: str,
    query: ForecastQuery,
    min_cell_size: int,
    cache: FigureCache | None,
) -> Forecast:
    def compute() -> bytes:
        return orjson.dumps(asdict(_computed(session, municipality, query, min_cell_size)))

    if cache is None:
        return _restored(orjson.loads(compute()))
    key = cache.key(session, municipality, "forecast", asdict(query), min_cell_size)
    return _restored(orjson.loads(cache.fetch(key, compute)))


def _computed(
    session: Session, municipality: str, query: ForecastQuery, min_cell_size: int
) -> Forecast:
    last_day = last_complete_month_end(query.as_of)
    first, values = monthly_series(
        session, municipality, query.series, query.scope, last_day, min_cell_size
    )
    try:
        if query.series.is_count and values and max(values[-MIN_MONTHS:]) < min_cell_size:
            # a handful a month is no series to model, and its forecast would be a
            # statement about a handful of residents
            raise NotEnoughData(
                f"fewer than {min_cell_size} a month ({query.series.value}): too few to "
                "forecast; choose a wider scope (the municipality, or no domain)"
            )
        return forecast(first, values, summed=query.series.is_count)
    except TooLittleHistory as short:
        raise NotEnoughData(
            f"{short.months} complete months of {query.series.value} up to {last_day}; a "
            f"forecast needs {MIN_MONTHS} (two years, for the season and a backtest): no "
            "forecast rather than a guess"
        ) from None


def _restored(plain: dict[str, Any]) -> Forecast:
    def expected(item: dict[str, Any]) -> Expected:
        return Expected(
            label=item["label"],
            start=date.fromisoformat(item["start"]),
            end=date.fromisoformat(item["end"]),
            expected=item["expected"],
            band80=Band(**item["band80"]),
            band95=Band(**item["band95"]),
        )

    return Forecast(
        model=plain["model"],
        history_from=date.fromisoformat(plain["history_from"]),
        history_to=date.fromisoformat(plain["history_to"]),
        history_months=plain["history_months"],
        months=tuple(expected(item) for item in plain["months"]),
        tertial=expected(plain["tertial"]),
        backtest=Backtest(**plain["backtest"]),
    )
