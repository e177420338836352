"""How long ingesting generated events through the batch endpoint takes, per database.

The service runs under uvicorn on loopback (as in production); events go in NDJSON batches
of 10,000. The baseline, measured in the same run on the same machine, is a raw bulk
insert of the same rows into the same events table: no validation, no idempotency check,
no projection. The ratio says what the service's guarantees cost.

    python -m scripts.benchmark_ingest --events 100000
"""

import argparse
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
import orjson
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from app.db import create_db_engine, create_session_factory, upgrade_database
from app.domain.calendar import local_date
from app.models import StoredEvent
from app.services.clients import SCOPES, create_client
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
def running_service(database_url: str) -> Iterator[httpx.Client]:
    """uvicorn on loopback over a migrated database, and a client authenticated to it."""
    token = benchmark_token(database_url)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "ENVIRONMENT": "test",
        "RATE_LIMIT_PER_MINUTE": str(10**9),  # a benchmark is one client on purpose
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
            yield client
    finally:
        process.terminate()
        process.wait(timeout=30)


def time_service(database_url: str, events: list[dict[str, object]], batch_size: int) -> float:
    upgrade_database(database_url)
    payloads = [
        b"\n".join(orjson.dumps(e) for e in events[i : i + batch_size])
        for i in range(0, len(events), batch_size)
    ]
    with running_service(database_url) as client:
        started = time.perf_counter()
        for payload in payloads:
            response = client.post(
                "/api/v1/events/batch",
                content=payload,
                headers={"Content-Type": "application/x-ndjson"},
            )
            response.raise_for_status()
            assert response.json()["rejected"] == 0, response.json()["errors"][:3]
        return time.perf_counter() - started


def time_raw_insert(database_url: str, events: list[dict[str, object]], batch_size: int) -> float:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    events = events_totalling(args.events, args.seed)
    trajectories = len({e["trajectoryId"] for e in events})
    print(f"{len(events)} events, {trajectories} trajectories, batches of {args.batch_size}")
    print(f"{'database':<12}{'service s':>11}{'raw insert s':>14}{'ratio':>8}{'events/s':>10}")
    for backend in args.backends.split(","):
        with fresh_database(backend) as url:
            service = time_service(url, events, args.batch_size)
        with fresh_database(backend) as url:
            raw = time_raw_insert(url, events, args.batch_size)
        rate = len(events) / service
        print(f"{backend:<12}{service:>11.2f}{raw:>14.2f}{service / raw:>8.1f}{rate:>10.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
