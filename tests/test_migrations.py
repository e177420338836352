"""Migrations and models agree, on both databases; a database that is behind is refused."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.db import DatabaseBehind, create_db_engine, ensure_schema_current, upgrade_database
from app.main import create_app
from app.models import Base
from app.settings import Settings


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_app_refuses_a_database_that_is_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    engine = create_db_engine(url)
    with pytest.raises(DatabaseBehind, match="wijkteam-kpi migrate"):
        ensure_schema_current(engine)
    app = create_app(Settings(environment="test", database_url=url))

    with pytest.raises(DatabaseBehind), TestClient(app):
        pass


def test_refold_rebuilds_the_projection_from_the_events(client: TestClient, engine: Engine) -> None:
    from sqlalchemy import delete, func, select

    from app.models import TrajectoryDocument
    from app.services.maintenance import refold_all
    from scripts.generate_events import generate

    client.post("/api/v1/events/batch", json=list(generate(40, seed=9)))
    with engine.begin() as connection:
        before = connection.execute(
            select(TrajectoryDocument.trajectory_id, TrajectoryDocument.state)
        ).all()
        connection.execute(delete(TrajectoryDocument))
    assert refold_all(str(engine.url.render_as_string(hide_password=False))) == 40
    with engine.connect() as connection:
        after = connection.execute(
            select(TrajectoryDocument.trajectory_id, TrajectoryDocument.state)
        ).all()
        assert (
            connection.execute(select(func.count()).select_from(TrajectoryDocument)).scalar_one()
            == 40
        )
    assert sorted(after) == sorted(before)


def test_migrating_creates_the_sqlite_folder_of_a_fresh_checkout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'fresh' / 'wijkteam-kpi.sqlite3'}"
    upgrade_database(url)
    ensure_schema_current(create_db_engine(url))
