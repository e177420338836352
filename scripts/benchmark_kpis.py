"""Time every KPI endpoint at scale, against DuckDB as the reference, on PostgreSQL and SQLite.

Loads N trajectories (default 1,000,000) into the projection of a fresh database per
backend, serves it with uvicorn on loopback, and times GET /kpis/{id} over the whole
period without and with groupBy=team (best of --repeat). The same aggregate, written by
hand in DuckDB over the same rows (loaded from CSV), is the baseline measured in the
same run on the same machine; the table shows our time / DuckDB's.

Only the projection is loaded (KPI queries read nothing else): a base set of generated
trajectories is folded once and replicated under new ids to reach N.

    python -m scripts.benchmark_kpis --trajectories 1000000
    python -m scripts.benchmark_kpis --trajectories 100000 --backends postgresql
"""

import argparse
import csv
import sqlite3
import statistics
import time
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import duckdb
import httpx
import orjson
from sqlalchemy.engine import make_url

from app.db import upgrade_database
from app.domain.events import DomainEvent
from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.spec import (
    NO_BREAKDOWN,
    SATISFACTION_COLUMNS,
    All,
    Complaints,
    Condition,
    Count,
    DueNotPassed,
    Duration,
    GoalAttainment,
    IsNull,
    Kpi,
    NotAfter,
    NotNull,
    OneOf,
    OpenAt,
    PerTrajectory,
    Reentry,
    Reported,
    Satisfaction,
    Share,
    Stacking,
)
from app.domain.reentry import Stay, next_openings
from app.domain.terms import DEFAULT_TERMS
from app.domain.vocabulary import EventType
from app.models import (
    Application,
    AuditFinding,
    Base,
    Complaint,
    StepCompletion,
    SupportSpell,
    Trajectory,
    TrajectoryPeriod,
)
from app.schemas.events import EVENT_ADAPTER
from app.services.projection.project import project
from scripts.benchmark_ingest import fresh_database, running_service
from scripts.generate_events import generate

FROM, TO, AS_OF = date(2025, 1, 1), date(2026, 11, 30), date(2026, 11, 24)
QUARTER = date(2026, 4, 1), date(2026, 6, 30)
PERIODS = {"whole": (FROM, TO), "quarter": QUARTER}
MODELS: dict[str, type[Base]] = {
    "trajectories": Trajectory,
    "complaints": Complaint,
    "audit_findings": AuditFinding,
    "trajectory_periods": TrajectoryPeriod,
    "applications": Application,
    "supports": SupportSpell,
    "step_completions": StepCompletion,
}
# What the KPI endpoints read besides the trajectories (the findings only the audit needs).
KPI_TABLES = tuple(name for name in MODELS if name != "audit_findings")
COLUMNS = {name: [c.name for c in model.__table__.columns] for name, model in MODELS.items()}
Rows = dict[str, list[dict[str, Any]]]


def base_rows(count: int, seed: int) -> Rows:
    """Fold `count` generated trajectories into the rows of every projection table."""
    by_trajectory: dict[str, list[DomainEvent]] = {}
    for body in generate(count, seed=seed):
        event = EVENT_ADAPTER.validate_python(body)
        data = event.model_dump(mode="json", by_alias=True, exclude_none=True).get("data", {})
        by_trajectory.setdefault(event.trajectory_id, []).append(
            DomainEvent(
                str(event.event_id),
                event.trajectory_id,
                EventType(event.type),
                event.occurred_at,
                data,
            )
        )
    now = datetime.now(UTC)
    rows: Rows = {name: [] for name in MODELS}
    for trajectory_id, events in by_trajectory.items():
        p = project("0193", trajectory_id, events, DEFAULT_TERMS, now, AS_OF)
        for model, model_rows in p.rows_by_model().items():
            if model.__tablename__ in rows:
                rows[model.__tablename__].extend(model_rows)
    by_client: dict[str, list[dict[str, Any]]] = {}
    for row in rows["trajectories"]:
        by_client.setdefault(row["client_ref"], []).append(row)
    for client_rows in by_client.values():
        following = next_openings(
            Stay(r["trajectory_id"], r["opened_on"], r["closed_on"]) for r in client_rows
        )
        for row in client_rows:
            row["next_opened_on"] = following[row["trajectory_id"]]
    return rows


def replicated(base: Rows, total: int, tables: tuple[str, ...]) -> Rows:
    """`total` trajectories: the base set copied under new trajectory and client ids, in
    the order they were opened (as a registration system fills the tables over the years:
    one quarter's rows lie together, as in production)."""
    children: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for table in tables:
        if table != "trajectories":
            children[table] = {}
            for row in base[table]:
                children[table].setdefault(row["trajectory_id"], []).append(row)
    result: Rows = {table: [] for table in tables}
    trajectories = base["trajectories"]
    # The same copies as numbering 0..total-1 round the base set, taken in opening order.
    pairs = [divmod(number, len(trajectories))[::-1] for number in range(total)]
    pairs.sort(key=lambda pair: (trajectories[pair[0]]["opened_on"] or date.min, pair[1]))
    for index, copy in pairs:
        source = trajectories[index]
        new_id = f"{source['trajectory_id']}-r{copy}"
        client = f"{source['client_ref']}-r{copy}" if source["client_ref"] else None
        result["trajectories"].append({**source, "trajectory_id": new_id, "client_ref": client})
        for table, by_trajectory in children.items():
            result[table].extend(
                {**row, "trajectory_id": new_id}
                for row in by_trajectory.get(source["trajectory_id"], [])
            )
    return result


def _plain(value: Any) -> Any:
    return orjson.dumps(value).decode() if isinstance(value, list | dict) else value


def load_postgres(url: str, rows: Rows) -> None:
    import psycopg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        for table, table_rows in rows.items():
            columns = COLUMNS[table]
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in table_rows:
                    copy.write_row([_plain(row[c]) for c in columns])
        # What autovacuum does to a table filled by inserts: statistics for the planner and
        # a visibility map for index-only scans. A table just COPY'd has neither.
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")


def load_sqlite(url: str, rows: Rows) -> None:
    path = make_url(url).database
    assert path
    connection = sqlite3.connect(path)
    for table, table_rows in rows.items():
        columns = COLUMNS[table]
        insert = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        )
        for start in range(0, len(table_rows), 10_000):
            connection.executemany(
                insert,
                [[_sqlite(row[c]) for c in columns] for row in table_rows[start : start + 10_000]],
            )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return _plain(value)


def load_duckdb(folder: Path, rows: Rows) -> duckdb.DuckDBPyConnection:
    """The reference engine, fed the same rows through CSV files."""
    connection = duckdb.connect()
    for table, table_rows in rows.items():
        columns = COLUMNS[table]
        path = folder / f"{table}.csv"
        with path.open("w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(columns)
            for row in table_rows:
                writer.writerow(["" if row[c] is None else _sqlite(row[c]) for c in columns])
        types = {c: _duckdb_type(MODELS[table].__table__.c[c].type) for c in columns}
        connection.execute(
            f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', header=true, columns={types!r})"
        )
    return connection


def _duckdb_type(column_type: Any) -> str:
    python_type = getattr(column_type, "impl", column_type).python_type
    return {
        date: "DATE",
        datetime: "TIMESTAMP",
        int: "INTEGER",
        float: "DOUBLE",
        bool: "BOOLEAN",
    }.get(python_type, "VARCHAR")


def condition_text(condition: Condition | None) -> str:
    """A measure's condition as DuckDB SQL: read from the same declaration, never retyped."""
    match condition:
        case None:
            return "TRUE"
        case NotNull(column):
            return f"{column} IS NOT NULL"
        case IsNull(column):
            return f"{column} IS NULL"
        case OneOf(column, values):
            listed = ", ".join(repr(v) for v in values)
            return f"{column} IN ({listed})"
        case NotAfter(column, limit):
            return f"{column} <= {limit}"
        case DueNotPassed(column):
            return f"({column} IS NULL OR {column} >= DATE '{AS_OF}')"
        case All(parts):
            return " AND ".join(f"({condition_text(p)})" for p in parts) or "TRUE"
    raise TypeError(f"unknown condition {condition!r}")


def _source(measure: Any) -> str:
    """The rows a measure reads: the trajectories, or one row per period or aanvraag."""
    if getattr(measure, "over_periods", False):
        return (
            "(SELECT t.* REPLACE (p.closed_on AS closed_on, p.close_reason AS close_reason) "
            "FROM trajectories t JOIN trajectory_periods p USING (municipality, trajectory_id))"
        )
    if getattr(measure, "over_applications", False):
        return (
            "(SELECT t.* REPLACE (a.decided_on AS decision_on, a.due_on AS decision_due_on) "
            "FROM trajectories t JOIN applications a USING (municipality, trajectory_id))"
        )
    return "trajectories"


def duckdb_sql(kpi: Kpi, grouped: bool, start: date = FROM, end: date = TO) -> str | None:
    """The KPI's aggregate for DuckDB over the same rows, from the same declaration."""
    m = kpi.measure
    group = "team, " if grouped else ""
    group_by = "GROUP BY team" if grouped else ""
    period = f"BETWEEN DATE '{start}' AND DATE '{end}'"
    match m:
        case Duration():
            days = f"date_diff('day', {m.start}, {m.end})"
            return (
                f"SELECT {group}count(*), avg({days}), quantile_cont({days}, 0.5), quantile_cont({days}, 0.9) "
                f"FROM trajectories WHERE {m.end} {period} AND {m.start} IS NOT NULL "
                f"AND {condition_text(m.population)} {group_by}"
            )
        case Share():
            return (
                f"SELECT {group}count(*), count(*) FILTER (WHERE {condition_text(m.numerator)}) "
                f"FROM {_source(m)} WHERE {m.period} {period} AND {condition_text(m.population)} {group_by}"
            )
        case Count():
            breakdown = f", {m.breakdown}" if m.breakdown else ""
            return f"SELECT {group}count(*){breakdown} FROM {_source(m)} WHERE {m.period} {period} GROUP BY ALL"
        case OpenAt():
            return (
                f"SELECT {'t.team, ' if grouped else ''}count(*) FROM trajectories t JOIN trajectory_periods p "
                f"USING (municipality, trajectory_id) WHERE p.opened_on <= DATE '{end}' "
                f"AND (p.closed_on IS NULL OR p.closed_on > DATE '{end}') {'GROUP BY t.team' if grouped else ''}"
            )
        case PerTrajectory():
            return f"SELECT {group}count(*), sum({m.total}) FROM trajectories WHERE {m.period} {period} {group_by}"
        case GoalAttainment():
            return f"SELECT {group}count(*), sum(goals_achieved), sum(goals_partly), sum(goals_not_achieved) FROM trajectories WHERE {m.period} {period} {group_by}"
        case Satisfaction():
            items = ", ".join(
                f"count({c}), sum({c}), count(*) FILTER (WHERE {c} >= 4)"
                for c in SATISFACTION_COLUMNS.values()
            )
            return f"SELECT {group}count(*), {items} FROM trajectories WHERE {m.period} {period} AND satisfaction_on IS NOT NULL {group_by}"
        case Complaints():
            return (
                f"SELECT {'t.team, ' if grouped else ''}count(*) FROM trajectories t JOIN complaints c USING (municipality, trajectory_id) "
                f"WHERE c.received_on {period} {'GROUP BY t.team' if grouped else ''}"
            )
        case Reentry():
            return (
                f"SELECT {group}count(*) FILTER (WHERE EXISTS (SELECT 1 FROM trajectories l WHERE l.client_ref = t.client_ref "
                f"AND l.trajectory_id <> t.trajectory_id AND l.opened_on > t.closed_on AND l.opened_on <= t.closed_on + {m.window_days})) "
                f"FROM trajectories t WHERE closed_on {period} AND client_ref IS NOT NULL AND closed_on + {m.window_days} <= DATE '{AS_OF}' {group_by}"
            )
        case Stacking():
            after = f"DATE '{end}' + 1"
            return (
                f"WITH s AS (SELECT t.client_ref, t.domain, greatest(u.started_on, DATE '{start}') AS a, "
                f"least(coalesce(u.ends_on, {after}), {after}) AS b FROM trajectories t JOIN supports u "
                "USING (municipality, trajectory_id) WHERE u.kind = 'provision' AND t.client_ref IS NOT NULL) "
                "SELECT (SELECT count(DISTINCT client_ref) FROM s WHERE a < b), (SELECT count(DISTINCT x.client_ref) "
                "FROM s x JOIN s y ON x.client_ref = y.client_ref AND x.domain <> y.domain AND x.a < y.b AND y.a < x.b "
                "WHERE x.a < x.b AND y.a < y.b)"
            )
    return None


def best_of(repeat: int, action: Any) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def time_endpoint(
    client: httpx.Client, kpi: Kpi, grouped: bool, period: tuple[date, date], repeat: int
) -> tuple[float, float]:
    """Cold (best of `repeat`, each a full computation) and warm: the same request again
    with the ETag of the first answer, as a BI tool's refresh sends it (median of 20)."""
    params = {"from": period[0].isoformat(), "to": period[1].isoformat(), "asOf": AS_OF.isoformat()}
    if grouped:
        params["groupBy"] = "team"
    url = f"/api/v1/kpis/{kpi.id}"
    etag = ""

    def call() -> None:
        nonlocal etag
        response = client.get(url, params=params)
        response.raise_for_status()
        etag = response.headers["ETag"]

    cold = best_of(repeat, call)
    return cold, warm_median(client, url, params, etag)


def warm_median(client: httpx.Client, url: str, params: dict[str, str], etag: str) -> float:
    times = []
    for _ in range(20):
        started = time.perf_counter()
        response = client.get(url, params=params, headers={"If-None-Match": etag})
        times.append(time.perf_counter() - started)
        assert response.status_code == 304, response.status_code
    return statistics.median(times)


def time_validated_reads(client: httpx.Client) -> None:
    """The other validated reads at this scale: the catalogue and an audit summary."""
    summary = {
        "from": QUARTER[0].isoformat(),
        "to": QUARTER[1].isoformat(),
        "asOf": AS_OF.isoformat(),
    }
    for url, params in (("/api/v1/kpis", {}), ("/api/v1/audit/summary", summary)):
        started = time.perf_counter()
        response = client.get(url, params=params)
        response.raise_for_status()
        cold = time.perf_counter() - started
        warm = warm_median(client, url, params, response.headers["ETag"])
        print(f"{url:<34} cold {cold:.3f} s, warm (304) {warm * 1000:.1f} ms")


def report_backend(
    client: httpx.Client, kpis: list[Kpi], duck: dict[tuple[str, str, bool], float], repeat: int
) -> None:
    """One row per KPI and period: cold seconds and x DuckDB, total and by team, and the
    warm (304) answer in ms; then the median and worst ratio."""
    print(
        f"{'kpi':<34}{'period':>8}{'total s':>9}{'x duck':>8}{'team s':>9}{'x duck':>8}{'warm ms':>9}"
    )
    ratios: list[float] = []
    warm_all: list[float] = []
    for kpi in kpis:
        for name, period in PERIODS.items():
            cells: list[str] = []
            row_warm: list[float] = []
            for grouped in (False, True):
                if grouped and isinstance(kpi.measure, NO_BREAKDOWN):
                    cells += ["-", "-"]
                    continue
                cold, warm = time_endpoint(client, kpi, grouped, period, repeat)
                row_warm.append(warm)
                ratio = cold / duck[(kpi.id, name, grouped)]
                ratios.append(ratio)
                cells += [f"{cold:.3f}", f"{ratio:.1f}"]
            print(
                f"{kpi.id:<34}{name:>8}{cells[0]:>9}{cells[1]:>8}{cells[2]:>9}{cells[3]:>8}"
                f"{max(row_warm) * 1000:>9.1f}"
            )
            warm_all += row_warm
    print(
        f"cold x DuckDB: median {statistics.median(ratios):.1f}, worst {max(ratios):.1f}; "
        f"warm (304): median {statistics.median(warm_all) * 1000:.1f} ms, worst {max(warm_all) * 1000:.1f} ms"
    )
    time_validated_reads(client)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trajectories", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=20_000, help="distinct generated trajectories")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="postgresql,sqlite")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    base = base_rows(min(args.base, args.trajectories), args.seed)
    rows = replicated(base, args.trajectories, KPI_TABLES)
    print(
        f"folded {len(base['trajectories'])} base trajectories in {time.perf_counter() - started:.1f} s; replicated to {args.trajectories}"
    )
    kpis = [k for k in CATALOGUE if not isinstance(k.measure, Reported)]
    with TemporaryDirectory() as folder:
        reference = load_duckdb(Path(folder), rows)
        duck: dict[tuple[str, str, bool], float] = {}
        for kpi in kpis:
            for name, (start, end) in PERIODS.items():
                for grouped in (False, True):
                    by_team = grouped and not isinstance(kpi.measure, NO_BREAKDOWN)
                    sql = duckdb_sql(kpi, by_team, start, end)
                    if sql:
                        duck[(kpi.id, name, grouped)] = best_of(
                            args.repeat, lambda s=sql: reference.execute(s).fetchall()
                        )
        for backend in args.backends.split(","):
            with fresh_database(backend) as url:
                upgrade_database(url)
                load_started = time.perf_counter()
                loader = load_postgres if backend == "postgresql" else load_sqlite
                loader(url, rows)
                print(
                    f"\n{backend}: loaded {args.trajectories} trajectories in {time.perf_counter() - load_started:.0f} s"
                )
                with running_service(url) as (client, _):
                    report_backend(client, kpis, duck, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
