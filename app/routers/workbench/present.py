"""How the workbench writes figures for Dutch readers: decimal comma, shares as
percentages, units, directions and statuses in Dutch. Registered as template filters."""

from collections.abc import Iterable
from typing import Any

from app.domain.audit import RULES
from app.domain.dutch import in_dutch
from app.domain.kpis.spec import Count, Kpi, OpenAt

UNITS_NL = {
    "days": "dagen",
    "share (0..1)": "%",
    "EUR": "euro",
    "hours per trajectory": "uur per traject",
    "trajectories": "trajecten",
    "closures": "afsluitingen",
    "per 100 trajectories": "per 100 trajecten",
}
VALUE_IS_NL = {"value": "waarde", "median": "mediaan", "mean": "gemiddelde"}
DIRECTIONS_NL = {
    "higher_is_better": "hoger is beter",
    "lower_is_better": "lager is beter",
    "neutral": "geen richting",
}
STATUSES_NL = {
    "pass": "gehaald",
    "fail": "niet gehaald",
    "pending": "loopt",
    "not_applicable": "n.v.t.",
}
RULE_TITLES = {rule.id: rule.title_nl for rule in RULES}
# What moved a due date, as the trajectory page says it (the legal source follows it).
ADJUSTMENTS_NL = {
    "suspension": "opgeschort",
    "verdaging": "verdaagd",
    "algemene_termijnenwet": "de uiterste datum viel op een dag die niet telt",
    "atw_art_2": "een termijn van drie dagen of meer houdt minstens twee werkdagen",
}


def is_share(kpi: Kpi) -> bool:
    return kpi.unit == "share (0..1)"


def number(value: float | None, unit: str = "", digits: int = 1) -> str:
    """12,3 · 12,3% for a share · a dash for no value; whole numbers without decimals."""
    if value is None:
        return "\N{EN DASH}"
    if unit == "share (0..1)":
        return f"{value * 100:.{digits}f}".replace(".", ",") + "%"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def difference(value: float | None, unit: str = "") -> str:
    """A change as written beside a value: +5 procentpunt for a share, +0,05 otherwise,
    to the digits it was given (a change of 0,05 was shown as 0,1)."""
    if value is None:
        return "\N{EN DASH}"
    if unit == "share (0..1)":
        points = f"{value * 100:+.2f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{points} procentpunt"
    text = f"{value:+.6f}".rstrip("0").rstrip(".")
    whole, _, decimals = text.partition(".")
    grouped = f"{int(whole):+,}".replace(",", ".")
    return f"{grouped},{decimals}" if decimals else grouped


def is_count(kpi: Kpi) -> bool:
    """A KPI whose value is its n (inflow, caseload): its n column would repeat it."""
    return isinstance(kpi.measure, Count | OpenAt)


def unit_nl(unit: str) -> str:
    return UNITS_NL.get(unit, unit)


def series_text(rows: Iterable[Any], unit: str, min_cell_size: int) -> str:
    """A series read out (a chart's text alternative): '2026-01 12; 2026-02 < 5; ...'."""
    return "; ".join(
        f"{row.label} {f'< {min_cell_size}' if row.suppressed else number(row.value, unit)}"
        for row in rows
    )


def filters() -> dict[str, Any]:
    return {
        "getal": number,
        "eenheid": unit_nl,
        "verschil": difference,
        "telling": is_count,
        "richting": lambda d: DIRECTIONS_NL.get(str(d), str(d)),
        "waarde_is": lambda v: VALUE_IS_NL.get(v, v),
        "uitkomst": lambda s: STATUSES_NL.get(str(s), str(s)),
        "regel": lambda r: RULE_TITLES.get(r, r),
        "nl": in_dutch,
        "als_tekst": series_text,
        "aanpassing": lambda kind: ADJUSTMENTS_NL.get(kind, kind),
        "verandering": lambda word: CHANGES_NL.get(word, word),
    }


CHANGES_NL = {"better": "beter", "worse": "slechter", "up": "hoger", "down": "lager"}
