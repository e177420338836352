"""ETag and 304 on figures, the catalogue and audit summaries: the validator moves exactly
when the answer can, for that municipality and that client's reach only."""

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.main import create_app
from app.services.projection.retention import purge
from app.settings import Settings
from tests.factories import event, opened
from tests.kpis.scenario import Case, post

PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}
# Every validated read: a figure as JSON and as CSV, grouped, the catalogue, the summary.
READS = [
    ("/api/v1/kpis/inflow", PERIOD),
    ("/api/v1/kpis/inflow", {**PERIOD, "groupBy": "team", "format": "csv"}),
    ("/api/v1/kpis", {}),
    ("/api/v1/audit/summary", PERIOD),
]


def etags(client: TestClient, headers: dict[str, str] | None = None) -> list[str]:
    found = []
    for path, params in READS:
        response = client.get(path, params=params, headers=headers)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["Cache-Control"] == "private, no-cache"
        found.append(response.headers["ETag"])
    return found


@pytest.fixture
def seeded(client: TestClient) -> Iterator[TestClient]:
    post(client, Case("T-1", "2026-03-02", team="noord"), Case("T-2", "2026-03-03", team="zuid"))
    yield client


def test_a_repeated_read_with_its_etag_is_304_without_a_body(seeded: TestClient) -> None:
    for (path, params), etag in zip(READS, etags(seeded), strict=True):
        again = seeded.get(path, params=params, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b""
        assert again.headers["ETag"] == etag
        weak = seeded.get(path, params=params, headers={"If-None-Match": f'"x", W/{etag}'})
        assert weak.status_code == 304, path
        stale = seeded.get(path, params=params, headers={"If-None-Match": '"not-it"'})
        assert stale.status_code == 200, path


def test_case_level_reads_carry_no_validator_and_stay_uncached(seeded: TestClient) -> None:
    response = seeded.get("/api/v1/trajectories/T-1")
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def _new_event(client: TestClient) -> None:
    response = client.post("/api/v1/events", json=opened("2026-03-10T09:00:00+01:00", "T-3"))
    assert response.status_code == 201


def _batch(client: TestClient) -> None:
    body = "\n".join(
        orjson.dumps(opened("2026-03-11T09:00:00+01:00", f"B-{i}")).decode() for i in range(2)
    )
    response = client.post(
        "/api/v1/events/batch", content=body, headers={"Content-Type": "application/x-ndjson"}
    )
    assert response.status_code == 200, response.text


def _target(client: TestClient) -> None:
    assert client.put("/api/v1/kpis/inflow/target", json={"value": 12}).status_code == 200


def _reported_value(client: TestClient) -> None:
    value = {**PERIOD, "value": 0.4, "n": 300, "source": "enquete"}
    assert client.post("/api/v1/kpis/awareness/values", json=value).status_code == 201


def _closure(client: TestClient) -> None:
    closing = event("trajectory.closed", "2026-03-20T09:00:00+01:00", {"reason": "moved"}, "T-2")
    assert client.post("/api/v1/events", json=closing).status_code == 201


WRITES: dict[str, Callable[[TestClient], None]] = {
    "a new event": _new_event,
    "a batch": _batch,
    "a later event on an existing trajectory": _closure,
    "a target": _target,
    "a reported value": _reported_value,
}


@pytest.mark.parametrize("write", WRITES)
def test_every_kind_of_write_moves_the_validator(seeded: TestClient, write: str) -> None:
    before = etags(seeded)
    WRITES[write](seeded)
    after = etags(seeded)
    # The catalogue shows targets; figures and summaries show events. Each write moves the
    # municipality's version, so every validator of it moves (never one too few).
    assert all(b != a for b, a in zip(before, after, strict=True)), write
    for (path, params), etag in zip(READS, before, strict=True):
        assert seeded.get(path, params=params, headers={"If-None-Match": etag}).status_code == 200


def test_a_purge_moves_the_validator(seeded: TestClient, engine: Engine) -> None:
    before = etags(seeded)
    with Session(engine) as session:
        purge(session, [("0193", "T-1")])
        session.commit()
    assert all(b != a for b, a in zip(before, etags(seeded), strict=True))


def test_a_duplicate_or_another_municipalitys_write_leaves_it(
    seeded: TestClient, tokens: dict[str, str]
) -> None:
    first = opened("2026-03-10T09:00:00+01:00", "T-3")
    assert seeded.post("/api/v1/events", json=first).status_code == 201
    before = etags(seeded)
    assert seeded.post("/api/v1/events", json=first).status_code == 200  # a duplicate
    assert etags(seeded) == before
    elsewhere = {"Authorization": f"Bearer {tokens['other']}"}
    written = seeded.post(
        "/api/v1/events", json=opened("2026-03-10T09:00:00+01:00", "X-1"), headers=elsewhere
    )
    assert written.status_code == 201
    assert (
        seeded.put("/api/v1/kpis/inflow/target", json={"value": 3}, headers=elsewhere).status_code
        == 200
    )
    assert etags(seeded) == before
    # ...while that municipality's own validators did move
    assert etags(seeded, elsewhere) != before


def test_a_team_limited_client_never_gets_anothers_answer(seeded: TestClient) -> None:
    made = seeded.post(
        "/api/v1/clients",
        json={
            "name": "lead noord",
            "scopes": ["kpi:read", "audit:read"],
            "municipality": "0193",
            "teams": ["noord"],
        },
    ).json()
    lead = {"Authorization": f"Bearer {made['token']}"}
    full, own = etags(seeded), etags(seeded, lead)
    assert all(f != o for f, o in zip(full, own, strict=True))
    for (path, params), etag in zip(READS, full, strict=True):
        # the unlimited client's validator never turns into a 304 for the team lead
        response = seeded.get(path, params=params, headers={**lead, "If-None-Match": etag})
        assert response.status_code == 200, path


def test_a_setting_that_changes_figures_or_a_new_day_moves_it(
    settings: Settings, tokens: dict[str, str], seeded: TestClient, monkeypatch: Any
) -> None:
    before = etags(seeded)
    stricter = settings.model_copy(update={"min_cell_size": settings.min_cell_size + 5})
    with TestClient(create_app(stricter)) as other_process:
        other_process.headers["Authorization"] = f"Bearer {tokens['all']}"
        assert etags(other_process) != before
        # a setting figures do not depend on leaves the validator: two replicas agree
    same = settings.model_copy(update={"rate_limit_per_minute": 10**9 + 1})
    with TestClient(create_app(same)) as replica:
        replica.headers["Authorization"] = f"Bearer {tokens['all']}"
        assert etags(replica) == before
    monkeypatch.setattr("app.routers.freshness.local_today", lambda: date(2099, 1, 1))
    assert etags(seeded) != before
