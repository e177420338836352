"""Migrations and models agree, on both databases; a database that is behind is refused."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.orm import Session

from app.db import DatabaseBehind, create_db_engine, ensure_schema_current, upgrade_database
from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.figures import KpiQuery
from app.domain.kpis.spec import Duration
from app.main import create_app
from app.models import Base, StoredEvent
from app.models.trajectory import OPEN_INTERVAL_INDEXES, compared_by_autogenerate
from app.services.figures.kpi_sql import open_intervals_sql
from app.settings import Settings


# SQLite cannot reflect expression indexes; the range indexes are PostgreSQL's alone.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        options = {"compare_type": True, "include_object": compared_by_autogenerate}
        context = MigrationContext.configure(connection, opts=options)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite: no INCLUDE
def test_each_index_holds_the_columns_its_model_names(engine: Engine) -> None:
    """The comparison above leaves out what an index INCLUDEs: compared here, so a
    migration and a model cannot drift on which columns a KPI reads from an index."""
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        held = {
            index["name"]: list(index.get("dialect_options", {}).get("postgresql_include", []))
            for index in inspector.get_indexes(table.name)
        }
        for index in table.indexes:
            wanted = list(index.dialect_options["postgresql"]["include"] or [])
            assert held[index.name] == wanted, index.name


DURATIONS = sorted(
    {(k.measure.start, k.measure.end) for k in CATALOGUE if isinstance(k.measure, Duration)}
)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite: no ranges
@pytest.mark.parametrize(("start", "end"), DURATIONS)
def test_every_duration_has_its_range_index_and_its_open_count_uses_it(
    engine: Engine, start: str, end: str
) -> None:
    """Left out of the comparison above (PostgreSQL words their expressions its own way):
    each Duration KPI's interval has a range index, built on the expression the count of
    open intervals queries, so the planner can use it (here told to, on a small table)."""
    (name,) = [n for n, interval in OPEN_INTERVAL_INDEXES.items() if interval == (start, end)]
    measure = next(
        k.measure
        for k in CATALOGUE
        if isinstance(k.measure, Duration) and (k.measure.start, k.measure.end) == (start, end)
    )
    captured: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    with Session(engine) as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        event.listen(engine, "before_cursor_execute", capture)
        try:
            query = KpiQuery(date(2026, 1, 1), date(2026, 3, 31))
            open_intervals_sql(session, "0193", measure, query)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        statement, parameters = captured[-1]
        plan = session.connection().exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
    assert any(name in line for (line,) in plan), plan


def test_the_app_refuses_a_database_that_is_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    engine = create_db_engine(url)
    with pytest.raises(DatabaseBehind, match="wijkteam-kpi migrate"):
        ensure_schema_current(engine)
    app = create_app(Settings(environment="test", database_url=url))

    with pytest.raises(DatabaseBehind), TestClient(app):
        pass


def test_refold_rebuilds_the_projection_from_the_events(client: TestClient, engine: Engine) -> None:
    """What ingestion wrote equals a rebuild from the stored events, row for row in every
    projection table: whether a batch folded the events it held (trajectories it opens) or
    read them back (trajectories with earlier events, including one whose opening comes
    after its first events)."""
    from app.services.projection.maintenance import refold_all
    from app.services.projection.store import PROJECTION_TABLES
    from scripts.generate_events import generate

    events = list(generate(40, seed=9))
    late_opening = [e for e in events if e["trajectoryId"] == events[0]["trajectoryId"]]
    first, rest = [e for e in events if e not in late_opening[1:]], late_opening[1:]
    for batch in (rest, first):  # one trajectory's steps before its opening, then the rest
        assert client.post("/api/v1/events/batch", json=batch).json()["rejected"] == 0
    before = projection_rows(engine, PROJECTION_TABLES)
    with engine.begin() as connection:
        for model in PROJECTION_TABLES:
            connection.execute(model.__table__.delete())  # type: ignore[attr-defined]
    url = str(engine.url.render_as_string(hide_password=False))
    assert refold_all(url, Settings(database_url=url).terms()) == 40
    after = projection_rows(engine, PROJECTION_TABLES)
    assert len(after["trajectories"]) == 40
    assert after == before


def projection_rows(engine: Engine, models: Any) -> dict[str, list[str]]:
    """Every row of every projection table, as sortable text (the time a row was written
    aside: a rebuild writes later)."""
    from sqlalchemy import select

    written = {"projected_at", "updated_at", "refolded_at"}
    with engine.connect() as connection:
        return {
            model.__tablename__: sorted(
                repr({k: v for k, v in row._mapping.items() if k not in written})
                for row in connection.execute(select(model.__table__))
            )
            for model in models
        }


def test_migrating_creates_the_sqlite_folder_of_a_fresh_checkout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'fresh' / 'wijkteam-kpi.sqlite3'}"
    upgrade_database(url)
    ensure_schema_current(create_db_engine(url))


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the session's, for an upgrade story."""
    from tests.conftest import _create_postgres_database, _drop_postgres_database

    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    url = _create_postgres_database()
    yield url
    _drop_postgres_database(url)


FIGURES = [
    ("/api/v1/kpis/inflow", {"groupBy": "team"}),
    ("/api/v1/kpis/reentry_rate", {"asOf": "2026-11-30"}),
    ("/api/v1/kpis/process_quality", {"asOf": "2026-11-30"}),
    ("/api/v1/kpis/efficiency", {"groupBy": "month"}),
    ("/api/v1/kpis/statutory_decision_within_term", {}),
    ("/api/v1/audit/summary", {"asOf": "2026-11-30"}),
]


def answers(client: TestClient) -> list[Any]:
    period = {"from": "2025-01-01", "to": "2026-10-31"}
    return [client.get(path, params={**period, **extra}).json() for path, extra in FIGURES]


def test_an_upgrade_never_serves_stale_figures_and_then_equals_a_fresh_load(
    fresh_url: str, settings: Settings, tokens: dict[str, str], engine: Engine
) -> None:
    from alembic import command
    from sqlalchemy import insert

    from app.db import alembic_config
    from app.schemas.events import EVENT_ADAPTER
    from app.services.ingestion.ingest import prepare
    from app.services.projection.maintenance import refold_all
    from app.services.storage.event_store import stored_row
    from scripts.generate_events import generate
    from tests.conftest import authorised, empty_all_tables

    events = list(generate(150, seed=21))
    # A database of the previous release (schema 0005) holding these events.
    command.upgrade(alembic_config(fresh_url), "0005")
    old = create_db_engine(fresh_url, pool_size=1)
    rows = [
        stored_row(e, e.occurred_at)
        for e in (
            prepare(index, EVENT_ADAPTER.validate_python(body), "0193")
            for index, body in enumerate(events)
        )
    ]
    with old.begin() as connection:
        connection.execute(insert(StoredEvent), rows)
    old.dispose()
    # Upgraded, and the service started before any rebuild: no figure from stale rows.
    upgrade_database(fresh_url)
    upgraded = settings.model_copy(update={"database_url": fresh_url})
    with TestClient(create_app(upgraded)) as client:
        authorised(client, tokens_for(fresh_url))
        for path, extra in FIGURES:
            response = client.get(path, params={"from": "2025-01-01", "to": "2026-10-31", **extra})
            assert response.status_code == 503, (path, response.text)
            assert response.json()["type"].endswith("/unavailable")
        assert client.get("/api/v1/health/ready").status_code == 503
        assert client.get("/api/v1/trajectories").status_code == 503
        # The upgrade path (`wijkteam-kpi migrate`) rebuilds what is stale.
        assert refold_all(fresh_url, upgraded.terms(), force=False) == len(
            {e["trajectoryId"] for e in events}
        )
        assert refold_all(fresh_url, upgraded.terms(), force=False) == 0  # current now
        assert client.get("/api/v1/health/ready").status_code == 200
        after_upgrade = answers(client)
    # The same events loaded fresh into a database at head give the same answers.
    empty_all_tables(engine)
    with TestClient(create_app(settings)) as fresh:
        authorised(fresh, tokens["all"])
        assert fresh.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
        assert answers(fresh) == after_upgrade


def tokens_for(url: str) -> str:
    """An all-scopes client of municipality 0193 in that database."""
    from app.db import create_session_factory
    from app.services.access.clients import SCOPES, create_client

    engine = create_db_engine(url, pool_size=1)
    with create_session_factory(engine).begin() as session:
        token = create_client(session, "upgrade test", SCOPES, "0193")[1]
    engine.dispose()
    return token


def test_an_interrupted_rebuild_resumes_where_it_stopped(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.db import create_session_factory
    from app.domain.terms import DEFAULT_TERMS
    from app.services.projection import build as projection_build
    from app.services.projection.build import code_version, is_current, rebuild
    from scripts.generate_events import generate

    assert client.post("/api/v1/events/batch", json=list(generate(30, seed=4))).status_code == 200
    sessions = create_session_factory(engine)
    with sessions.begin() as session:
        projection_build._build(session).version = "v0-older"
    monkeypatch.setattr(projection_build, "CHUNK", 10)

    def stop_after_the_first_chunk(done: int, total: int) -> None:
        assert total == 30
        raise KeyboardInterrupt  # the operator's Ctrl-C, or a killed job

    with pytest.raises(KeyboardInterrupt):
        rebuild(sessions, DEFAULT_TERMS, progress=stop_after_the_first_chunk)
    with sessions() as session:
        assert not is_current(session, code_version(DEFAULT_TERMS))
    seen: list[tuple[int, int]] = []
    assert rebuild(sessions, DEFAULT_TERMS, progress=lambda d, t: seen.append((d, t))) == 20
    assert seen == [(20, 30), (30, 30)]  # it went on from the 11th trajectory
    with sessions() as session:
        assert is_current(session, code_version(DEFAULT_TERMS))


def test_a_process_folds_only_into_the_projection_its_version_builds(
    client: TestClient, engine: Engine
) -> None:
    """While a rebuild for another version runs, or once it is done, this process stores
    nothing (503, Retry-After); while a rebuild for its own version runs it does."""
    from sqlalchemy import func, select

    from app.db import create_session_factory
    from app.domain.terms import DEFAULT_TERMS
    from app.services.projection import build as projection_build
    from app.services.projection.build import code_version
    from tests.factories import opened

    sessions = create_session_factory(engine)
    assert client.post("/api/v1/events", json=opened("2026-03-02T09:00:00+01:00")).status_code
    ours = code_version(DEFAULT_TERMS)
    for building, version, admitted in [
        ("v99-newer", ours, False),  # the new release's rebuild has begun
        (None, "v99-newer", False),  # ... and is done
        (ours, "v0-older", True),  # our own rebuild is running
    ]:
        with sessions.begin() as session:
            build = projection_build._build(session)
            build.building, build.version = building, version
        late = opened("2026-03-03T09:00:00+01:00", f"T-{building}-{version}")
        answer = client.post("/api/v1/events", json=late)
        assert (answer.status_code in (200, 201)) is admitted, answer.text
        if not admitted:
            assert answer.status_code == 503 and answer.headers["Retry-After"]
        with sessions() as session:
            count = select(func.count()).where(StoredEvent.trajectory_id == late["trajectoryId"])
            assert session.scalar(count) == (1 if admitted else 0)


def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def test_keys_led_by_the_municipality_keep_every_row_both_ways(fresh_url: str) -> None:
    """Migration 0024 rebuilds four tables' keys: rows written before it survive the upgrade
    (a review learns its sample's municipality), the downgrade, and the upgrade again."""
    from alembic import command

    from app.db import alembic_config

    config = alembic_config(fresh_url)
    command.upgrade(config, "0023")
    engine = create_db_engine(fresh_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_samples (id, municipality, drawn_at, drawn_by, request, "
                "trajectory_ids) VALUES ('s-1', '0193', '2026-11-01 10:00:00+00', 'officer', "
                "'{}', '[\"T-1\"]')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO sample_reviews (sample_id, trajectory_id, judgement, reviewed_by, "
                "reviewed_at) VALUES ('s-1', 'T-1', 'akkoord', 'officer', '2026-11-02 10:00:00+00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO access_log (at, client_id, client_name, municipality, method, "
                "route, status, trajectory_ids, query) VALUES ('2026-11-03 10:00:00+00', 'c-1', "
                "'officer', '0193', 'GET', '/trajectories/{id}', 200, '[\"T-1\"]', '{}')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO kpi_reported_values (municipality, kpi_id, period_from, period_to, "
                "group_key, value, n, source, reported_at) VALUES ('0193', 'satisfaction', "
                "'2026-01-01', '2026-04-30', '', 7.5, 40, 'survey', '2026-05-01 10:00:00+00')"
            )
        )
    engine.dispose()
    reviews = "SELECT municipality, sample_id, trajectory_id, judgement FROM sample_reviews"
    kept = [
        "SELECT municipality, id FROM audit_samples",
        "SELECT municipality, client_id, route FROM access_log",
        "SELECT municipality, kpi_id, group_key, value FROM kpi_reported_values",
    ]
    before = [_rows(fresh_url, query) for query in kept]
    command.upgrade(config, "head")
    assert _rows(fresh_url, reviews) == [("0193", "s-1", "T-1", "akkoord")]
    assert [_rows(fresh_url, query) for query in kept] == before
    command.downgrade(config, "0023")
    assert [_rows(fresh_url, query) for query in kept] == before
    assert _rows(fresh_url, "SELECT sample_id, judgement FROM sample_reviews") == [
        ("s-1", "akkoord")
    ]
    command.upgrade(config, "head")
    assert _rows(fresh_url, reviews) == [("0193", "s-1", "T-1", "akkoord")]
    assert [_rows(fresh_url, query) for query in kept] == before
