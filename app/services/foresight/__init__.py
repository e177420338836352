"""Foresight: forecasts of KPIs' monthly series and the risk that open terms are missed, from the
projection's tables, computed by the models in `app/domain/foresight/`.

- `series`: the monthly series of a KPI with a forecast (`Series`: three counts, two waiting
  times) in a `Scope`, as the KPI counts it.
- `forecasts`: `forecast_series`, cached in the figure cache like a figure.
- `risks`: `term_risks`, every open term with its risk of being missed (the model is
  learned from the whole municipality's known outcomes and cached; `RULE_OF` maps a
  term's kind to the audit rule the worklist shows it under).
"""

from app.services.foresight.forecasts import ForecastQuery, forecast_series
from app.services.foresight.risks import RULE_OF, OpenTermRisk, TermRisks, term_risks
from app.services.foresight.series import Scope, Series

__all__ = [
    "RULE_OF",
    "ForecastQuery",
    "OpenTermRisk",
    "Scope",
    "Series",
    "TermRisks",
    "forecast_series",
    "term_risks",
]
