"""Foresight: forecasts of monthly volumes and the risk that open terms are missed, from the
projection's tables, computed by the models in `app/domain/foresight/`.

- `series`: the monthly series of a volume (`Volume`) in a `Scope`, as its KPI counts it.
- `forecasts`: `forecast_volume`, cached in the figure cache like a figure.
"""

from app.services.foresight.forecasts import ForecastQuery, forecast_volume
from app.services.foresight.series import Scope, Volume

__all__ = ["ForecastQuery", "Scope", "Volume", "forecast_volume"]
