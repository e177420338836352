"""The backup and restore the operator guide documents (docs/operator.md, "Backup and
restore") work as written: a copy taken while the service runs, restored into an empty
database, serves the same figures, trajectories and audit to the same token."""

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from app.main import create_app
from app.settings import Settings
from tests.conftest import _create_postgres_database, _drop_postgres_database, authorised
from tests.factories import full_trajectory, opened

pytestmark = pytest.mark.slow

YEAR = {"from": "2026-01-01", "to": "2026-12-31"}
DOCUMENTED = (Path(__file__).resolve().parents[1] / "docs/operator.md").read_text()


def what_a_reader_sees(client: TestClient) -> dict[str, Any]:
    answers = {
        "figures": client.get("/api/v1/figures", params={**YEAR, "groupBy": "team"}),
        "trajectory": client.get("/api/v1/trajectories/B-3"),
        "audit": client.get("/api/v1/audit/trajectories/B-3"),
        "summary": client.get("/api/v1/audit/summary", params=YEAR),
    }
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 200)
    return {name: a.json() for name, a in answers.items()}


@pytest.fixture
def restored_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A copy of the test database made with the documented commands, in a new database."""
    if database_url.startswith("sqlite"):
        assert 'sqlite3 data/wijkteam-kpi.sqlite3 ".backup backup.sqlite3"' in DOCUMENTED
        source, copy = make_url(database_url).database, tmp_path / "backup.sqlite3"
        subprocess.run(["sqlite3", str(source), f".backup {copy}"], check=True)
        yield f"sqlite:///{copy}"
        return
    assert "pg_dump -Fc -d wijkteam > wk.dump" in DOCUMENTED
    dump = tmp_path / "wk.dump"
    subprocess.run(["pg_dump", "-Fc", "-d", libpq(database_url), "-f", str(dump)], check=True)
    target = _create_postgres_database()
    try:
        subprocess.run(["pg_restore", "--no-owner", "-d", libpq(target), str(dump)], check=True)
        yield target
    finally:
        _drop_postgres_database(target)


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_restored_backup_serves_what_the_original_served(
    client: TestClient, tokens: dict[str, str], settings: Settings, request: pytest.FixtureRequest
) -> None:
    events = [e for i in range(6) for e in full_trajectory(f"B-{i}")]
    events += [opened("2026-05-04T09:00:00+02:00", f"Z-{i}", team="zuid") for i in range(7)]
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    before = what_a_reader_sees(client)
    url = request.getfixturevalue("restored_url")  # taken after the writes, service running
    restored = settings.model_copy(update={"database_url": url})
    with TestClient(create_app(restored), raise_server_exceptions=False) as other:
        after = what_a_reader_sees(authorised(other, tokens["all"]))
    assert after == before
