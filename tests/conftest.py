"""Fixtures: every database test runs on SQLite and on a real PostgreSQL server.

Each backend gets a fresh database per test session, built by `alembic upgrade head`
(the same path production takes); tests start from empty tables. PostgreSQL must be
reachable: scripts/test.sh starts the local cluster. If it is not, the suite fails
rather than skip, so a green run always means both databases were exercised.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from app.db import create_db_engine, create_session_factory, upgrade_database
from app.domain.terms import DEFAULT_TERMS
from app.main import create_app
from app.models import Base
from app.services.access.clients import SCOPES, create_client
from app.services.projection.build import code_version, mark_current
from app.settings import Settings

ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgresql"]


def _create_postgres_database() -> str:
    name = f"wijkteam_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - the message is the point
        pytest.fail(
            f"PostgreSQL is not reachable at {ADMIN_URL} ({exc.__class__.__name__}). "
            "Run the suite with scripts/test.sh, which starts the local cluster, or set "
            "TEST_POSTGRES_ADMIN_URL. The PostgreSQL half of the suite is never skipped.",
            pytrace=False,
        )
    finally:
        admin.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        path = Path(tmp_path_factory.mktemp("sqlite")) / "test.sqlite3"
        url = f"sqlite:///{path}"
        upgrade_database(url)
        yield url
        return
    url = _create_postgres_database()
    try:
        upgrade_database(url)
        yield url
    finally:
        _drop_postgres_database(url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url, pool_size=5)
    yield engine
    engine.dispose()


KEPT_BETWEEN_TESTS = {"api_clients"}


def empty_all_tables(engine: Engine) -> None:
    """Every table but the API clients, which the session-wide test clients authenticate with;
    the (empty) projection is recorded as built by this version with the default terms."""
    tables = [
        t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in KEPT_BETWEEN_TESTS
    ]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)}"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    with create_session_factory(engine).begin() as session:
        mark_current(session, code_version(DEFAULT_TERMS))


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # The suite makes thousands of requests a minute with one token; limits have their own test.
    return Settings(
        environment="test",
        database_url=database_url,
        db_pool_size=5,
        rate_limit_per_minute=10**9,
        failed_auth_per_minute=10**9,
        # A run across local midnight must not have the nightly warming compute beside the
        # tests (it would move the cache counters they read); its test calls warm() itself.
        figure_warm_at="none",
        # Deliveries are driven by the notification tests themselves, on their own clock.
        notify_poll_seconds=0,
        notify_terms_at="none",
    )


@pytest.fixture(scope="session")
def tokens(engine: Engine) -> dict[str, str]:
    """One client per scope, plus `all` (every scope), `other` (another municipality) and
    `regional` (every scope, no municipality of its own)."""
    sessions = create_session_factory(engine)
    made = {}
    with sessions.begin() as session:
        for scope in SCOPES:
            made[scope] = create_client(session, f"test {scope}", [scope], "0193")[1]
        made["all"] = create_client(session, "test all scopes", SCOPES, "0193")[1]
        made["other"] = create_client(session, "test other municipality", SCOPES, "0200")[1]
        made["regional"] = create_client(session, "test regional, every scope", SCOPES, None)[1]
    return made


def authorised(client: TestClient, token: str) -> TestClient:
    client.headers["Authorization"] = f"Bearer {token}"
    return client


@pytest.fixture(scope="session")
def app_client(settings: Settings, tokens: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield authorised(client, tokens["all"])


@pytest.fixture
def client(app_client: TestClient, engine: Engine, tokens: dict[str, str]) -> Iterator[TestClient]:
    """A client with every scope on an empty database, on each backend in turn."""
    empty_all_tables(engine)
    yield authorised(app_client, tokens["all"])


@pytest.fixture(scope="session")
def unsuppressed_app_client(settings: Settings, tokens: dict[str, str]) -> Iterator[TestClient]:
    small = settings.model_copy(update={"min_cell_size": 1})
    with TestClient(create_app(small), raise_server_exceptions=False) as client:
        yield authorised(client, tokens["all"])


@pytest.fixture
def kpi_client(unsuppressed_app_client: TestClient, engine: Engine) -> Iterator[TestClient]:
    """For worked examples of a few cases: small-number suppression off (min cell size 1)."""
    empty_all_tables(engine)
    yield unsuppressed_app_client
