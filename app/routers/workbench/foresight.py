"""Foresight in the workbench: the forecast after the last actual month on the pages of the
KPIs with one (three counts, two waiting times) and in the report, and the risk column of
the worklist, each with a short Dutch word on what it is and how reliable it was."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.auth import Caller
from app.deps import SessionDep
from app.domain.foresight import Band, Forecast
from app.domain.foresight.risk import HELD_OUT_DAYS, RiskQuality
from app.domain.kpis.spec import Kpi
from app.errors import NotEnoughData
from app.routers.workbench.charts import Ahead, Chart, Point, band_chart
from app.routers.workbench.present import number, unit_nl
from app.services.figures.cache import FigureCache
from app.services.foresight import (
    RULE_OF,
    ForecastQuery,
    Scope,
    Series,
    forecast_series,
    term_risks,
)
from app.settings import Settings

FORECAST_KPIS = tuple(series.value for series in Series)
SHARE = "share (0..1)"


@dataclass(frozen=True)
class PageForecast:
    """What a page shows of a forecast: the forecast and its words, or why there is none."""

    forecast: Forecast | None
    reliability: list[str]
    chart: Chart | None = None


def page_forecast(
    session: SessionDep,
    caller: Caller,
    kpi_id: str,
    settings: Settings,
    cache: FigureCache | None,
    today: date,
) -> PageForecast | None:
    """The reader's forecast of a KPI (None where there is none to show at all)."""
    if not settings.foresight or kpi_id not in FORECAST_KPIS:
        return None
    query = ForecastQuery(Series(kpi_id), today, Scope(caller.teams))
    try:
        made = forecast_series(session, caller.municipality, query, settings.min_cell_size, cache)
    except NotEnoughData:
        return PageForecast(None, [NO_FORECAST])
    return PageForecast(made, reliability_nl(made))


def with_chart(
    shown: PageForecast, history: list[Point], unit: str, size: tuple[int, int] = (640, 260)
) -> PageForecast:
    if shown.forecast is None:
        return shown
    ahead = [
        Ahead(
            item.label,
            item.expected,
            (item.band80.low, item.band80.high),
            (item.band95.low, item.band95.high),
        )
        for item in shown.forecast.months
    ]
    chart = band_chart(history, ahead, unit, size)
    return PageForecast(shown.forecast, shown.reliability, chart)


NO_FORECAST = (
    "Nog geen verwachting: daarvoor zijn minstens 24 volledige maanden nodig (twee jaar, om "
    "het seizoen te zien en de voorspelling achteraf te toetsen), met per maand genoeg "
    "trajecten. Liever geen verwachting dan een gok."
)


def reliability_nl(made: Forecast) -> list[str]:
    """What the forecast is and how well it did, in a few sentences."""
    test = made.backtest
    beat = "beter" if test.mase < 1 else "niet beter"
    words = [
        "Wat dit is: een statistische verwachting uit de eigen cijfers van "
        f"{made.history_from} tot en met {made.history_to} ({made.history_months} maanden), "
        "met trend en seizoen. De banden geven aan waar de werkelijkheid met 80% (donker) "
        "en 95% (licht) kans komt te liggen, als de komende maanden zich gedragen als de "
        "afgelopen jaren. Nieuw beleid, een wachtlijst of een wetswijziging ziet het model niet.",
        f"Hoe betrouwbaar: achteraf getoetst over de laatste {test.origins} maanden zat de "
        f"verwachting gemiddeld {number(test.mean_absolute_error)} naast de werkelijkheid, "
        f"{beat} dan 'dezelfde maand een jaar eerder' (MASE {number(test.mase, digits=2)}), "
        f"en lag de werkelijkheid in {number(test.coverage80, SHARE, 0)} van de gevallen "
        "binnen de 80%-band.",
    ]
    if not test.skill:
        words.append(
            "Let op: deze reeks toont geen patroon dat het model kan benutten. Lees de "
            "verwachting als het recente niveau met zijn gewone schommeling, niet als "
            "voorspelling."
        )
    return words


@dataclass(frozen=True)
class WorklistRisks:
    """The risk per (trajectory, rule) of the open terms, and the words that explain it."""

    by_term: dict[tuple[str, str], float]
    explanation: str

    def of(self, trajectory_id: str, rule: str) -> float | None:
        return self.by_term.get((trajectory_id, rule))


def worklist_risks(
    session: SessionDep,
    caller: Caller,
    settings: Settings,
    cache: FigureCache | None,
    today: date,
) -> WorklistRisks | None:
    if not settings.foresight:
        return None
    try:
        found = term_risks(session, caller.municipality, caller.teams, today, cache)
    except NotEnoughData:
        return WorklistRisks({}, NO_RISK)
    by_term: dict[tuple[str, str], float] = {}
    for risk in found.risks:  # a trajectory's riskiest application stands for its rule
        key = (risk.term.trajectory_id, RULE_OF[risk.term.kind])
        by_term[key] = max(risk.risk, by_term.get(key, 0.0))
    return WorklistRisks(by_term, risk_nl(found.model.quality))


NO_RISK = (
    "Kans te laat: nog niet te berekenen, er zijn te weinig afgeronde termijnen om van te leren."
)


def risk_nl(quality: RiskQuality) -> str:
    verdict = (
        "beter dan steeds het gemiddelde noemen"
        if quality.beats_base_rate
        else "niet beter dan steeds het gemiddelde noemen: lees de kans met voorzichtigheid"
    )
    return (
        "Kans te laat: de kans dat een lopende termijn wordt overschreden, geleerd uit de "
        "eigen afgeronde termijnen van de gemeente. Alleen procesgegevens tellen mee (soort "
        "termijn, domein, hoeveel van de termijn nog over is, welke stappen gedaan zijn), "
        "nooit iets over de inwoner. Getoetst op de termijnen van de laatste "
        f"{HELD_OUT_DAYS} dagen: Brier-score {number(quality.brier, digits=3)} tegen "
        f"{number(quality.brier_base_rate, digits=3)} (lager is beter), {verdict}. Een kans "
        "is een hulpmiddel om te kiezen waar je eerst kijkt, geen oordeel over een dossier."
    )


def risk_text(risk: float | None) -> str:
    return "\N{EN DASH}" if risk is None else number(risk, SHARE, 0)


def expected_rows(made: Forecast, unit: str) -> list[dict[str, Any]]:
    """The forecast as table rows: period, expected, 80% band, 95% band."""
    return [
        {
            "period": item.label,
            "expected": number(item.expected, unit, 0),
            "band80": _span(item.band80, unit),
            "band95": _span(item.band95, unit),
        }
        for item in [*made.months, made.tertial]
    ]


def _span(band: Band, unit: str) -> str:
    return f"{number(band.low, unit, 0)} tot {number(band.high, unit, 0)}"


def report_row(kpi: Kpi, shown: PageForecast) -> dict[str, Any]:
    """The next tertial of a forecast KPI as the report shows it: expected, its 80% band, its
    picture, and how the forecast did in its backtest (or why there is none)."""
    made = shown.forecast
    row: dict[str, Any] = {"kpi": kpi, "forecast": made, "chart": shown.chart}
    if made is not None:
        test = made.backtest
        row["tested"] = (
            f"MASE {number(test.mase, digits=2)}; {number(test.coverage80, SHARE, 0)} "
            "binnen de 80%-band" + ("" if test.skill else "; geen patroon: recent niveau")
        )
        unit = unit_nl(kpi.unit)
        row["expected"] = f"{number(made.tertial.expected, '', 0)} {unit}"
        row["band80"] = f"{_span(made.tertial.band80, '')} {unit}"
    return row
