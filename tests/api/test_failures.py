"""Failures answered honestly: 500 and 503 as problem+json with every standard header, the
database cut mid-batch leaving nothing behind, and the HTTP edges (405, 404, 406, 415)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError

from app.main import create_app
from app.models import StoredEvent
from app.settings import Settings
from tests.conftest import authorised
from tests.factories import full_trajectory, opened
from tests.helpers import assert_problem

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


def test_the_database_cut_during_a_batch_gives_503_stores_nothing_and_recovers(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.projection_store import refold

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
    monkeypatch.setattr("app.services.ingest.refold", refold_after_losing_the_connection)
    batch = full_trajectory("CUT-1")
    response = client.post("/api/v1/events/batch", json=batch)
    assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(StoredEvent)).scalar_one()
    assert stored == 0
    monkeypatch.setattr("app.services.ingest.refold", refold)
    again = client.post("/api/v1/events/batch", json=batch)
    assert again.status_code == 200
    assert again.json()["created"] == len(batch)


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
