"""KPI figures as tables for BI tools (Power BI, Excel, pandas, DuckDB).

A table's columns depend on the KPI and the request only, never on the data: a refresh
that finds another mix of close reasons, or a suppressed cell, keeps its schema. Counts are
written as integers; each row carries its period's first and last day beside any label;
unit and what the value is stand in every row. The Excel dialect (`;`, decimal comma,
WAAR/ONWAAR, a UTF-8 byte order mark) opens in one click in a Dutch-locale Excel.
docs/bi.md lists every column with its type.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Literal

from app.domain.kpis.disclosure import BREAKDOWN_CATEGORIES, protect
from app.domain.kpis.figures import (
    DIMENSIONS,
    Cell,
    DurationStats,
    ItemTally,
    goals_cell,
    period_bounds,
    satisfaction_cell,
)
from app.domain.kpis.spec import (
    SATISFACTION_COLUMNS,
    Complaints,
    Count,
    GoalAttainment,
    Kpi,
    Measure,
    Reentry,
    Reported,
    Satisfaction,
)
from app.schemas.kpis import KpiDefinition, KpiFigure, KpiGroup

Dialect = Literal["standard", "excel"]

FIGURES = (
    "n",
    "value",
    "numerator",
    "denominator",
    "mean",
    "median",
    "p90",
    "target",
    "target_met",
    "suppressed",
)
# The long table of every KPI: one shape for all of them.
LONG_FIGURES = ("n", "value", "mean", "median", "p90", "target", "suppressed")


def detail_template(measure: Measure) -> dict[str, Any]:
    """Every detail a cell of this measure can carry: built by the same cell builders the
    interpreters use and passed through the same disclosure control, so the columns follow
    what the figures hold (a mismatch fails write_csv loudly in the tests)."""
    breakdown = measure.breakdown if isinstance(measure, Count) else None
    match measure:
        case Count(breakdown=str(name)):
            extra: dict[str, Any] = {"breakdown": dict.fromkeys(BREAKDOWN_CATEGORIES[name], 0)}
        case Satisfaction():
            tallies = {item: ItemTally(0, 0, 0) for item in SATISFACTION_COLUMNS}
            extra = satisfaction_cell({}, 0, tallies, 0).extra
        case GoalAttainment():
            extra = goals_cell({}, 0, 0, 0, 0).extra
        case Complaints():
            extra = {"resolution": DurationStats(0, None, None, None)}
        case Reentry():
            extra = {"pending": 0}
        case Reported():
            extra = {"source": ""}
        case _:
            extra = {}
    (shown,) = protect([Cell(key={}, n=1, extra=extra)], 1, breakdown)
    return shown.extra


def snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def _flatten(prefix: str, value: Any, into: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flatten(f"{prefix}_{snake(str(key))}" if prefix else snake(str(key)), inner, into)
    else:
        into[prefix] = value


def _group_columns(kpi: Kpi, group_by: Sequence[str]) -> list[str]:
    if isinstance(kpi.measure, Reported):
        # A reported value may come per any dimension; every one has its column.
        return list(DIMENSIONS)
    return [g for g in group_by if g in DIMENSIONS]


def _grain(group_by: Sequence[str]) -> str | None:
    return next((g for g in group_by if g not in DIMENSIONS), None)


def _bounds(group: KpiGroup, grain: str | None, start: date, end: date) -> tuple[date, date]:
    """The days a row covers: its time-grain period (or reported period) inside the query's."""
    reported = group.key.get("period")
    if reported:
        first, last = reported.split("/")
        return date.fromisoformat(first), date.fromisoformat(last)
    label = group.key.get(grain) if grain else None
    if not label:
        return start, end
    first_day, last_day = period_bounds(label, grain or "")
    return max(first_day, start), min(last_day, end)


def figure_rows(figure: KpiFigure, kpi: Kpi) -> tuple[list[str], list[dict[str, Any]]]:
    grain = _grain(figure.group_by)
    groups = _group_columns(kpi, figure.group_by)
    details: dict[str, Any] = {}
    _flatten("", detail_template(kpi.measure), details)
    columns = [
        "kpi",
        "name",
        "unit",
        "value_is",
        "period_start",
        "period_end",
        *([grain] if grain else []),
        *(snake(g) for g in groups),
        *FIGURES,
        *details,
    ]
    rows = []
    for group in figure.groups:
        period_start, period_end = _bounds(group, grain, figure.from_, figure.to)
        row: dict[str, Any] = {
            "kpi": figure.kpi,
            "name": figure.name,
            "unit": figure.unit,
            "value_is": figure.value_is,
            "period_start": period_start,
            "period_end": period_end,
        }
        if grain:
            row[grain] = group.key.get(grain)
        row.update({snake(g): group.key.get(g) for g in groups})
        row.update({name: getattr(group, name) for name in FIGURES})
        _flatten("", group.details.model_dump(by_alias=True, exclude_unset=True), row)
        rows.append(row)
    return columns, rows


def long_rows(
    figures: Iterable[tuple[KpiFigure, Kpi]], group_by: Sequence[str]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Every KPI of a period in one table: kpi, period, group keys, the common figures."""
    grain = _grain(group_by)
    groups = [g for g in group_by if g in DIMENSIONS]
    columns = [
        "kpi",
        "unit",
        "value_is",
        "period_start",
        "period_end",
        *([grain] if grain else []),
        *(snake(g) for g in groups),
        *LONG_FIGURES,
    ]
    rows = []
    for figure, kpi in figures:
        for row in figure_rows(figure, kpi)[1]:
            rows.append({c: row.get(c) for c in columns})
    return columns, rows


CATALOGUE_COLUMNS = (
    "id",
    "name",
    "name_nl",
    "name_en",
    "type",
    "unit",
    "value_is",
    "direction",
    "definition",
    "definition_nl",
    "definition_en",
    "frequency",
    "owner",
    "derived",
    "breakdowns",
    "time_series",
    "target",
)


def catalogue_rows(entries: Iterable[KpiDefinition]) -> tuple[list[str], list[dict[str, Any]]]:
    rows = [
        {
            "id": e.id,
            "name": e.name,
            "name_nl": e.name_nl,
            "name_en": e.name_en,
            "type": e.type,
            "unit": e.unit,
            "value_is": e.value_is,
            "direction": e.direction,
            "definition": e.definition,
            "definition_nl": e.definition_nl,
            "definition_en": e.definition_en,
            "frequency": e.frequency,
            "owner": e.owner,
            "derived": e.derived,
            "breakdowns": " ".join(e.breakdowns),
            "time_series": e.time_series,
            "target": e.target.value if e.target else None,
        }
        for e in entries
    ]
    return list(CATALOGUE_COLUMNS), rows


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def write_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], dialect: Dialect) -> str:
    excel = dialect == "excel"
    buffer = io.StringIO()
    if excel:
        buffer.write("\ufeff")  # so Excel reads UTF-8 (ë, é in team names)
    # A detail the template does not know raises: the columns must follow the figures.
    writer = csv.DictWriter(
        buffer,
        fieldnames=list(columns),
        delimiter=";" if excel else ",",
        lineterminator="\r\n",
        extrasaction="raise",
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v, excel) for k, v in row.items()})
    return buffer.getvalue()


def _cell(value: Any, decimal_comma: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        # a Dutch-locale Excel reads WAAR/ONWAAR as truth values, true/false as text
        if decimal_comma:
            return "WAAR" if value else "ONWAAR"
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return int(value)  # a count is 180, not 180.0
        text = repr(value)
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        # OWASP "CSV injection": a spreadsheet runs a cell starting so as a formula. Only
        # text is quoted: numbers were written above and keep their sign.
        return "'" + value
    return value
