"""Foresight: forecasts of monthly volumes and the risk that open terms are missed, from the
projection's tables, computed by the models in `app/domain/foresight/`.

- `series`: the monthly series of a volume (`Volume`) in a `Scope`, as its KPI counts it.
- `forecasts`: `forecast_volume`, cached in the figure cache like a figure.
- `risks`: `term_risks`, every open term with its risk of being missed (the model is
  learned from the whole municipality's known outcomes and cached; `RULE_OF` maps a
  term's kind to the audit rule the worklist shows it under).
"""

from app.services.foresight.forecasts import ForecastQuery, forecast_volume
from app.services.foresight.risks import RULE_OF, OpenTermRisk, TermRisks, term_risks
from app.services.foresight.series import Scope, Volume

__all__ = [
    "RULE_OF",
    "ForecastQuery",
    "OpenTermRisk",
    "Scope",
    "TermRisks",
    "Volume",
    "forecast_volume",
    "term_risks",
]
