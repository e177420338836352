"""Presenters of the KPI API: the catalogue entry, the target, a computed figure as JSON
(KpiFigure); `kpi_table.py` turns them into tables for BI tools."""

from dataclasses import asdict, is_dataclass
from typing import Any

from app.domain.kpis.figures import DIMENSIONS, Cell, Figure, Target, target_met
from app.domain.kpis.spec import NO_BREAKDOWN, NO_TIME_SERIES, Kpi, Reported
from app.schemas.kpis import KpiDefinition, KpiFigure, KpiGroup, TargetView

DECIMALS = 4


def target_view(target: Target | None) -> TargetView | None:
    return TargetView.model_validate(target, from_attributes=True) if target else None


def definition_view(kpi: Kpi, target: Target | None, language: str = "nl") -> KpiDefinition:
    english = language == "en"
    return KpiDefinition(
        id=kpi.id,
        name_nl=kpi.name_nl,
        name_en=kpi.name_en,
        type=kpi.type.value,
        name=kpi.name_en if english else kpi.name_nl,
        definition=kpi.definition if english else kpi.definition_nl,
        definition_nl=kpi.definition_nl,
        definition_en=kpi.definition,
        unit=kpi.unit,
        value_is=kpi.value_is,
        direction=kpi.direction.value,
        source_events=list(kpi.source_events),
        procedure=kpi.procedure,
        frequency=kpi.frequency,
        owner=kpi.owner,
        derived=not isinstance(kpi.measure, Reported),
        breakdowns=[] if isinstance(kpi.measure, NO_BREAKDOWN) else list(DIMENSIONS),
        time_series=not isinstance(kpi.measure, NO_TIME_SERIES),
        target=target_view(target),
    )


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return _round(asdict(value))
    return value


def _group(cell: Cell, figure: Figure) -> KpiGroup:
    target = figure.target.value if figure.target else None
    if cell.suppressed:
        return KpiGroup(key=cell.key, n=None, value=None, target=target, suppressed=True)
    return KpiGroup(
        key=cell.key,
        n=cell.n,
        value=_round(cell.value),
        numerator=_round(cell.numerator),
        denominator=_round(cell.denominator),
        mean=_round(cell.mean),
        median=_round(cell.median),
        p90=_round(cell.p90),
        target=target,
        target_met=target_met(figure.kpi.direction, cell.value, target),
        suppressed=False,
        details=_round(cell.extra),
    )


def figure_view(figure: Figure, min_cell_size: int) -> KpiFigure:
    return KpiFigure(
        kpi=figure.kpi.id,
        name=figure.kpi.name_nl,
        unit=figure.kpi.unit,
        value_is=figure.kpi.value_is,
        from_=figure.query.start,
        to=figure.query.end,
        group_by=list(figure.query.group_by),
        open_intervals=figure.open_intervals,
        min_cell_size=min_cell_size,
        target=target_view(figure.target),
        groups=[_group(c, figure) for c in figure.cells],
    )
