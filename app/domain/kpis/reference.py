"""The meaning of every KPI, in plain Python over projection rows (dicts of local dates).

This is the reference the SQL in app/services/figures/kpi_sql.py is tested against. It favours
being obviously right over being fast.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from app.domain.calendar import local_today
from app.domain.kpis.figures import (
    DIMENSIONS,
    Cell,
    ItemTally,
    KpiQuery,
    duration_stats,
    from_durations,
    goals_cell,
    per_trajectory_cell,
    period_label,
    satisfaction_cell,
    share_cell,
)
from app.domain.kpis.spec import (
    SATISFACTION_COLUMNS,
    All,
    Complaints,
    Condition,
    Count,
    DueNotPassed,
    Duration,
    GoalAttainment,
    IsNull,
    Measure,
    NotAfter,
    NotNull,
    OneOf,
    OpenAt,
    PerTrajectory,
    Reentry,
    Satisfaction,
    Share,
    Stacking,
)

Row = Mapping[str, Any]


def holds(condition: Condition | None, row: Row, as_of: date | None = None) -> bool:
    match condition:
        case None:
            return True
        case NotNull(column):
            return row[column] is not None
        case IsNull(column):
            return row[column] is None
        case OneOf(column, values):
            return row[column] in values
        case NotAfter(column, limit):
            return row[column] is not None and row[limit] is not None and row[column] <= row[limit]
        case DueNotPassed(column):
            return row[column] is None or row[column] >= (as_of or local_today())
        case All(parts):
            return all(holds(part, row, as_of) for part in parts)
    raise TypeError(f"unknown condition {condition!r}")


def _in_period(day: date | None, query: KpiQuery) -> bool:
    return day is not None and query.start <= day <= query.end


def _visible(row: Row, query: KpiQuery) -> bool:
    return query.teams is None or row["team"] in query.teams


def _dimension(row: Row, name: str, day: date) -> str | None:
    if name == "professional":
        return professional_on(row, day)
    value: str | None = row[DIMENSIONS[name]]
    return value


def professional_on(row: Row, day: date) -> str | None:
    """docs/domain.md: the professional of the most recent step completion on or before `day`."""
    latest = None
    for completed_on, professional in row.get(COMPLETIONS, ()):
        if completed_on <= day:
            latest = professional
    return latest


def _matches_filters(row: Row, query: KpiQuery, day: date | None = None) -> bool:
    on = day or query.end
    return _visible(row, query) and all(
        _dimension(row, name, on) == value for name, value in query.filters
    )


def group_key(
    row: Row, query: KpiQuery, period_day: date | None
) -> tuple[tuple[str, str | None], ...]:
    on = period_day or query.end
    key = [(name, _dimension(row, name, on)) for name in query.dimensions]
    if query.grain and period_day is not None:
        key.append((query.grain, period_label(period_day, query.grain)))
    return tuple(key)


Key = tuple[tuple[str, str | None], ...]
COMPLETIONS = "_step_completions"  # attached to each row by with_completions


def with_completions(rows: Sequence[Row], completions: Sequence[Row]) -> list[Row]:
    """Each row with its trajectory's step completions (day, professional), in order."""
    log: dict[tuple[str, str], list[tuple[date, str]]] = defaultdict(list)
    for c in sorted(completions, key=lambda c: c["seq"]):
        log[(c["municipality"], c["trajectory_id"])].append(
            (c["completed_on"], c["professional_ref"])
        )
    return [{**r, COMPLETIONS: log.get((r["municipality"], r["trajectory_id"]), [])} for r in rows]


def _grouped(rows: Iterable[Row], query: KpiQuery, period: str) -> dict[Key, list[Row]]:
    groups: dict[Key, list[Row]] = defaultdict(list)
    for row in rows:
        if _in_period(row[period], query) and _matches_filters(row, query, row[period]):
            groups[group_key(row, query, row[period])].append(row)
    return groups


def _cells(
    groups: Mapping[Key, Sequence[Row]],
    make: Callable[[dict[str, str | None], Sequence[Row]], Cell | None],
) -> list[Cell]:
    cells = [make(dict(key), rows) for key, rows in groups.items()]
    return sorted((c for c in cells if c is not None), key=Cell.sort_key)


def evaluate(
    measure: Measure,
    rows: Sequence[Row],
    query: KpiQuery,
    complaints: Sequence[Row] = (),
    periods: Sequence[Row] = (),
    applications: Sequence[Row] = (),
    supports: Sequence[Row] = (),
    step_completions: Sequence[Row] = (),
) -> list[Cell]:
    """The cells of a figure, before suppression."""
    rows = with_completions(rows, step_completions)
    match measure:
        case Duration():
            return _duration(measure, rows, query)
        case Share():
            judged = _application_rows(rows, applications) if measure.over_applications else rows
            scope = [r for r in judged if holds(measure.population, r)]
            return _cells(
                _grouped(scope, query, measure.period),
                lambda key, g: share_cell(
                    key, sum(holds(measure.numerator, r, query.as_of) for r in g), len(g)
                ),
            )
        case Count():
            counted = _period_rows(rows, periods) if measure.over_periods else rows
            scope = [r for r in counted if holds(measure.population, r)]
            return _cells(
                _grouped(scope, query, measure.period), lambda key, g: _count(measure, key, g)
            )
        case OpenAt():
            return _open_at(rows, periods, query)
        case PerTrajectory():
            scope = [r for r in rows if holds(measure.population, r)]
            return _cells(
                _grouped(scope, query, measure.period),
                lambda key, g: per_trajectory_cell(
                    key, sum(r[measure.total] or 0 for r in g), len(g), measure.divisor
                ),
            )
        case GoalAttainment():
            return _cells(_grouped(rows, query, measure.period), _goals)
        case Satisfaction():
            return _satisfaction(measure, rows, query)
        case Complaints():
            return _complaints(rows, complaints, periods, query)
        case Reentry():
            return _reentry(measure, rows, query)
        case Stacking():
            return _stacking(rows, supports, query)
    return []


def _duration(measure: Duration, rows: Sequence[Row], query: KpiQuery) -> list[Cell]:
    scope = [r for r in rows if holds(measure.population, r) and r[measure.start] is not None]
    return _cells(
        _grouped(scope, query, measure.end),
        lambda key, g: from_durations(key, [(r[measure.end] - r[measure.start]).days for r in g]),
    )


def open_intervals(
    measure: Duration,
    rows: Sequence[Row],
    query: KpiQuery,
    periods: Sequence[Row] = (),
    step_completions: Sequence[Row] = (),
) -> int:
    """Intervals begun on or before `to`, not ended by then, of trajectories still open at
    `to` (by the state as of that day): durations yet to come, not counted in n."""
    rows = with_completions(rows, step_completions)
    day = query.end
    open_then = {
        (p["municipality"], p["trajectory_id"])
        for p in periods
        if p["opened_on"] <= day and (p["closed_on"] is None or p["closed_on"] > day)
    }
    return sum(
        1
        for r in rows
        if holds(measure.population, r)
        and _matches_filters(r, query)
        and r[measure.start] is not None
        and r[measure.start] <= day
        and (r[measure.end] is None or r[measure.end] > day)
        and (r["municipality"], r["trajectory_id"]) in open_then
    )


def _count(measure: Count, key: dict[str, str | None], rows: Sequence[Row]) -> Cell:
    extra: dict[str, Any] = {}
    if measure.breakdown:
        counts: dict[str, int] = defaultdict(int)
        for r in rows:
            counts[str(r[measure.breakdown])] += 1
        extra["breakdown"] = dict(sorted(counts.items()))
    return Cell(key=key, n=len(rows), value=len(rows), extra=extra)


def _open_at(rows: Sequence[Row], periods: Sequence[Row], query: KpiQuery) -> list[Cell]:
    groups: dict[Key, int] = defaultdict(int)
    day = query.end
    for row, period in _with_trajectory(rows, periods):
        if (
            period["opened_on"] <= day
            and (period["closed_on"] is None or period["closed_on"] > day)
            and _matches_filters(row, query)
        ):
            groups[group_key(row, query, None)] += 1
    return sorted((Cell(key=dict(k), n=n, value=n) for k, n in groups.items()), key=Cell.sort_key)


def _with_trajectory(rows: Sequence[Row], parts: Sequence[Row]) -> list[tuple[Row, Row]]:
    """Each row of a per-trajectory table beside its trajectory's row."""
    by_key = {(r["municipality"], r["trajectory_id"]): r for r in rows}
    return [(by_key[(p["municipality"], p["trajectory_id"])], p) for p in parts]


def _application_rows(rows: Sequence[Row], applications: Sequence[Row]) -> list[Row]:
    """One row per aanvraag: the trajectory's, with that aanvraag's term and decision."""
    by_key = {(r["municipality"], r["trajectory_id"]): r for r in rows}
    return [
        {
            **by_key[(a["municipality"], a["trajectory_id"])],
            "application_on": a["received_on"],
            "decision_on": a["decided_on"],
            "decision_due_on": a["due_on"],
            "decision_result": a["result"],
        }
        for a in applications
    ]


def _period_rows(rows: Sequence[Row], periods: Sequence[Row]) -> list[Row]:
    """One row per open period: the trajectory's, with the period's closure."""
    return [
        {**row, "closed_on": p["closed_on"], "close_reason": p["close_reason"]}
        for row, p in _with_trajectory(rows, periods)
    ]


def _goals(key: dict[str, str | None], rows: Sequence[Row]) -> Cell:
    return goals_cell(
        key,
        len(rows),
        sum(r["goals_achieved"] for r in rows),
        sum(r["goals_partly"] for r in rows),
        sum(r["goals_not_achieved"] for r in rows),
    )


def _satisfaction(measure: Satisfaction, rows: Sequence[Row], query: KpiQuery) -> list[Cell]:
    closed = _grouped(rows, query, measure.period)
    answered = [r for r in rows if r["satisfaction_on"] is not None]

    def make(key: dict[str, str | None], group: Sequence[Row]) -> Cell:
        items = {}
        for item, column in SATISFACTION_COLUMNS.items():
            scores = [r[column] for r in group if r[column] is not None]
            items[item] = ItemTally(len(scores), sum(scores), sum(1 for s in scores if s >= 4))
        closures = len(closed.get(tuple(key.items()), ()))
        return satisfaction_cell(key, len(group), items, closures)

    return _cells(_grouped(answered, query, measure.period), make)


def open_in_period(period: Row, query: KpiQuery) -> bool:
    closed = period["closed_on"]
    return period["opened_on"] <= query.end and (closed is None or closed >= query.start)


def _complaints(
    rows: Sequence[Row], complaints: Sequence[Row], periods: Sequence[Row], query: KpiQuery
) -> list[Cell]:
    by_id = {(r["municipality"], r["trajectory_id"]): r for r in rows}
    active_ids = {
        (p["municipality"], p["trajectory_id"]) for p in periods if open_in_period(p, query)
    }
    active: dict[Key, int] = defaultdict(int)
    for trajectory in active_ids:
        r = by_id[trajectory]
        if _matches_filters(r, query):
            active[group_key(r, query, None)] += 1
    received: dict[Key, int] = defaultdict(int)
    resolution_days: dict[Key, list[int]] = defaultdict(list)
    for c in complaints:
        owner = by_id.get((c["municipality"], c["trajectory_id"]))
        if owner is None or not _matches_filters(owner, query):
            continue
        key = group_key(owner, query, None)
        if _in_period(c["received_on"], query):
            received[key] += 1
        if _in_period(c["resolved_on"], query):
            resolution_days[key].append((c["resolved_on"] - c["received_on"]).days)
    cells = []
    for key, trajectories in active.items():
        stats = duration_stats(resolution_days.get(key, []))
        cells.append(
            Cell(
                key=dict(key),
                n=trajectories,
                value=100 * received.get(key, 0) / trajectories,
                numerator=received.get(key, 0),
                denominator=trajectories,
                extra={"resolution": stats},
            )
        )
    return sorted(cells, key=Cell.sort_key)


def _reentry(measure: Reentry, rows: Sequence[Row], query: KpiQuery) -> list[Cell]:
    as_of = query.as_of or local_today()
    window = timedelta(days=measure.window_days)
    openings: dict[tuple[str, str], list[tuple[date, str]]] = defaultdict(list)
    for r in rows:
        if r["client_ref"] is not None and r["opened_on"] is not None:
            openings[(r["municipality"], r["client_ref"])].append(
                (r["opened_on"], r["trajectory_id"])
            )

    def returned(r: Row) -> bool:
        closed = r["closed_on"]
        return any(
            tid != r["trajectory_id"] and closed < opened <= closed + window
            for opened, tid in openings[(r["municipality"], r["client_ref"])]
        )

    scope = [r for r in rows if r["client_ref"] is not None]

    def make(key: dict[str, str | None], group: Sequence[Row]) -> Cell:
        due = [r for r in group if r["closed_on"] + window <= as_of]
        return share_cell(
            key, sum(returned(r) for r in due), len(due), pending=len(group) - len(due)
        )

    return _cells(_grouped(scope, query, "closed_on"), make)


def _stacking(rows: Sequence[Row], supports: Sequence[Row], query: KpiQuery) -> list[Cell]:
    """Clients with a provision on a day of the period; of those, with provisions in two
    domains on one same day of it. Spells run from their start to `ends_on`, excluded."""
    first, after = query.start, query.end + timedelta(days=1)
    spells: dict[tuple[str, str], list[tuple[date, date, str | None]]] = defaultdict(list)
    for row, s in _with_trajectory(rows, supports):
        if s["kind"] != "provision" or row["client_ref"] is None or not _visible(row, query):
            continue
        start, end = max(s["started_on"], first), min(s["ends_on"] or after, after)
        if start < end:  # at least one day inside the period
            spells[(row["municipality"], row["client_ref"])].append((start, end, row["domain"]))

    def stacked(client_spells: list[tuple[date, date, str | None]]) -> bool:
        return any(
            a[2] is not None and b[2] is not None and a[2] != b[2] and a[0] < b[1] and b[0] < a[1]
            for i, a in enumerate(client_spells)
            for b in client_spells[i + 1 :]
        )

    if not spells:
        return []
    return [share_cell({}, sum(stacked(s) for s in spells.values()), len(spells))]
