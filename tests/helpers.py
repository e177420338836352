"""Helpers several test modules share (no test module imports another)."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.auth import ScopeGuard
from app.db import create_db_engine, create_session_factory, upgrade_database
from app.domain.events import DomainEvent
from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.figures import Cell, DurationStats, KpiQuery
from app.domain.kpis.reference import evaluate
from app.domain.vocabulary import EventType
from app.models import (
    Application,
    Complaint,
    StepCompletion,
    StoredEvent,
    SupportSpell,
    Trajectory,
    TrajectoryPeriod,
)
from app.schemas.events import EVENT_ADAPTER
from app.services.access import clients as client_service
from app.services.figures.kpi_sql import evaluate_sql


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= body.keys()
    return body


def domain_events(bodies: list[dict[str, Any]]) -> list[DomainEvent]:
    result = []
    for body in bodies:
        parsed = EVENT_ADAPTER.validate_python(body)
        dumped = parsed.model_dump(mode="json", by_alias=True, exclude_none=True)
        result.append(
            DomainEvent(
                event_id=str(parsed.event_id),
                trajectory_id=parsed.trajectory_id,
                type=EventType(parsed.type),
                occurred_at=parsed.occurred_at,
                data=dumped.get("data", {}),
            )
        )
    return result


PUBLIC = {"/api/v1/health/live", "/api/v1/health/ready"}
SCOPES = ("events:write", "kpi:read", "audit:read", "admin")


def guards(dependant: Any) -> list[ScopeGuard]:
    """The distinct ScopeGuards a route depends on (one guard used by two of its
    dependencies, as FastAPI runs it once per request, counts once)."""
    found = [dependant.call] if isinstance(dependant.call, ScopeGuard) else []
    for sub in dependant.dependencies:
        found += [g for g in guards(sub) if not any(g is f for f in found)]
    return found


@dataclass(frozen=True)
class MountedRoute:
    """An APIRoute as a client reaches it: its path with the prefix it is mounted under."""

    path: str
    methods: set[str] | None
    dependant: Dependant


# Routes outside the OpenAPI document, public by design: the docs pages and /metrics.
UNDOCUMENTED = {
    "/api/v1/docs",
    "/api/v1/docs/oauth2-redirect",
    "/api/v1/redoc",
    "/api/v1/redoc.js",
    "/metrics",
}
WORKBENCH = "/werkbank/"


def api_routes(client: TestClient) -> list[MountedRoute]:
    """Every APIRoute of the API, also inside included routers, from the live route table;
    a route left out of the OpenAPI document must be one of UNDOCUMENTED."""

    def walk(routes: list[Any], prefix: str) -> list[MountedRoute]:
        found = []
        for route in routes:
            if isinstance(route, APIRoute) and route.include_in_schema:
                found.append(MountedRoute(prefix + route.path, route.methods, route.dependant))
            elif isinstance(route, APIRoute):
                # The workbench's pages are not the API (tests/browser/ covers them).
                path = prefix + route.path
                assert path in UNDOCUMENTED or path.startswith(WORKBENCH), f"{path} is hidden"
            elif hasattr(route, "original_router"):
                # FastAPI keeps an included router whole and applies its prefix when routing.
                inner = prefix + route.include_context.prefix
                found += walk(route.original_router.routes, inner)
        return found

    routes = walk(client.app.routes, "")  # type: ignore[attr-defined]
    assert len(routes) >= 15, "the route table was not read"
    return routes


Rows = list[dict[str, Any]]


def rows_of(engine: Engine) -> tuple[Rows, Rows, Rows, Rows, Rows, Rows]:
    with Session(engine) as session:

        def table(model: Any) -> Rows:
            return [dict(r._mapping) for r in session.execute(select(model.__table__))]

        return (
            table(Trajectory),
            table(Complaint),
            table(TrajectoryPeriod),
            table(Application),
            table(SupportSpell),
            table(StepCompletion),
        )


def stored_events(engine: Engine) -> int:
    """How many events the database holds."""
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(StoredEvent)).scalar_one())


def comparable(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, DurationStats):
        return comparable(value.__dict__)
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    return value


def as_plain(cells: list[Cell]) -> list[dict[str, Any]]:
    return [comparable(c.__dict__) for c in cells]


def assert_reference_agrees(
    engine: Engine, kpi_id: str, start: str, end: str, group_by: tuple[str, ...] = ()
) -> None:
    """The SQL served for a worked example equals the Python reference on the same rows."""
    kpi = next(k for k in CATALOGUE if k.id == kpi_id)
    query = KpiQuery(date.fromisoformat(start), date.fromisoformat(end), group_by)
    with Session(engine) as session:
        served = evaluate_sql(session, "0193", kpi.measure, query)
    trajectories, complaints, periods, applications, supports, steps = rows_of(engine)
    expected = evaluate(
        kpi.measure, trajectories, query, complaints, periods, applications, supports, steps
    )
    assert served, kpi_id
    assert as_plain(served) == as_plain(expected), kpi_id


@contextmanager
def live_server(
    folder: Path, database_url: str | None = None, **settings: str
) -> Iterator[tuple[str, str]]:
    """The service under uvicorn on a free loopback port, as `scripts/run.sh` serves it,
    over `database_url` (migrated) or a fresh SQLite file in `folder`; yields its base URL
    and an all-scopes token. `settings` (environment names) are set for the server too."""
    url = database_url or f"sqlite:///{folder / 'live.sqlite3'}"
    upgrade_database(url)
    engine = create_db_engine(url, pool_size=1)
    with create_session_factory(engine).begin() as session:
        token = client_service.create_client(session, "live", client_service.SCOPES, None)[1]
    engine.dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "test", "LOG_LEVEL": "WARNING"}
    env.update(settings)  # further settings, by their environment names
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen([*command, "--port", str(port)], env=env, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/v1/health/ready").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base, token
    finally:
        process.terminate()
        process.wait(timeout=30)


HTML = {"Accept": "text/html,application/xhtml+xml"}
YEAR = {"from": "2026-01-01", "to": "2026-12-31"}


def hidden_csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def sign_in(browser: TestClient, token: str) -> tuple[httpx.Response, str]:
    """Signs in through the form; the answer and the session's CSRF token."""
    form = browser.get("/werkbank/inloggen", headers=HTML)
    answer = browser.post(
        "/werkbank/inloggen",
        data={"token": token, "csrf": hidden_csrf(form)},
        headers=HTML,
        follow_redirects=False,
    )
    if answer.status_code != 303:
        return answer, ""
    return answer, hidden_csrf(browser.get(answer.headers["location"], headers=HTML))
