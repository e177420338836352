"""`wijkteam-kpi import`: a file of events loaded in batches, resumable, idempotent."""

from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.db import create_session_factory
from app.domain.terms import DEFAULT_TERMS
from app.errors import Conflict
from app.models import StoredEvent, Trajectory
from app.services.ingestion import events as events_service
from app.services.ingestion.backfill import import_file
from app.services.ingestion.events import Sender
from tests.conftest import empty_all_tables
from tests.factories import opened, step

SENDER = Sender("0193", None, DEFAULT_TERMS)


def _events(count: int) -> list[dict[str, object]]:
    made: list[dict[str, object]] = []
    for i in range(count // 2):
        made.append(opened("2026-03-02T09:00:00+01:00", f"IMP-{i}"))
        made.append(step("request", "2026-03-04T09:00:00+01:00", trajectory=f"IMP-{i}"))
    return made


def _stored(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        events = session.execute(select(func.count()).select_from(StoredEvent)).scalar_one()
        trajectories = session.execute(select(func.count()).select_from(Trajectory)).scalar_one()
    return events, trajectories


def _interrupted_import(
    sessions: sessionmaker[Session],
    source: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing_batch: int,
) -> None:
    """Imports `source` in batches of 4 until the database goes away at `failing_batch`."""
    real = events_service.record_batch
    calls = 0

    def dies_at_that_batch(*args: object) -> object:
        nonlocal calls
        calls += 1
        if calls == failing_batch:
            raise ConnectionError("the database went away")
        return real(*args)  # type: ignore[arg-type]

    with monkeypatch.context() as patched:
        patched.setattr("app.services.ingestion.backfill.record_batch", dies_at_that_batch)
        with pytest.raises(ConnectionError):
            import_file(sessions, source, SENDER, batch_size=4)


@pytest.mark.parametrize("kind", ["ndjson", "array"])
def test_an_interrupted_import_resumes_and_a_rerun_changes_nothing(
    client: TestClient, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    events = [*_events(20), {"eventId": "broken"}]
    source = tmp_path / f"events.{kind}"
    if kind == "ndjson":
        source.write_bytes(b"\n".join(orjson.dumps(e) for e in events) + b"\nnot json\n")
    else:
        source.write_bytes(orjson.dumps(events))
    sessions = create_session_factory(engine)
    _interrupted_import(sessions, source, monkeypatch, failing_batch=3)
    assert _stored(engine)[0] == 8  # two batches committed, nothing of the third

    resumed = import_file(sessions, source, SENDER, batch_size=4)
    assert resumed.resumed_at == 8
    assert resumed.created == 12
    assert resumed.duplicates == 0
    bad = [(r.index, r.reason) for r in resumed.rejected]
    assert bad == ([(20, "invalid"), (21, "invalid")] if kind == "ndjson" else [(20, "invalid")])
    assert _stored(engine) == (20, 10)
    steps = client.get("/api/v1/trajectories/IMP-9").json()["state"]["steps"]
    assert [s["step"] for s in steps] == ["request"]

    # run again after it finished: from the start, every event a duplicate
    again = import_file(sessions, source, SENDER, batch_size=4)
    assert (again.created, again.duplicates) == (0, 20)
    assert _stored(engine) == (20, 10)


def test_the_same_file_loads_whole_into_a_second_database(
    engine: Engine, tmp_path: Path, database_url: str
) -> None:
    """Progress belongs to the database loaded, not to the file: staging, then production."""
    from app.db import create_db_engine, upgrade_database

    empty_all_tables(engine)
    source = tmp_path / "export.ndjson"
    source.write_bytes(b"\n".join(orjson.dumps(e) for e in _events(10)))
    staging_url = f"sqlite:///{tmp_path / 'staging.sqlite3'}"
    upgrade_database(staging_url)
    staging = create_db_engine(staging_url, pool_size=1)
    first = import_file(create_session_factory(staging), source, SENDER, batch_size=4)
    assert first.created == 10
    staging.dispose()
    production = import_file(create_session_factory(engine), source, SENDER, batch_size=4)
    assert (production.created, production.resumed_at) == (10, 0)
    assert _stored(engine) == (10, 5)


def test_a_file_changed_during_an_unfinished_import_is_refused_until_restarted(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty_all_tables(engine)
    events = _events(16)
    source = tmp_path / "events.ndjson"
    source.write_bytes(b"\n".join(orjson.dumps(e) for e in events[:12]))
    sessions = create_session_factory(engine)
    _interrupted_import(sessions, source, monkeypatch, failing_batch=2)
    # the export is made again meanwhile: other events at other offsets
    source.write_bytes(b"\n".join(orjson.dumps(e) for e in reversed(events)))
    with pytest.raises(Conflict):
        import_file(sessions, source, SENDER, batch_size=4)
    assert _stored(engine)[0] == 4  # the refusal stored nothing
    restarted = import_file(sessions, source, SENDER, batch_size=4, restart=True)
    assert (restarted.created, restarted.duplicates, restarted.resumed_at) == (12, 4, 0)
    assert _stored(engine) == (16, 8)
