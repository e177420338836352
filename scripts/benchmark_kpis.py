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
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import duckdb
import httpx
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from app.db import upgrade_database
from app.domain.audit import audit
from app.domain.events import DomainEvent
from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.spec import (
    NO_BREAKDOWN,
    Complaints,
    Count,
    Duration,
    GoalAttainment,
    Kpi,
    OpenAt,
    PerTrajectory,
    Reentry,
    Reported,
    Satisfaction,
    Share,
    Stacking,
)
from app.domain.trajectory import fold
from app.domain.vocabulary import EventType
from app.models import Complaint, Trajectory
from app.schemas.events import EVENT_ADAPTER
from app.services.projection import audit_columns, complaint_rows, projection_row
from scripts.benchmark_ingest import fresh_database, running_service
from scripts.generate_events import generate

FROM, TO, AS_OF = date(2025, 1, 1), date(2026, 11, 30), date(2026, 11, 24)
TRAJECTORY_COLUMNS = [c.name for c in Trajectory.__table__.columns]
COMPLAINT_COLUMNS = [c.name for c in Complaint.__table__.columns]


def base_rows(count: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Fold `count` generated trajectories into projection rows (and their complaints)."""
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
    rows, complaints = [], []
    for trajectory_id, events in by_trajectory.items():
        state = fold(trajectory_id, events)
        rows.append(projection_row("0193", state, now) | audit_columns(audit(state, AS_OF)))
        complaints.extend(complaint_rows("0193", state))
    return rows, complaints


def replicated(
    rows: list[dict[str, Any]], complaints: list[dict[str, Any]], total: int
) -> Iterator[tuple[str, dict[str, Any]]]:
    by_trajectory: dict[str, list[dict[str, Any]]] = {}
    for complaint in complaints:
        by_trajectory.setdefault(complaint["trajectory_id"], []).append(complaint)
    for number in range(total):
        copy, row = divmod(number, len(rows))
        source = rows[row]
        new_id = f"{source['trajectory_id']}-r{copy}"
        client = f"{source['client_ref']}-r{copy}" if source["client_ref"] else None
        yield "trajectory", {**source, "trajectory_id": new_id, "client_ref": client}
        for complaint in by_trajectory.get(source["trajectory_id"], []):
            yield "complaint", {**complaint, "trajectory_id": new_id}


def load_postgres(url: str, items: Iterator[tuple[str, dict[str, Any]]]) -> None:
    import psycopg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    complaints: list[dict[str, Any]] = []
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        with cursor.copy(f"COPY trajectories ({', '.join(TRAJECTORY_COLUMNS)}) FROM STDIN") as copy:
            for kind, row in items:
                if kind == "complaint":
                    complaints.append(row)
                    continue
                copy.write_row([row[c] for c in TRAJECTORY_COLUMNS])
        with cursor.copy(f"COPY complaints ({', '.join(COMPLAINT_COLUMNS)}) FROM STDIN") as copy:
            for row in complaints:
                copy.write_row([row[c] for c in COMPLAINT_COLUMNS])
        cursor.execute("ANALYZE trajectories")
        cursor.execute("ANALYZE complaints")


def load_sqlite(url: str, items: Iterator[tuple[str, dict[str, Any]]]) -> None:
    path = make_url(url).database
    assert path
    connection = sqlite3.connect(path)
    marks = ", ".join("?" for _ in TRAJECTORY_COLUMNS)
    insert = f"INSERT INTO trajectories ({', '.join(TRAJECTORY_COLUMNS)}) VALUES ({marks})"
    complaint_insert = f"INSERT INTO complaints ({', '.join(COMPLAINT_COLUMNS)}) VALUES ({', '.join('?' for _ in COMPLAINT_COLUMNS)})"
    batch: list[list[Any]] = []
    for kind, row in items:
        if kind == "complaint":
            connection.execute(complaint_insert, [_sqlite(row[c]) for c in COMPLAINT_COLUMNS])
            continue
        batch.append([_sqlite(row[c]) for c in TRAJECTORY_COLUMNS])
        if len(batch) == 10_000:
            connection.executemany(insert, batch)
            batch.clear()
    connection.executemany(insert, batch)
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def load_duckdb(
    folder: Path, items: Iterator[tuple[str, dict[str, Any]]]
) -> duckdb.DuckDBPyConnection:
    """The reference engine, fed the same rows through CSV files."""
    columns = TRAJECTORY_COLUMNS
    trajectories, complaints = folder / "trajectories.csv", folder / "complaints.csv"
    with trajectories.open("w", newline="") as t_file, complaints.open("w", newline="") as c_file:
        t_writer, c_writer = csv.writer(t_file), csv.writer(c_file)
        t_writer.writerow(columns)
        c_writer.writerow(COMPLAINT_COLUMNS)
        for kind, row in items:
            if kind == "complaint":
                c_writer.writerow(["" if row[c] is None else row[c] for c in COMPLAINT_COLUMNS])
            else:
                t_writer.writerow(["" if row[c] is None else _sqlite(row[c]) for c in columns])
    connection = duckdb.connect()
    for model, path, names in (
        (Trajectory, trajectories, columns),
        (Complaint, complaints, COMPLAINT_COLUMNS),
    ):
        types = {name: _duckdb_type(model.__table__.c[name].type) for name in names}
        connection.execute(
            f"CREATE TABLE {model.__tablename__} AS SELECT * FROM read_csv('{path}', header=true, columns={types!r})"
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


def duckdb_sql(kpi: Kpi, grouped: bool) -> str | None:
    """The KPI's aggregate written by hand for DuckDB: same rows, same definition."""
    m = kpi.measure
    group = "team, " if grouped else ""
    group_by = "GROUP BY team" if grouped else ""
    period = f"BETWEEN DATE '{FROM}' AND DATE '{TO}'"
    match m:
        case Duration():
            extra = ""
            if kpi.id == "involvement_duration":
                extra = "AND resolution_step = 'own_input'"
            days = f"date_diff('day', {m.start}, {m.end})"
            return (
                f"SELECT {group}count(*), avg({days}), quantile_cont({days}, 0.5), quantile_cont({days}, 0.9) "
                f"FROM trajectories WHERE {m.end} {period} AND {m.start} IS NOT NULL {extra} {group_by}"
            )
        case Share():
            numerator = {
                "own_input_ratio": "resolution_step IN ('own_network', 'own_input')",
                "social_base_ratio": "resolution_step = 'own_network'",
                "provision_ratio": "resolution_step = 'provision' AND resolution_outcome = 'granted'",
                "statutory_assessment_within_term": "assessment_done_on <= assessment_due_on",
                "statutory_decision_within_term": "decision_on <= decision_due_on",
                "process_quality": f"audit_failures = 0 AND (audit_pending_due_on IS NULL OR audit_pending_due_on >= DATE '{AS_OF}')",
            }[kpi.id]
            population = {
                "statutory_assessment_within_term": "domain = 'wmo' AND assessment_due_on IS NOT NULL",
                "statutory_decision_within_term": "decision_due_on IS NOT NULL",
                "process_quality": "closed_on IS NOT NULL",
            }.get(kpi.id, "resolution_step IS NOT NULL")
            return f"SELECT {group}count(*), count(*) FILTER (WHERE {numerator}) FROM trajectories WHERE {m.period} {period} AND {population} {group_by}"
        case Count():
            breakdown = ", close_reason" if m.breakdown else ""
            return f"SELECT {group}count(*){breakdown} FROM trajectories WHERE {m.period} {period} GROUP BY ALL"
        case OpenAt():
            return f"SELECT {group}count(*) FROM trajectories WHERE opened_on <= DATE '{TO}' AND (closed_on IS NULL OR closed_on > DATE '{TO}') {group_by}"
        case PerTrajectory():
            return f"SELECT {group}count(*), sum({m.total}) FROM trajectories WHERE {m.period} {period} {group_by}"
        case GoalAttainment():
            return f"SELECT {group}count(*), sum(goals_achieved), sum(goals_partly), sum(goals_not_achieved) FROM trajectories WHERE goals_evaluated_on {period} {group_by}"
        case Satisfaction():
            items = ", ".join(
                f"count({c}), avg({c}), count(*) FILTER (WHERE {c} >= 4)"
                for c in [
                    n
                    for n in TRAJECTORY_COLUMNS
                    if n.startswith("satisfaction_") and n != "satisfaction_on"
                ]
            )
            return f"SELECT {group}count(*), {items} FROM trajectories WHERE satisfaction_on {period} {group_by}"
        case Complaints():
            return (
                f"SELECT {'t.team, ' if grouped else ''}count(*) FROM trajectories t JOIN complaints c USING (municipality, trajectory_id) "
                f"WHERE c.received_on {period} {'GROUP BY t.team' if grouped else ''}"
            )
        case Reentry():
            return (
                f"SELECT {group}count(*) FILTER (WHERE EXISTS (SELECT 1 FROM trajectories l WHERE l.client_ref = t.client_ref "
                f"AND l.trajectory_id <> t.trajectory_id AND l.opened_on > t.closed_on AND l.opened_on <= t.closed_on + 365)) "
                f"FROM trajectories t WHERE closed_on {period} AND client_ref IS NOT NULL AND closed_on + 365 <= DATE '{AS_OF}' {group_by}"
            )
        case Stacking():
            return (
                "WITH s AS (SELECT client_ref, domain, support_started_on AS a, coalesce(support_ended_on, "
                f"DATE '{TO}') AS b FROM trajectories WHERE support_kind = 'provision' AND client_ref IS NOT NULL "
                f"AND support_started_on <= DATE '{TO}' AND coalesce(support_ended_on, DATE '{TO}') >= DATE '{FROM}') "
                "SELECT (SELECT count(DISTINCT client_ref) FROM s), (SELECT count(DISTINCT x.client_ref) FROM s x JOIN s y "
                "ON x.client_ref = y.client_ref AND x.domain <> y.domain AND x.a <= y.b AND y.a <= x.b)"
            )
    return None


def best_of(repeat: int, action: Any) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def time_endpoint(client: httpx.Client, kpi: Kpi, grouped: bool, repeat: int) -> float:
    params = {"from": FROM.isoformat(), "to": TO.isoformat(), "asOf": AS_OF.isoformat()}
    if grouped:
        params["groupBy"] = "team"

    def call() -> None:
        response = client.get(f"/api/v1/kpis/{kpi.id}", params=params)
        response.raise_for_status()

    return best_of(repeat, call)


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
    rows, complaints = base_rows(min(args.base, args.trajectories), args.seed)
    print(
        f"folded {len(rows)} base trajectories in {time.perf_counter() - started:.1f} s; replicating to {args.trajectories}"
    )
    kpis = [k for k in CATALOGUE if not isinstance(k.measure, Reported)]
    with TemporaryDirectory() as folder:
        reference = load_duckdb(Path(folder), replicated(rows, complaints, args.trajectories))
        duck: dict[tuple[str, bool], float] = {}
        for kpi in kpis:
            for grouped in (False, True):
                sql = duckdb_sql(kpi, grouped and not isinstance(kpi.measure, NO_BREAKDOWN))
                if sql:
                    duck[(kpi.id, grouped)] = best_of(
                        args.repeat, lambda s=sql: reference.execute(s).fetchall()
                    )
        for backend in args.backends.split(","):
            with fresh_database(backend) as url:
                upgrade_database(url)
                load_started = time.perf_counter()
                loader = load_postgres if backend == "postgresql" else load_sqlite
                loader(url, replicated(rows, complaints, args.trajectories))
                print(
                    f"\n{backend}: loaded {args.trajectories} trajectories in {time.perf_counter() - load_started:.0f} s"
                )
                create_engine(url).dispose()
                with (
                    running_service(url) as base,
                    httpx.Client(base_url=base, timeout=600) as client,
                ):
                    print(
                        f"{'kpi':<34}{'total s':>9}{'x duckdb':>10}{'by team s':>11}{'x duckdb':>10}"
                    )
                    for kpi in kpis:
                        cells = []
                        for grouped in (False, True):
                            if grouped and isinstance(kpi.measure, NO_BREAKDOWN):
                                cells += ["-", "-"]
                                continue
                            ours = time_endpoint(client, kpi, grouped, args.repeat)
                            ratio = ours / duck[(kpi.id, grouped)]
                            cells += [f"{ours:.3f}", f"{ratio:.1f}"]
                        print(
                            f"{kpi.id:<34}{cells[0]:>9}{cells[1]:>10}{cells[2]:>11}{cells[3]:>10}"
                        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
