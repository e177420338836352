"""Migrations and models agree, on both databases; a database that is behind is refused."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from app.db import DatabaseBehind, create_db_engine, ensure_schema_current
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
    from fastapi.testclient import TestClient

    with pytest.raises(DatabaseBehind), TestClient(app):
        pass
