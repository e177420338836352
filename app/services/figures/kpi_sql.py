"""KPI figures computed in the database, over the trajectory projection.

Same declarations as app/domain/kpis/reference.py, aggregated in SQL. Durations are
counted per whole day in the database (a histogram), from which n, mean, median and p90
follow exactly.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from app.domain.calendar import local_today
from app.domain.kpis.figures import (
    DIMENSIONS,
    Cell,
    DurationStats,
    ItemTally,
    KpiQuery,
    goals_cell,
    histogram_stats,
    per_trajectory_cell,
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
from app.models import (
    Application,
    Complaint,
    StepCompletion,
    SupportSpell,
    Trajectory,
    TrajectoryPeriod,
)
from app.services.storage.sql_functions import add_days, days_between, holds_day, label

T = Trajectory.__table__.c
C = Complaint.__table__.c
P = TrajectoryPeriod.__table__.c
A = Application.__table__.c
TRAJECTORY_COLUMNS: dict[str, ColumnElement[Any]] = {c.name: c for c in T}
APPLICATION_COLUMNS = TRAJECTORY_COLUMNS | {
    "application_on": A.received_on,
    "decision_on": A.decided_on,
    "decision_due_on": A.due_on,
    "decision_result": A.result,
}
WITH_APPLICATIONS = Trajectory.__table__.join(
    Application.__table__,
    and_(A.municipality == T.municipality, A.trajectory_id == T.trajectory_id),
)
S = SupportSpell.__table__.c
SC = StepCompletion.__table__.c
WITH_SUPPORTS = Trajectory.__table__.join(
    SupportSpell.__table__,
    and_(S.municipality == T.municipality, S.trajectory_id == T.trajectory_id),
)
WITH_PERIODS = Trajectory.__table__.join(
    TrajectoryPeriod.__table__,
    and_(P.municipality == T.municipality, P.trajectory_id == T.trajectory_id),
)


Columns = Mapping[str, ColumnElement[Any]]


def condition_sql(
    condition: Condition | None, as_of: date | None = None, columns: Columns | None = None
) -> ColumnElement[bool]:
    c = columns if columns is not None else TRAJECTORY_COLUMNS
    match condition:
        case None:
            return true()
        case NotNull(column):
            return c[column].is_not(None)
        case IsNull(column):
            return c[column].is_(None)
        case OneOf(column, values):
            return c[column].in_(values)
        case NotAfter(column, limit):
            return and_(c[column].is_not(None), c[limit].is_not(None), c[column] <= c[limit])
        case DueNotPassed(column):
            return or_(c[column].is_(None), c[column] >= (as_of or local_today()))
        case All(parts):
            return and_(true(), *(condition_sql(part, as_of, columns) for part in parts))
    raise TypeError(f"unknown condition {condition!r}")


class _Figure:
    """Group columns and filters of one query, shared by every measure's SQL."""

    def __init__(self, municipality: str, query: KpiQuery) -> None:
        self.municipality = municipality
        self.query = query
        # The day that puts a trajectory in the period; set by groups(), which every
        # measure calls first: the professional dimension is judged on it.
        self.day: ColumnElement[Any] = literal(query.end)

    def dimension(self, name: str) -> ColumnElement[Any]:
        if name == "professional":
            return professional_on(self.day)
        return T[DIMENSIONS[name]]

    def groups(self, period: ColumnElement[Any] | None) -> list[ColumnElement[Any]]:
        self.day = period if period is not None else literal(self.query.end)
        columns: list[ColumnElement[Any]] = [
            self.dimension(d).label(d) for d in self.query.dimensions
        ]
        if self.query.grain and period is not None:
            columns.append(label(period, self.query.grain).label(self.query.grain))
        return columns

    def names(self, with_grain: bool = True) -> list[str]:
        names = list(self.query.dimensions)
        if self.query.grain and with_grain:
            names.append(self.query.grain)
        return names

    def where(self) -> list[ColumnElement[bool]]:
        conditions = [T.municipality == self.municipality] + [
            self.dimension(name) == value for name, value in self.query.filters
        ]
        if self.query.teams is not None:
            conditions.append(T.team.in_(self.query.teams))
        return conditions

    def in_period(self, column: ColumnElement[Any]) -> ColumnElement[bool]:
        return column.between(self.query.start, self.query.end)

    def key(self, row: Sequence[Any], with_grain: bool = True) -> dict[str, str | None]:
        names = self.names(with_grain)
        return dict(zip(names, row[: len(names)], strict=True))


def professional_on(day: ColumnElement[Any]) -> ColumnElement[Any]:
    """A trajectory belongs to the professional of its most recent step completion on
    or before the day that puts it in the period."""
    return (
        select(SC.professional_ref)
        .where(
            SC.municipality == T.municipality,
            SC.trajectory_id == T.trajectory_id,
            SC.completed_on <= day,
        )
        .order_by(SC.seq.desc())
        .limit(1)
        .scalar_subquery()
    )


def _grouped(statement: Select[Any], groups: list[ColumnElement[Any]]) -> Select[Any]:
    # HAVING keeps an ungrouped aggregate over no rows from answering one empty row.
    statement = statement.having(func.count() > 0)
    return statement.group_by(*groups) if groups else statement


def evaluate_sql(
    session: Session, municipality: str, measure: Measure, query: KpiQuery
) -> list[Cell]:
    if session.get_bind().dialect.name == "postgresql":
        # Sorts and hashes of a breakdown stay in memory.
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        # Compiling a query to machine code costs more (0.4 s) than these scans gain by it.
        session.execute(text("SET LOCAL jit = off"))
    figure = _Figure(municipality, query)
    match measure:
        case Duration():
            return _duration(session, figure, measure)
        case Share():
            return _share(session, figure, measure)
        case Count():
            return _count(session, figure, measure)
        case OpenAt():
            return _open_at(session, figure, measure)
        case PerTrajectory():
            return _per_trajectory(session, figure, measure)
        case GoalAttainment():
            return _goals(session, figure, measure)
        case Satisfaction():
            return _satisfaction(session, figure, measure)
        case Complaints():
            return _complaints(session, figure)
        case Reentry():
            return _reentry(session, figure, measure)
        case Stacking():
            return _stacking(session, figure)
    return []


def _sorted(cells: list[Cell]) -> list[Cell]:
    return sorted(cells, key=Cell.sort_key)


def _durations(
    session: Session,
    figure: _Figure,
    groups: list[ColumnElement[Any]],
    days: ColumnElement[int],
    where: list[ColumnElement[bool]],
    with_grain: bool = True,
) -> list[tuple[dict[str, str | None], DurationStats]]:
    """n, mean, median and p90 per group from a day histogram counted in the database.

    Durations are whole days, so GROUP BY (group, days) returns a few hundred rows per
    group however many trajectories there are, and the statistics are exact. (It also
    avoids percentile_cont, which PostgreSQL cannot run in parallel and SQLite lacks.)
    """
    statement = select(*groups, days, func.count()).where(*where).group_by(*groups, days)
    width = len(groups)
    histograms: dict[tuple[Any, ...], dict[int, int]] = defaultdict(dict)
    for row in session.execute(statement):
        histograms[tuple(row[:width])][int(row[width])] = int(row[width + 1])
    return [
        (figure.key(key, with_grain), histogram_stats(counts)) for key, counts in histograms.items()
    ]


def _duration(session: Session, figure: _Figure, measure: Duration) -> list[Cell]:
    end, start = T[measure.end], T[measure.start]
    groups = figure.groups(end)
    where = [
        *figure.where(),
        figure.in_period(end),
        start.is_not(None),
        condition_sql(measure.population),
    ]
    return _sorted(
        [
            Cell(key=key, n=s.n, value=s.median, mean=s.mean, median=s.median, p90=s.p90)
            for key, s in _durations(session, figure, groups, days_between(start, end), where)
        ]
    )


def _open_between(first: date, last: date) -> ColumnElement[bool]:
    """The trajectory was open on a day from `first` to `last` by the state as of that day:
    one of its open periods began by `last` and was not closed before `first`."""
    return (
        select(P.seq)
        .where(
            P.municipality == T.municipality,
            P.trajectory_id == T.trajectory_id,
            P.opened_on <= last,
            or_(P.closed_on.is_(None), P.closed_on >= first),
        )
        .exists()
    )


def _open_on(day: date) -> ColumnElement[bool]:
    """Open on `day` itself: a period closed on `day` was closed that day."""
    return _open_between(day + timedelta(days=1), day)


def open_intervals_sql(
    session: Session, municipality: str, measure: Duration, query: KpiQuery
) -> int:
    figure = _Figure(municipality, query)
    start, end = T[measure.start], T[measure.end]
    statement = select(func.count()).where(
        *figure.where(),
        condition_sql(measure.population),
        start.is_not(None),
        holds_day(start, end, literal(query.end, Date)),
        _open_on(query.end),
    )
    return int(session.execute(statement).scalar_one())


def _share(session: Session, figure: _Figure, measure: Share) -> list[Cell]:
    columns = APPLICATION_COLUMNS if measure.over_applications else TRAJECTORY_COLUMNS
    period = columns[measure.period]
    groups = figure.groups(period)
    holds = condition_sql(measure.numerator, figure.query.as_of, columns)
    numerator = func.sum(case((holds, 1), else_=0))
    statement = select(*groups, func.count(), numerator).where(
        *figure.where(), figure.in_period(period), condition_sql(measure.population, None, columns)
    )
    if measure.over_applications:
        statement = statement.select_from(WITH_APPLICATIONS)
    return _sorted(
        [
            share_cell(figure.key(row), int(row[-1]), int(row[-2]))
            for row in session.execute(_grouped(statement, groups))
        ]
    )


def _count(session: Session, figure: _Figure, measure: Count) -> list[Cell]:
    columns = P if measure.over_periods else T
    period = columns[measure.period]
    groups = figure.groups(period)
    breakdown = [columns[measure.breakdown]] if measure.breakdown else []
    statement = select(*groups, *breakdown, func.count()).where(
        *figure.where(), figure.in_period(period), condition_sql(measure.population)
    )
    if measure.over_periods:
        statement = statement.select_from(WITH_PERIODS)
    totals: dict[tuple[Any, ...], int] = defaultdict(int)
    reasons: dict[tuple[Any, ...], dict[str, int]] = defaultdict(dict)
    width = len(groups)
    for row in session.execute(_grouped(statement, [*groups, *breakdown])):
        totals[tuple(row[:width])] += row[-1]
        if breakdown:
            reasons[tuple(row[:width])][str(row[width])] = row[-1]
    cells = []
    for key, n in totals.items():
        extra = {"breakdown": dict(sorted(reasons[key].items()))} if breakdown else {}
        cells.append(Cell(key=figure.key(key), n=n, value=n, extra=extra))
    return _sorted(cells)


def _open_at(session: Session, figure: _Figure, measure: OpenAt) -> list[Cell]:
    # A trajectory's periods never overlap: one matching period is one open trajectory.
    groups = figure.groups(None)
    day = figure.query.end
    statement = (
        select(*groups, func.count())
        .select_from(WITH_PERIODS)
        .where(*figure.where(), P.opened_on <= day, or_(P.closed_on.is_(None), P.closed_on > day))
    )
    return _sorted(
        [
            Cell(key=figure.key(row, with_grain=False), n=row[-1], value=row[-1])
            for row in session.execute(_grouped(statement, groups))
        ]
    )


def _per_trajectory(session: Session, figure: _Figure, measure: PerTrajectory) -> list[Cell]:
    period = T[measure.period]
    groups = figure.groups(period)
    statement = select(*groups, func.count(), func.coalesce(func.sum(T[measure.total]), 0)).where(
        *figure.where(), figure.in_period(period), condition_sql(measure.population)
    )
    return _sorted(
        [
            per_trajectory_cell(figure.key(row), int(row[-1]), row[-2], measure.divisor)
            for row in session.execute(_grouped(statement, groups))
        ]
    )


def _goals(session: Session, figure: _Figure, measure: GoalAttainment) -> list[Cell]:
    period = T[measure.period]
    groups = figure.groups(period)
    statement = select(
        *groups,
        func.count(),
        func.sum(T.goals_achieved),
        func.sum(T.goals_partly),
        func.sum(T.goals_not_achieved),
    ).where(*figure.where(), figure.in_period(period))
    cells = [
        goals_cell(figure.key(row), row[-4], int(row[-3]), int(row[-2]), int(row[-1]))
        for row in session.execute(_grouped(statement, groups))
    ]
    return _sorted(cells)


def _satisfaction(session: Session, figure: _Figure, measure: Satisfaction) -> list[Cell]:
    period = T[measure.period]
    groups = figure.groups(period)
    aggregates: list[ColumnElement[Any]] = []
    for column in SATISFACTION_COLUMNS.values():
        aggregates += [
            func.count(T[column]),
            func.coalesce(func.sum(T[column]), 0),
            func.sum(case((T[column] >= 4, 1), else_=0)),
        ]
    statement = select(*groups, func.count(), *aggregates).where(
        *figure.where(), figure.in_period(period), T.satisfaction_on.is_not(None)
    )
    closed_groups = figure.groups(T.closed_on)
    closures = {
        tuple(row[:-1]): row[-1]
        for row in session.execute(
            _grouped(
                select(*closed_groups, func.count()).where(
                    *figure.where(), figure.in_period(T.closed_on)
                ),
                closed_groups,
            )
        )
    }
    width = len(groups)
    cells = []
    for row in session.execute(_grouped(statement, groups)):
        items = {}
        for index, item in enumerate(SATISFACTION_COLUMNS):
            count, total, agree = row[width + 1 + 3 * index : width + 4 + 3 * index]
            items[item] = ItemTally(int(count), int(total), int(agree or 0))
        closed = closures.get(tuple(row[:width]), 0)
        cells.append(satisfaction_cell(figure.key(row), row[width], items, closed))
    return _sorted(cells)


def _complaints(session: Session, figure: _Figure) -> list[Cell]:
    query = figure.query
    groups = figure.groups(None)
    open_in_period = _open_between(query.start, query.end)
    active = select(*groups, func.count()).where(*figure.where(), open_in_period)
    joined = and_(C.municipality == T.municipality, C.trajectory_id == T.trajectory_id)
    received = (
        select(*groups, func.count())
        .select_from(Trajectory.__table__.join(Complaint.__table__, joined))
        .where(*figure.where(), C.received_on.between(query.start, query.end))
    )
    counts = {tuple(row[:-1]): row[-1] for row in session.execute(_grouped(received, groups))}
    resolution = {
        tuple(key.values()): stats
        for key, stats in _durations_joined(session, figure, groups, joined)
    }
    cells = []
    for row in session.execute(_grouped(active, groups)):
        key, n = tuple(row[:-1]), row[-1]
        complaints = counts.get(key, 0)
        cells.append(
            Cell(
                key=figure.key(row, with_grain=False),
                n=n,
                value=100 * complaints / n,
                numerator=complaints,
                denominator=n,
                extra={"resolution": resolution.get(key, DurationStats(0, None, None, None))},
            )
        )
    return _sorted(cells)


def _durations_joined(
    session: Session, figure: _Figure, groups: list[ColumnElement[Any]], joined: ColumnElement[bool]
) -> list[tuple[dict[str, str | None], DurationStats]]:
    query = figure.query
    days = days_between(C.received_on, C.resolved_on)
    where = [*figure.where(), joined, C.resolved_on.between(query.start, query.end)]
    return _durations(session, figure, groups, days, where, with_grain=False)


def _reentry(session: Session, figure: _Figure, measure: Reentry) -> list[Cell]:
    as_of = figure.query.as_of or local_today()
    window_end = add_days(T.closed_on, literal(measure.window_days))
    due = window_end <= as_of
    returned = and_(T.next_opened_on.is_not(None), T.next_opened_on <= window_end)
    groups = figure.groups(T.closed_on)
    statement = select(
        *groups,
        func.sum(case((due, 1), else_=0)),
        func.sum(case((and_(due, returned), 1), else_=0)),
        func.count(),
    ).where(*figure.where(), figure.in_period(T.closed_on), T.client_ref.is_not(None))
    return _sorted(
        [
            share_cell(
                figure.key(row), int(row[-2]), int(row[-3]), pending=int(row[-1]) - int(row[-3])
            )
            for row in session.execute(_grouped(statement, groups))
        ]
    )


def _stacking(session: Session, figure: _Figure) -> list[Cell]:
    """Clients with a provision on a day of the period; of those, with provisions in two
    domains on one same day of it. Spells are clipped to the period, their end excluded.

    Spells are within one municipality, so the client reference alone keys them. Only
    clients with spells in more than one domain can be stacked, so the pairwise overlap
    test runs for those few; the rest is one hash aggregate.
    """
    query = figure.query
    client: ColumnElement[Any] = T.client_ref
    if session.get_bind().dialect.name == "postgresql":
        client = client.collate("C")  # byte order: ids need no linguistic sorting
    after = literal(query.end + timedelta(days=1))
    starts = case((S.started_on > literal(query.start), S.started_on), else_=literal(query.start))
    ends = case((and_(S.ends_on.is_not(None), S.ends_on < after), S.ends_on), else_=after)
    spells = (
        select(client.label("client"), T.domain, starts.label("starts"), ends.label("ends"))
        .select_from(WITH_SUPPORTS)
        .where(
            *figure.where(),
            S.kind == "provision",
            T.client_ref.is_not(None),
            starts < ends,
        )
        .cte("spells")
    )
    per_client = (
        select(
            spells.c.client,
            (func.min(spells.c.domain) != func.max(spells.c.domain)).label("several"),
        )
        .group_by(spells.c.client)
        .cte("per_client")
    )
    a, b = spells.alias("a"), spells.alias("b")
    stacked = (
        select(func.count(func.distinct(a.c.client)))
        .join(per_client, and_(per_client.c.client == a.c.client, per_client.c.several))
        .join(
            b,
            and_(
                a.c.client == b.c.client,
                a.c.domain != b.c.domain,
                a.c.starts < b.c.ends,
                b.c.starts < a.c.ends,
            ),
        )
        .scalar_subquery()
    )
    total, numerator = session.execute(select(func.count(), stacked).select_from(per_client)).one()
    if not total:
        return []
    return [share_cell({}, int(numerator), int(total))]


def drillable(measure: Measure) -> bool:
    """Whether a figure's n counts trajectories one for one, so its cases can be listed."""
    match measure:
        case Count(over_periods=False) | PerTrajectory() | Duration():
            return True
        case Share(over_applications=False):
            return True
    return False


def members_sql(
    session: Session, municipality: str, measure: Measure, query: KpiQuery, limit: int
) -> tuple[list[tuple[str, str | None]], int]:
    """The trajectories a figure of `query` (no grouping: the cell's values as filters, its
    period as the span) rests on, by id with their team, at most `limit`; and how many."""
    if not drillable(measure):
        raise ValueError(f"{type(measure).__name__} is not counted per trajectory")
    figure = _Figure(municipality, query)
    period = T[measure.period]  # type: ignore[union-attr]
    figure.groups(period)  # the day a professional is judged on, as the figure judges it
    population = getattr(measure, "population", None)
    where = [*figure.where(), figure.in_period(period), condition_sql(population)]
    if isinstance(measure, Duration):
        where.append(T[measure.start].is_not(None))
    ids = session.execute(
        select(T.trajectory_id, T.team).where(*where).order_by(T.trajectory_id).limit(limit)
    ).all()
    total = session.execute(select(func.count()).select_from(Trajectory).where(*where))
    return [(tid, team) for tid, team in ids], int(total.scalar_one())
