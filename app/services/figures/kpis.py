"""KPI use cases: compute a figure (suppressed, against its target), set targets, record values."""

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db import PARALLEL_READS, reads_engine
from app.domain.kpis.catalogue import CATALOGUE, KPIS
from app.domain.kpis.disclosure import protect
from app.domain.kpis.figures import DIMENSIONS, Cell, Figure, KpiQuery
from app.domain.kpis.rounding import Rounding, round_cells, round_open_intervals
from app.domain.kpis.spec import (
    NO_BREAKDOWN,
    NO_TIME_SERIES,
    Count,
    Duration,
    Kpi,
    Reported,
)
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.metrics import KPI_QUERY_SECONDS
from app.models import KpiTarget, ReportedValue
from app.schemas.problem import InvalidParam
from app.services.figures.cache import Computed, FigureCache, decode, encode
from app.services.figures.kpi_sql import drillable, evaluate_sql, members_sql, open_intervals_sql
from app.services.storage import data_version

# One set of workers for the whole process: however many requests ask for the catalogue,
# at most PARALLEL_READS figures are computed side by side, on a pool of their own
# (app/db.py reads_engine), so a request waiting for its figures never waits for a
# connection held by another request that waits for the same workers.
_FIGURE_WORKERS = ThreadPoolExecutor(PARALLEL_READS, thread_name_prefix="figures")


def get_kpi(kpi_id: str) -> Kpi:
    kpi = KPIS.get(kpi_id)
    if kpi is None:
        raise NotFound(f"no KPI {kpi_id!r}; GET /kpis lists the catalogue")
    return kpi


def catalogue(session: Session, municipality: str) -> list[tuple[Kpi, KpiTarget | None]]:
    targets = targets_by_kpi(session, municipality)
    return [(kpi, targets.get(kpi.id)) for kpi in CATALOGUE]


def targets_by_kpi(session: Session, municipality: str) -> dict[str, KpiTarget]:
    rows = session.execute(
        select(KpiTarget).where(KpiTarget.municipality == municipality)
    ).scalars()
    return {row.kpi_id: row for row in rows}


def check_breakdown(kpi: Kpi, query: KpiQuery) -> None:
    problems: list[tuple[str, str]] = []  # (the parameter, what is wrong with it)
    if query.dimensions and isinstance(kpi.measure, NO_BREAKDOWN):
        problems.append(("groupBy", f"{kpi.id} cannot be broken down by trajectory dimensions"))
    if query.grain and isinstance(kpi.measure, NO_TIME_SERIES):
        problems.append(
            (
                "groupBy",
                f"{kpi.id} is a count at a date or per client; it has no {query.grain} series",
            )
        )
    if query.filters and isinstance(kpi.measure, NO_BREAKDOWN):
        reason = f"{kpi.id} cannot be filtered by trajectory dimensions"
        problems += [(name, reason) for name, _ in query.filters]
    if problems:
        raise InvalidInput(
            "; ".join(dict.fromkeys(reason for _, reason in problems)),
            invalid_params=[
                InvalidParam(name=name, code="not_supported", reason=reason)
                for name, reason in problems
            ],
        )


@dataclass(frozen=True)
class FigureRecipe:
    """A figure as asked: what `compute_figure` needs to compute it again on another day."""

    municipality: str
    kpi_id: str
    query: KpiQuery
    cell_size: int

    def compute(self, session: Session, cache: FigureCache) -> None:
        compute_figure(session, self.municipality, self.kpi_id, self.query, self.cell_size, cache)


def compute_figure(
    session: Session,
    municipality: str,
    kpi_id: str,
    query: KpiQuery,
    min_cell_size: int,
    cache: FigureCache | None = None,
    rounding: Rounding | None = None,
) -> Figure:
    """The KPI's protected figure; with `rounding` (a reader of figures only), every count
    rounded as `domain/kpis/rounding.py` says, after the cache (which keeps exact cells)."""
    kpi = get_kpi(kpi_id)
    check_breakdown(kpi, query)
    target = session.get(KpiTarget, (municipality, kpi.id))
    measure = kpi.measure
    if isinstance(measure, Reported):
        cells = _reported_cells(session, municipality, kpi.id, query, min_cell_size)
        return Figure(kpi, query, cells, target=target)
    if cache is None:
        cells, open_intervals = _computed(session, municipality, kpi, query, min_cell_size)
    else:
        recipe = FigureRecipe(municipality, kpi.id, query, min_cell_size)
        cache.remember(recipe)
        key = cache.figure_key(session, municipality, kpi.id, query, min_cell_size)
        cells, open_intervals = decode(
            cache.fetch(
                key, lambda: encode(_computed(session, municipality, kpi, query, min_cell_size))
            )
        )
    if rounding is not None:
        cells = round_cells(cells, measure, query, municipality, rounding)
        open_intervals = round_open_intervals(
            open_intervals, measure, query, municipality, rounding
        )
    return Figure(kpi, query, cells, open_intervals=open_intervals, target=target)


def _computed(
    session: Session, municipality: str, kpi: Kpi, query: KpiQuery, min_cell_size: int
) -> Computed:
    """A derived KPI's cells, protected against small numbers, and its open intervals."""
    measure = kpi.measure
    assert not isinstance(measure, Reported)
    with KPI_QUERY_SECONDS.labels(kpi.id).time():
        cells = evaluate_sql(session, municipality, measure, query)
    breakdown = measure.breakdown if isinstance(measure, Count) else None
    cells = protect(cells, min_cell_size, breakdown)
    open_intervals = None
    if isinstance(measure, Duration):
        count = open_intervals_sql(session, municipality, measure, query)
        open_intervals = None if 0 < count < min_cell_size else count
    return cells, open_intervals


def every_figure(
    session: Session,
    municipality: str,
    query: KpiQuery,
    min_cell_size: int,
    cache: FigureCache | None = None,
    rounding: Rounding | None = None,
) -> tuple[list[Figure], list[str]]:
    """Every KPI of the catalogue for one query; the ids of those that cannot answer it
    (a breakdown or time series they do not have) come back apart.

    On PostgreSQL the figures are computed side by side on connections of their own
    (PARALLEL_READS): each is one aggregate the database runs on one core, and a page of the
    catalogue waited for twenty of them one after another. Each reads committed data as one
    statement on the request's connection would (READ COMMITTED: every statement its own
    snapshot). SQLite computes them in turn on the request's connection.
    """
    answerable, omitted = [], []
    for kpi in CATALOGUE:
        try:
            check_breakdown(kpi, query)
        except InvalidInput:
            omitted.append(kpi.id)
            continue
        answerable.append(kpi.id)
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "postgresql":
        figures = [
            compute_figure(session, municipality, kpi_id, query, min_cell_size, cache, rounding)
            for kpi_id in answerable
        ]
        return figures, omitted

    workers = reads_engine(engine)

    def compute(kpi_id: str) -> Figure:
        with Session(workers) as own:
            return compute_figure(own, municipality, kpi_id, query, min_cell_size, cache, rounding)

    return list(_FIGURE_WORKERS.map(compute, answerable)), omitted


# --- targets ------------------------------------------------------------------------------


def set_target(
    session: Session,
    municipality: str,
    kpi_id: str,
    *,
    value: float | None,
    baseline: tuple[date, date] | None,
    change: float,
    note: str | None,
    min_cell_size: int,
    writer_teams: tuple[str, ...] | None = None,
) -> KpiTarget:
    """`writer_teams`: the teams a team-limited client is limited to; a target holds for the
    whole municipality, so such a client may not set one."""
    kpi = get_kpi(kpi_id)
    if writer_teams is not None:
        raise Forbidden(
            "a target holds for the whole municipality; this client is limited to teams "
            f"({', '.join(writer_teams)})"
        )
    baseline_value = None
    if baseline is not None:
        figure = compute_figure(session, municipality, kpi.id, KpiQuery(*baseline), min_cell_size)
        total = figure.cells[0] if len(figure.cells) == 1 else None
        if total is None or total.value is None:
            # The request is sound; what is stored cannot answer it yet: a conflict with
            # the state, not invalid input (no figure, or one suppressed as too small).
            raise Conflict(
                "the baseline period has no figure to start from (no data, or too few cases "
                "to show); choose another period, or set the target as a value"
            )
        baseline_value = total.value
        value = baseline_value + change
    assert value is not None
    target = session.get(KpiTarget, (municipality, kpi.id)) or KpiTarget(
        municipality=municipality, kpi_id=kpi.id
    )
    target.value = value
    target.baseline_from, target.baseline_to = baseline if baseline else (None, None)
    target.baseline_value = baseline_value
    target.change = change if baseline else None
    target.note = note
    target.set_at = datetime.now(UTC)
    session.add(target)
    session.flush()
    data_version.bump(session, [municipality])
    return target


# --- reported values ----------------------------------------------------------------------


def group_key_text(group: Mapping[str, str]) -> str:
    return "&".join(f"{k}={group[k]}" for k in sorted(group))


def record_reported_value(
    session: Session,
    municipality: str,
    kpi_id: str,
    *,
    period: tuple[date, date],
    group: Mapping[str, str],
    value: float,
    n: int | None,
    source: str,
    writer_teams: tuple[str, ...] | None = None,
) -> tuple[ReportedValue, bool]:
    """Store (or replace) the value for this period and group; True when newly created.
    A team-limited writer (`writer_teams`) posts only values of a group naming one of its
    teams."""
    kpi = get_kpi(kpi_id)
    if writer_teams is not None and group.get("team") not in writer_teams:
        raise Forbidden(
            f"this client posts values of its own teams only ({', '.join(writer_teams)}): "
            "name one in group.team"
        )
    if not isinstance(kpi.measure, Reported):
        # A derived KPI has no collection of posted values: that resource does not exist.
        raise NotFound(
            f"{kpi.id} is derived from events; only reported KPIs take posted values "
            "(the catalogue's entries with derived: false)"
        )
    unknown = sorted(set(group) - set(DIMENSIONS))
    if unknown:
        raise InvalidInput(
            "unknown group dimension(s)",
            invalid_params=[
                InvalidParam(
                    name=f"group.{k}",
                    code="unknown_dimension",
                    reason=f"one of {', '.join(DIMENSIONS)}",
                )
                for k in unknown
            ],
        )
    key = group_key_text(group)
    existing = session.execute(
        select(ReportedValue).where(
            ReportedValue.municipality == municipality,
            ReportedValue.kpi_id == kpi.id,
            ReportedValue.period_from == period[0],
            ReportedValue.period_to == period[1],
            ReportedValue.group_key == key,
        )
    ).scalar_one_or_none()
    row = existing or ReportedValue(
        municipality=municipality,
        kpi_id=kpi.id,
        period_from=period[0],
        period_to=period[1],
        group_key=key,
    )
    row.value, row.n, row.source, row.reported_at = value, n, source, datetime.now(UTC)
    session.add(row)
    session.flush()
    data_version.bump(session, [municipality])
    return row, existing is None


def _reported_cells(
    session: Session, municipality: str, kpi_id: str, query: KpiQuery, min_cell_size: int
) -> list[Cell]:
    """Values posted for periods inside the query's; suppressed only where their n is small.

    A reported value is an aggregate made elsewhere (a survey, the telephony system); when
    its source gives the number of observations, the same small-number rule applies.
    """
    rows = session.execute(
        select(ReportedValue)
        .where(
            ReportedValue.municipality == municipality,
            ReportedValue.kpi_id == kpi_id,
            ReportedValue.period_from >= query.start,
            ReportedValue.period_to <= query.end,
        )
        .order_by(ReportedValue.period_from, ReportedValue.group_key)
    ).scalars()
    cells = []
    for row in rows:
        key: dict[str, str | None] = {
            "period": f"{row.period_from.isoformat()}/{row.period_to.isoformat()}"
        }
        key.update(dict(part.split("=", 1) for part in row.group_key.split("&") if part))
        cell = Cell(key=key, n=row.n or 0, value=row.value, extra={"source": row.source})
        small = row.n is not None and row.n < min_cell_size
        cells.append(Cell(key=key, n=0, suppressed=True) if small else cell)
    return cells


def figure_query(
    start: date,
    end: date,
    group_by: tuple[str, ...],
    filters: Mapping[str, Any],
    as_of: date | None,
    teams: tuple[str, ...] | None = None,
) -> KpiQuery:
    return KpiQuery(
        start=start,
        end=end,
        group_by=group_by,
        filters=tuple(sorted((k, str(v)) for k, v in filters.items() if v is not None)),
        as_of=as_of,
        teams=teams,
    )


def can_drill(kpi: Kpi) -> bool:
    """Whether the trajectories behind this KPI's figures can be listed one for one."""
    return drillable(kpi.measure)


def kpi_members(
    session: Session, municipality: str, kpi_id: str, query: KpiQuery, limit: int
) -> tuple[list[tuple[str, str | None]], int]:
    """The trajectories behind a KPI's figure (for a reader of cases): ids and teams, at
    most `limit`, and how many there are: the figure's own n, for its filters and span."""
    kpi = get_kpi(kpi_id)
    check_breakdown(kpi, query)
    if not can_drill(kpi):
        raise NotFound(f"{kpi.id} is not counted per trajectory; its cases cannot be listed")
    return members_sql(session, municipality, kpi.measure, query, limit)
