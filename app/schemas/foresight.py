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
    kpi_id: str = Field(description="The KPI forecast, counted as the KPI counts it.")
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


class ReliabilityBandView(ApiModel):
    low: float
    high: float
    predicted: float = Field(description="Mean predicted risk of the held-out examples here.")
    observed: float = Field(description="Share of them that were missed.")
    examples: int


class RiskQualityView(ApiModel):
    held_out_days: int = Field(
        description="The model was tested on the terms due in these last days, fitted on "
        "those due before them."
    )
    examples: int
    base_rate: float = Field(description="Share missed among the examples it was fitted on.")
    brier: float = Field(description="Mean squared error of the predicted risks (0 is perfect).")
    brier_base_rate: float = Field(description="The same for always predicting the base rate.")
    beats_base_rate: bool
    reliability: list[ReliabilityBandView]


class RiskModelView(ApiModel):
    method: str
    predictors: list[str] = Field(
        description="Process facts only; nothing about the resident (no age band, district, "
        "channel)."
    )
    examples: int
    missed_share: float
    quality: RiskQualityView


class TermRiskView(ApiModel):
    trajectory_id: str
    kind: str = Field(description="assessment (onderzoek) or decision (beschikking).")
    rule: str = Field(description="The audit rule the worklist shows this term under.")
    team: str | None
    started_on: date
    due_on: date
    risk: float = Field(description="Probability that the term will be missed (0 to 1).")


class TermRiskPage(ApiModel):
    as_of: date
    model: RiskModelView
    total: int = Field(description="Open terms in scope; `results` holds the riskiest `limit`.")
    results: list[TermRiskView]
