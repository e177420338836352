"""How long ingesting generated events through the batch endpoint takes, per database.

The service runs under uvicorn on loopback (as in production); events go in NDJSON batches
of 10,000. The baseline, measured in the same run on the same machine, is a raw bulk
insert of the same rows into the same events table: no validation, no idempotency check,
no projection. The ratio says what the service's guarantees cost.

    python -m scripts.benchmark_ingest --events 100000
    INGEST_PROCESSES=0 python -m scripts.benchmark_ingest   # batches in the request's thread

The service's settings come from the environment (INGEST_PROCESSES, FIGURE_CACHE via
--figure-cache); RSS is the service's process and its ingest worker together.
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
import orjson
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from app.db import create_db_engine, create_session_factory, upgrade_database
from app.domain.calendar import local_date
from app.models import StoredEvent
from app.services.access.clients import SCOPES, create_client
from scripts.generate_events import generate

ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def events_totalling(count: int, seed: int) -> list[dict[str, object]]:
    events: list[dict[str, object]] = []
    for body in generate(count // 5, seed=seed):
        events.append(body)
        if len(events) == count:
            return events
    raise SystemExit("the generator produced fewer events than asked; raise the trajectory count")


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        return
    name = f"wijkteam_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def benchmark_token(database_url: str) -> str:
    """An all-scopes client in the benchmark's own throw-away database."""
    engine = create_db_engine(database_url, pool_size=1)
    with create_session_factory(engine).begin() as session:
        _, token = create_client(session, "benchmark", SCOPES, None)
    engine.dispose()
    return token


@contextmanager
def running_service(
    database_url: str, figure_cache: str = "none"
) -> Iterator[tuple[httpx.Client, subprocess.Popen[bytes]]]:
    """uvicorn on loopback over a migrated database, and a client authenticated to it.
    The figure cache is off unless asked for: a benchmark of computing figures must compute
    them every time, not answer the second request from the first."""
    token = benchmark_token(database_url)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "ENVIRONMENT": "test",
        "RATE_LIMIT_PER_MINUTE": str(10**9),  # a benchmark is one client on purpose
        "FIGURE_CACHE": figure_cache,
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "app.main:create_app",
        "--factory",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/api/v1/health/ready").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, timeout=600, headers=headers) as client:
            yield client, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def payloads(events: list[dict[str, object]], batch_size: int) -> list[bytes]:
    return [
        b"\n".join(orjson.dumps(e) for e in events[i : i + batch_size])
        for i in range(0, len(events), batch_size)
    ]


class Autovacuum:
    """Where the server's autovacuum is off (this machine's CI cluster: conf.d/90-ci.conf),
    a stand-in that does what PostgreSQL's autovacuum does with its default settings: once
    a minute (autovacuum_naptime) it vacuums and analyses each table whose dead rows exceed
    50 + 20 % of its rows or whose changes since the last analysis exceed 50 + 10 %, throttled
    as autovacuum is (cost delay 2 ms, cost limit 200), in the background, competing for the
    same cores. Without it the refold's delete-and-insert leaves every replaced projection
    row dead and the tables only grow, which no production database with the default
    settings does."""

    NAPTIME_SECONDS = 60
    DUE = text(
        "SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'public' "  # not temp tables
        "AND (n_dead_tup > 50 + 0.2 * n_live_tup OR n_mod_since_analyze > 50 + 0.1 * n_live_tup)"
    )

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with self.engine.connect() as connection:
            self.needed = connection.execute(text("SHOW autovacuum")).scalar_one() == "off"
        self.running: threading.Thread | None = None
        self.last_look = time.monotonic()
        self.runs = 0

    def after_batch(self) -> None:
        if not self.needed or (self.running is not None and self.running.is_alive()):
            return
        if time.monotonic() - self.last_look < self.NAPTIME_SECONDS:
            return
        self.last_look = time.monotonic()
        self.running = threading.Thread(target=self._vacuum, daemon=True)
        self.running.start()

    def _vacuum(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SET vacuum_cost_delay = '2ms'"))
            connection.execute(text("SET vacuum_cost_limit = 200"))
            for (table,) in connection.execute(self.DUE).all():
                connection.execute(text(f'VACUUM (ANALYZE) public."{table}"'))
                self.runs += 1

    def close(self) -> None:
        if self.running is not None:
            self.running.join()
        self.engine.dispose()


NO_AUTOVACUUM: Autovacuum | None = None


def post_all(
    client: httpx.Client, batches: list[bytes], autovacuum: Autovacuum | None = NO_AUTOVACUUM
) -> float:
    started = time.perf_counter()
    for payload in batches:
        response = client.post(
            "/api/v1/events/batch",
            content=payload,
            headers={"Content-Type": "application/x-ndjson"},
        )
        response.raise_for_status()
        assert response.json()["rejected"] == 0, response.json()["errors"][:3]
        if autovacuum is not None:
            autovacuum.after_batch()
    return time.perf_counter() - started


def rss_mib(process: subprocess.Popen[bytes]) -> float:
    """Resident memory of the service: its process and the ones it started (the ingest
    worker), from Linux /proc."""
    return sum(_own_rss_mib(pid) for pid in _tree(process.pid))


def _tree(pid: int) -> list[int]:
    children = [
        int(child)
        for listing in Path(f"/proc/{pid}/task").glob("*/children")
        for child in listing.read_text().split()
    ]
    return [pid, *(p for child in children for p in _tree(child))]


def _own_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


IDLE_READS = 40  # per reader, with no sender
KPI_READS = ["inflow", "lead_time", "provision_ratio", "waiting_time_intake", "outflow"]


def read_kpis(client: httpx.Client, stop: threading.Event, limit: int) -> list[float]:
    """A BI reader refreshing figures without a validator (every answer computed), until
    `stop` or `limit` requests; the latencies in seconds."""
    latencies = []
    for number in range(limit):
        if stop.is_set():
            break
        kpi = KPI_READS[number % len(KPI_READS)]
        started = time.perf_counter()
        response = client.get(
            f"/api/v1/kpis/{kpi}",
            params={"from": "2025-01-01", "to": "2026-12-31", "groupBy": "team"},
        )
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
    return latencies


def cache_outcomes(client: httpx.Client) -> Counter[str]:
    """The service's figure cache look-ups so far, by outcome (hit, miss, waited)."""
    found: Counter[str] = Counter()
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == "wijkteam_figure_cache_total":
                found[sample.labels["outcome"]] += int(sample.value)
    return found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)] if ordered else float("nan")


def under_load(
    client: httpx.Client, batches: list[bytes], readers: int, autovacuum: Autovacuum | None
) -> tuple[float, float]:
    """`readers` BI readers at once while one sender posts `batches`: (ingest seconds, KPI
    p95 seconds). Each reader has its own connection, as separate tools would. With no
    batches, the same readers alone (IDLE_READS each): the idle p95 the loaded one is
    compared with, so that the ratio is what the sender costs them, not their number."""
    stop = threading.Event()
    headers = dict(client.headers)
    with ThreadPoolExecutor(readers) as pool:
        clients = [
            httpx.Client(base_url=str(client.base_url), timeout=600, headers=headers)
            for _ in range(readers)
        ]
        limit = 10_000 if batches else IDLE_READS
        futures = [pool.submit(read_kpis, c, stop, limit) for c in clients]
        seconds = 0.0
        if batches:
            try:
                seconds = post_all(client, batches, autovacuum)
            finally:
                stop.set()
        latencies = [t for f in futures for t in f.result()]
        for c in clients:
            c.close()
    return seconds, p95(latencies)


def time_raw_insert(
    database_url: str, events: list[dict[str, object]], batch_size: int, migrate: bool = True
) -> float:
    if migrate:
        upgrade_database(database_url)
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    started = time.perf_counter()
    for start in range(0, len(events), batch_size):
        rows = []
        for body in events[start : start + batch_size]:
            occurred = datetime.fromisoformat(str(body["occurredAt"]))
            rows.append(
                {
                    "municipality": "0193",
                    "event_id": body["eventId"],
                    "trajectory_id": body["trajectoryId"],
                    "type": body["type"],
                    "occurred_at": occurred,
                    "occurred_on": local_date(occurred),
                    "received_at": now,
                    "body_sha256": "0" * 64,
                    "body": body,
                }
            )
        with engine.begin() as connection:
            connection.execute(insert(StoredEvent), rows)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def split_daily(
    events: list[dict[str, object]], share: float
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The backfill (each trajectory's first events) and the daily traffic (the last
    `share` of each trajectory's events, for trajectories that already have many)."""
    by_trajectory: dict[object, list[dict[str, object]]] = {}
    for event in events:
        by_trajectory.setdefault(event["trajectoryId"], []).append(event)
    backfill, daily = [], []
    for trajectory_events in by_trajectory.values():
        keep = max(1, round(len(trajectory_events) * (1 - share)))
        backfill += trajectory_events[:keep]
        daily += trajectory_events[keep:]
    return backfill, daily


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--readers", type=int, default=8, help="BI readers in the load case")
    parser.add_argument(
        "--figure-cache",
        default="none",
        help="FIGURE_CACHE of the service (none: every KPI read computed, the default here)",
    )
    args = parser.parse_args(argv)
    events = events_totalling(args.events, args.seed)
    backfill, daily = split_daily(events, 0.2)
    # The load case sends new trajectories (another seed) while readers refresh figures.
    extra = events_totalling(max(args.batch_size * 6, args.events // 5), args.seed + 1)
    trajectories = len({e["trajectoryId"] for e in events})
    print(
        f"{len(events)} events of {trajectories} trajectories: backfill {len(backfill)}, "
        f"daily {len(daily)} (the last 20% of each trajectory's events); load case "
        f"{len(extra)} more events beside {args.readers} KPI readers; batches of "
        f"{args.batch_size}"
    )
    header = (
        f"{'database':<11}{'case':<10}{'service s':>10}{'raw s':>8}{'x raw':>7}{'raw %':>7}"
        f"{'events/s':>10}{'RSS MiB':>9}"
    )
    print(header)
    for backend in args.backends.split(","):
        with fresh_database(backend) as url:
            raw_backfill = time_raw_insert(url, backfill, args.batch_size)
            raw_daily = time_raw_insert(url, daily, args.batch_size, migrate=False)
        with fresh_database(backend) as url:
            upgrade_database(url)
            autovacuum = Autovacuum(url) if backend == "postgresql" else None
            with running_service(url, args.figure_cache) as (client, process):
                cases = []
                seconds = post_all(client, payloads(backfill, args.batch_size), autovacuum)
                cases.append(("backfill", seconds, raw_backfill, len(backfill), rss_mib(process)))
                seconds = post_all(client, payloads(daily, args.batch_size), autovacuum)
                cases.append(("daily", seconds, raw_daily, len(daily), rss_mib(process)))
                for name, service, raw, count, rss in cases:
                    print(
                        f"{backend:<11}{name:<10}{service:>10.2f}{raw:>8.2f}{service / raw:>7.1f}"
                        f"{100 * raw / service:>6.0f}%{count / service:>10.0f}{rss:>9.0f}"
                    )
                _, idle = under_load(client, [], args.readers, None)
                batches = payloads(extra, args.batch_size)
                half = len(batches) // 2
                idle_seconds = post_all(client, batches[:half], autovacuum)
                idle_rate = sum(len(b.splitlines()) for b in batches[:half]) / idle_seconds
                cache_before = cache_outcomes(client)
                loaded_seconds, loaded = under_load(
                    client, batches[half:], args.readers, autovacuum
                )
                cache_during = cache_outcomes(client) - cache_before
                loaded_rate = sum(len(b.splitlines()) for b in batches[half:]) / loaded_seconds
                print(
                    f"{backend:<11}load: KPI p95 of {args.readers} readers alone {idle * 1000:.0f} ms, "
                    f"beside the sender "
                    f"{loaded * 1000:.0f} ms ({loaded / idle:.1f}x); ingest idle "
                    f"{idle_rate:.0f} ev/s, under load {loaded_rate:.0f} ev/s "
                    f"({100 * loaded_rate / idle_rate:.0f}%); RSS {rss_mib(process):.0f} MiB"
                )
                if cache_during:
                    print(
                        f"{backend:<11}load: figure cache under load "
                        + ", ".join(f"{n} {outcome}" for outcome, n in sorted(cache_during.items()))
                    )
            if autovacuum is not None:
                autovacuum.close()
                if autovacuum.needed:
                    print(
                        f"{backend:<11}the server's autovacuum is off: the benchmark's stand-in "
                        f"(its defaults, once a minute) vacuumed {autovacuum.runs} tables instead"
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
