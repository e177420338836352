"""Foresight: what the coming months will bring (`forecast`) and which open terms are
likely to be missed (`risk`). Plain Python over plain data, with statsmodels' models;
what others use is re-exported here."""

from app.domain.foresight.forecast import (
    MIN_MONTHS,
    MODEL,
    Backtest,
    Band,
    Expected,
    Forecast,
    TooLittleHistory,
    forecast,
)

__all__ = [
    "MIN_MONTHS",
    "MODEL",
    "Backtest",
    "Band",
    "Expected",
    "Forecast",
    "TooLittleHistory",
    "forecast",
]
