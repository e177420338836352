"""Failures answered honestly: 500 and 503 as problem+json with every standard header, the
database cut or the ingest worker killed mid-batch leaving nothing behind, a graceful stop
finishing the batch in progress, and the HTTP edges (405, 404, 406, 415)."""

import asyncio
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from app.db import create_db_engine, create_session_factory
from app.domain.terms import DEFAULT_TERMS
from app.errors import ServiceUnavailable
from app.logs import carry_request_id
from app.main import create_app
from app.services.ingestion import worker as ingest_worker
from app.services.ingestion.events import Sender
from app.services.ingestion.worker import BatchIngest
from app.settings import Settings
from scripts.generate_events import generate
from tests.conftest import authorised, empty_all_tables
from tests.factories import full_trajectory, opened
from tests.helpers import assert_problem, live_server, stored_events

STANDARD_HEADERS = ("api-version", "x-content-type-options", "x-frame-options", "cache-control")


def test_an_unexpected_error_is_a_500_problem_with_the_standard_headers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("app.routers.trajectories.get_trajectory", broken)
    response = client.get("/api/v1/trajectories/T-1", headers={"Origin": "https://bi.example"})
    problem = assert_problem(response, 500)
    assert "a bug" not in problem["detail"]  # no internals leak
    assert all(h in response.headers for h in STANDARD_HEADERS)
    assert response.headers["access-control-allow-origin"] == "*"


def test_a_database_that_does_not_answer_is_a_503_with_retry_after(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def away(*_: Any, **__: Any) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("app.routers.trajectories.get_trajectory", away)
    response = client.get("/api/v1/trajectories/T-1")
    problem = assert_problem(response, 503)
    assert problem["type"].endswith("/unavailable")
    assert int(response.headers["Retry-After"]) > 0
    assert all(h in response.headers for h in STANDARD_HEADERS)


def test_a_stopped_database_gives_503_on_every_route_and_readiness_says_so(
    settings: Settings, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 1 refuses connections: the same as PostgreSQL stopped after the service started.
    monkeypatch.setattr("app.main.ensure_schema_current", lambda engine: None)
    down = settings.model_copy(
        update={"database_url": "postgresql+psycopg://postgres@127.0.0.1:1/stopped"}
    )
    with TestClient(create_app(down)) as client:
        authorised(client, tokens["all"])
        for method, path in (
            ("GET", "/api/v1/kpis"),
            ("GET", "/api/v1/trajectories/T-1"),
            ("POST", "/api/v1/events"),
            ("GET", "/api/v1/health/ready"),
        ):
            body = opened("2026-03-02T09:00:00+01:00") if method == "POST" else None
            response = client.request(method, path, json=body)
            assert_problem(response, 503)
            assert all(h in response.headers for h in STANDARD_HEADERS)
        assert client.get("/api/v1/health/live").status_code == 200


@pytest.fixture
def in_thread_client(
    client: TestClient, settings: Settings, tokens: dict[str, str]
) -> Iterator[TestClient]:
    """A service that ingests batches in the request's thread (INGEST_PROCESSES=0), so a
    test can reach into the transaction; `client` has emptied the tables."""
    in_thread = settings.model_copy(update={"ingest_processes": 0})
    with TestClient(create_app(in_thread), raise_server_exceptions=False) as service:
        yield authorised(service, tokens["all"])


def test_the_database_cut_during_a_batch_gives_503_stores_nothing_and_recovers(
    in_thread_client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = in_thread_client
    from app.services.projection.store import refold

    def refold_after_losing_the_connection(session: Any, *args: Any, **kwargs: Any) -> None:
        # The events are inserted; the connection dies before the projection is written.
        if engine.dialect.name == "postgresql":
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with engine.connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        else:  # SQLite has no server to lose; its outage is a lock held past the timeout
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        refold(session, *args, **kwargs)

    # the refold that ingestion calls, after its events were inserted
    monkeypatch.setattr("app.services.ingestion.ingest.refold", refold_after_losing_the_connection)
    batch = full_trajectory("CUT-1")
    response = client.post("/api/v1/events/batch", json=batch)
    assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0
    assert stored_events(engine) == 0
    monkeypatch.setattr("app.services.ingestion.ingest.refold", refold)
    again = client.post("/api/v1/events/batch", json=batch)
    assert again.status_code == 200
    assert again.json()["created"] == len(batch)


def ingest_workers() -> list[int]:
    """This test process's ingest workers: its children started by multiprocessing's spawn."""
    return [pid for pid in children_of(os.getpid()) if b"spawn_main" in cmdline(pid)]


def test_an_ingest_worker_killed_mid_batch_gives_503_stores_nothing_and_is_replaced(
    client: TestClient, settings: Settings, tokens: dict[str, str], engine: Engine
) -> None:
    """A service of its own (`client` only empties the tables), so its worker is known."""
    others = set(ingest_workers())  # other services' workers in this test process
    service = TestClient(create_app(settings), raise_server_exceptions=False)
    with service:
        authorised(service, tokens["all"])
        _kill_the_worker_mid_batch(service, engine, others)


def _kill_the_worker_mid_batch(client: TestClient, engine: Engine, others: set[int]) -> None:
    first = client.post("/api/v1/events/batch", json=[opened("2026-03-02T09:00:00+01:00")])
    assert first.json()["created"] == 1
    (worker,) = set(ingest_workers()) - others  # the batch ran in it, so it runs now
    batch = list(generate(2_000, seed=11))[:10_000]  # seconds of work for the worker
    answers: list[Any] = []
    sending = threading.Thread(
        target=lambda: answers.append(client.post("/api/v1/events/batch", json=batch))
    )
    sending.start()
    time.sleep(0.5)  # the batch is in the worker, far from its commit
    os.kill(worker, signal.SIGKILL)
    sending.join()
    problem = assert_problem(answers[0], 503)
    assert "retry" in problem["detail"]
    assert int(answers[0].headers["Retry-After"]) > 0
    assert stored_events(engine) == 1  # the first batch only
    again = client.post("/api/v1/events/batch", json=batch)
    assert again.status_code == 200
    assert again.json()["created"] == len(batch)
    assert worker not in ingest_workers()


def test_an_ingest_worker_ends_when_its_serving_process_is_killed(tmp_path: Path) -> None:
    """SIGKILL leaves no shutdown to run: the worker notices it lost its parent and ends
    instead of waiting for batches forever."""
    with live_server(tmp_path) as (base, token):
        posted = httpx.post(
            f"{base}/api/v1/events/batch",
            json=list(generate(3, seed=4)),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert posted.json()["rejected"] == 0
        port = base.rsplit(":", 1)[1].encode()
        (server,) = [pid for pid in children_of(os.getpid()) if port in cmdline(pid)]
        (worker,) = [pid for pid in children_of(server) if b"spawn_main" in cmdline(pid)]
        os.kill(server, signal.SIGKILL)
        for _ in range(100):  # ten seconds at most; it checks every second
            if not running(worker):
                break
            time.sleep(0.1)
        assert not running(worker)


@pytest.mark.parametrize("parent_alive", [True, False])
def test_a_worker_commits_a_batch_only_while_its_serving_process_lives(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, parent_alive: bool
) -> None:
    """A serving process SIGKILLed just before its worker commits leaves nobody waiting for
    the answer (the sender will retry): the worker looks at its parent before it commits,
    so such a batch is rolled back, however little time was left between two watches."""
    empty_all_tables(engine)
    monkeypatch.setattr(ingest_worker, "_worker_sessions", create_session_factory(engine))
    parent = os.getppid() if parent_alive else os.getppid() + 1_000_000  # not ours: it died
    monkeypatch.setattr(ingest_worker, "_parent", parent)
    batch = [opened("2026-03-02T09:00:00+01:00", f"T-{i}") for i in range(3)]
    result = ingest_worker._record_in_worker(batch, Sender("0193", None, DEFAULT_TERMS), None)
    assert stored_events(engine) == (3 if parent_alive else 0)
    assert isinstance(result, ingest_worker._Failed) is not parent_alive


def test_a_batch_in_progress_is_finished_and_stored_when_the_server_is_stopped(
    tmp_path: Path,
) -> None:
    """A graceful stop (SIGTERM, as a deployment sends it) lets the batch the worker is
    folding finish: the sender gets its 200 and every event is stored, then both end."""
    with live_server(tmp_path) as (base, token):
        headers = {"Authorization": f"Bearer {token}"}
        one = [opened("2026-03-02T09:00:00+01:00")]
        first = httpx.post(f"{base}/api/v1/events/batch", json=one, headers=headers)
        assert first.json()["created"] == 1  # the worker has started
        port = base.rsplit(":", 1)[1].encode()
        (server,) = [pid for pid in children_of(os.getpid()) if port in cmdline(pid)]
        (worker,) = [pid for pid in children_of(server) if b"spawn_main" in cmdline(pid)]
        batch = list(generate(2_000, seed=12))[:10_000]  # seconds of work for the worker
        answers: list[httpx.Response] = []

        def send() -> None:
            answers.append(
                httpx.post(f"{base}/api/v1/events/batch", json=batch, headers=headers, timeout=120)
            )

        sending = threading.Thread(target=send)
        idle = cpu_seconds(worker)
        sending.start()
        for _ in range(300):  # until the worker is well into the batch (30 s at most)
            if cpu_seconds(worker) - idle > 0.3:
                break
            time.sleep(0.1)
        os.kill(server, signal.SIGTERM)
        sending.join(timeout=120)
        assert answers and answers[0].status_code == 200, answers
        assert answers[0].json()["created"] == len(batch)
        for _ in range(300):
            if not (running(server) or running(worker)):
                break
            time.sleep(0.1)
        assert not running(server) and not running(worker)
    engine = create_db_engine(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    assert stored_events(engine) == 1 + len(batch)
    engine.dispose()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used (/proc/<pid>/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    threads = Path(f"/proc/{pid}/task").glob("*/children")  # each thread's own
    return [int(child) for thread in threads for child in thread.read_text().split()]


def cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for a parent to collect it."""
    status = Path(f"/proc/{pid}/status")
    return status.exists() and b"State:\tZ" not in status.read_bytes()


@pytest.mark.parametrize(
    ("url", "workers"),
    [
        ("sqlite://", 0),  # in memory: a worker process could not see it
        ("sqlite:///:memory:", 0),
        ("sqlite:///data/wijkteam-kpi.sqlite3", 2),
        ("postgresql+psycopg://postgres@127.0.0.1:5432", 2),  # the user's own database
    ],
)
def test_batches_go_to_workers_unless_the_database_lives_in_this_process(
    url: str, workers: int
) -> None:
    assert BatchIngest(url, 2, "INFO", "text").processes == workers


def test_a_worker_that_cannot_reach_the_database_answers_503_and_logs_under_the_request(
    capfd: pytest.CaptureFixture[str],
) -> None:
    stopped = BatchIngest("postgresql+psycopg://postgres@127.0.0.1:1/stopped", 1, "INFO", "json")
    sender = Sender("0193", None, DEFAULT_TERMS)

    async def as_a_request() -> None:
        carry_request_id("req-worker-0001")  # what the request-id middleware sets
        await stopped.record(None, [opened("2026-03-02T09:00:00+01:00")], sender)  # type: ignore[arg-type]

    try:
        with pytest.raises(ServiceUnavailable) as refused:
            asyncio.run(as_a_request())
    finally:
        stopped.close()
    assert refused.value.headers["Retry-After"]
    # the worker's own line (its stderr is this process's) names the request
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if "{" in line]
    said = [line for line in lines if line.get("logger") == "wijkteam_kpi.ingest"]
    assert said and all(line["request_id"] == "req-worker-0001" for line in said)


def test_methods_trailing_slashes_media_types_and_accept(client: TestClient) -> None:
    options = client.options("/api/v1/clients")
    assert options.status_code == 204
    assert set(options.headers["allow"].split(", ")) == {"GET", "POST", "OPTIONS"}
    not_allowed = client.delete("/api/v1/clients")
    assert_problem(not_allowed, 405)
    assert set(not_allowed.headers["allow"].split(", ")) >= {"GET", "POST"}
    assert_problem(client.get("/api/v1/kpis/"), 404)
    plain = client.post(
        "/api/v1/events",
        content=b'{"eventId": "x"}',
        headers={"Content-Type": "text/plain"},
    )
    assert_problem(plain, 415)
    xml = client.post(
        "/api/v1/events/batch", content=b"<events/>", headers={"Content-Type": "application/xml"}
    )
    assert_problem(xml, 415)
    assert_problem(client.get("/api/v1/kpis", headers={"Accept": "text/html"}), 406)
    assert client.get("/api/v1/kpis", headers={"Accept": "text/html, */*;q=0.1"}).status_code == 200
    assert client.get("/api/v1/kpis", headers={"Accept": "application/*"}).status_code == 200
    csv = client.get(
        "/api/v1/kpis/inflow",
        params={"from": "2026-01-01", "to": "2026-01-31"},
        headers={"Accept": "text/csv"},
    )
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert (
        client.post("/api/v1/events", json=opened("2026-03-02T09:00:00+01:00")).status_code == 201
    )
