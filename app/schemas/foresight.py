"""Forecasts and term risks on the wire."""

from datetime import date

from pydantic import Field

from app.schemas.base import ApiModel


class BandView(ApiModel):
    low: float = Field(description="Lower bound (never below zero).")
    high: float


class ExpectedView(ApiModel):
    period: str = Field(description='The month ("2026-11") or tertial ("2027-T1").')
    start: date
    end: date
    expected: float = Field(description="The median of the simulated futures.")
    band80: BandView = Field(description="Where 80 % of the simulated futures fall.")
    band95: BandView = Field(description="Where 95 % of the simulated futures fall.")


class BacktestView(ApiModel):
    origins: int = Field(
        description="Months at which the model was refitted on what was known then."
    )
    points: int = Field(description="Forecasts 1 to 3 months ahead compared with what happened.")
    mase: float = Field(
        description="Mean absolute error scaled by the in-sample seasonal naive forecast's "
        "(the same month a year earlier): below 1 beats it."
    )
    coverage80: float = Field(description="Share of backtest points inside their 80 % band.")
    coverage95: float = Field(description="Share of backtest points inside their 95 % band.")
    mean_absolute_error: float
    mean_forecast_error: float = Field(
        description="The mean absolute error of forecasting the history's mean, for comparison."
    )
    skill: bool = Field(
        description="Whether the model beat both the seasonal naive forecast and the history's "
        "mean (by 10 %): false means the series shows no pattern the model could use; read the "
        "forecast as the recent level, no more."
    )


class ForecastView(ApiModel):
    volume: str = Field(description="inflow, outflow or caseload, counted as the KPI counts it.")
    team: str | None
    domain: str | None
    as_of: date
    model: str
    history_from: date
    history_to: date
    history_months: int
    months: list[ExpectedView] = Field(description="The next three months.")
    tertial: ExpectedView = Field(description="The next whole tertial (sum of its months).")
    backtest: BacktestView
