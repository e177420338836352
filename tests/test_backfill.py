"""`wijkteam-kpi import`: a file of events loaded in batches, resumable, idempotent."""

from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.db import create_session_factory
from app.domain.terms import DEFAULT_TERMS
from app.models import StoredEvent, Trajectory
from app.services import events as events_service
from app.services.backfill import import_file, state_path
from app.services.events import Sender
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
    real = events_service.record_batch
    calls = 0

    def dies_on_the_third_batch(*args: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise ConnectionError("the database went away")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr("app.services.backfill.record_batch", dies_on_the_third_batch)
    with pytest.raises(ConnectionError):
        import_file(sessions, source, SENDER, batch_size=4)
    assert _stored(engine)[0] == 8  # two batches committed, nothing of the third
    monkeypatch.setattr("app.services.backfill.record_batch", real)

    resumed = import_file(sessions, source, SENDER, batch_size=4)
    assert resumed.resumed_at == 8
    assert resumed.created == 12
    assert resumed.duplicates == 0
    bad = [(r.index, r.reason) for r in resumed.rejected]
    assert bad == ([(20, "invalid"), (21, "invalid")] if kind == "ndjson" else [(20, "invalid")])
    assert _stored(engine) == (20, 10)
    steps = client.get("/api/v1/trajectories/IMP-9").json()["state"]["steps"]
    assert [s["step"] for s in steps] == ["request"]

    state_path(source).unlink()  # run again from the start: every event is a duplicate
    again = import_file(sessions, source, SENDER, batch_size=4)
    assert (again.created, again.duplicates) == (0, 20)
    assert _stored(engine) == (20, 10)
