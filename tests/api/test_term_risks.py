"""The risk of open terms through the API, on both databases: learned from the
municipality's own terms with a known outcome, it beats the base rate on the held-out
period; a team-limited reader sees its own teams' terms; it uses process facts only (a
resident's age band, district or channel changes no risk); too little history is a
problem answer."""

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.db import create_session_factory
from app.services.access.clients import create_client
from scripts.generate_events import generate
from tests.conftest import empty_all_tables
from tests.factories import opened

AS_OF = {"asOf": "2026-10-01", "limit": "1000"}
RESIDENT = {"ageBand": "18-26", "district": "schelle", "channel": "walk_in"}


def post(client: TestClient, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), 5000):
        answer = client.post("/api/v1/events/batch", json=events[start : start + 5000])
        assert answer.status_code == 200 and answer.json()["rejected"] == 0, answer.text[:300]


def municipality() -> list[dict[str, Any]]:
    return list(generate(2000, seed=5, start=date(2025, 1, 1), end=date(2026, 10, 31)))


def test_open_terms_get_a_risk_that_beats_the_base_rate_from_process_facts_only(
    client: TestClient, engine: Engine
) -> None:
    events = municipality()
    post(client, events)
    answer = client.get("/api/v1/term-risks", params=AS_OF)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    model, quality = body["model"], body["model"]["quality"]
    print(f"risk model: {quality}")
    assert quality["beatsBaseRate"] and quality["brier"] < quality["brierBaseRate"]
    assert sum(band["examples"] for band in quality["reliability"]) == quality["examples"]
    assert not any(
        word in " ".join(model["predictors"]).lower()
        for word in ("age", "district", "channel", "client", "resident")
    )
    risks = [r["risk"] for r in body["results"]]
    assert risks == sorted(risks, reverse=True) and 0 < len(risks) == body["total"]
    assert all(
        r["dueOn"] >= "2026-10-01" and r["startedOn"] <= "2026-10-01" for r in body["results"]
    )
    assert {r["rule"] for r in body["results"]} <= {"assessment_term", "decision_term"}
    table = client.get("/api/v1/term-risks/table", params=AS_OF).text.strip().splitlines()
    assert table[0] == "trajectory_id,kind,rule,team,started_on,due_on,risk"
    assert len(table) == len(risks) + 1
    # A team-limited reader: its own teams' terms, with the officer's risks; no other team.
    with create_session_factory(engine).begin() as session:
        noord = create_client(session, "risk noord", ["audit:read"], "0193", ["noord"])[1]
    headers = {"Authorization": f"Bearer {noord}"}
    own = client.get("/api/v1/term-risks", params=AS_OF, headers=headers).json()
    assert {r["team"] for r in own["results"]} == {"noord"}
    assert own["results"] == [r for r in body["results"] if r["team"] == "noord"]
    zuid = client.get("/api/v1/term-risks", params={**AS_OF, "team": "zuid"}, headers=headers)
    assert zuid.status_code == 403
    log = client.get("/api/v1/access-log").json()["results"]
    assert any(entry["route"] == "/term-risks" for entry in log)  # case-level: logged
    # The same municipality, but every open case's resident is someone else: same risks.
    open_cases = {r["trajectoryId"] for r in body["results"]}
    for event in events:
        if event["type"] == "trajectory.opened" and event["trajectoryId"] in open_cases:
            event["data"] = {**event["data"], **RESIDENT}
    empty_all_tables(engine)
    post(client, events)
    again = client.get("/api/v1/term-risks", params=AS_OF).json()
    assert again["results"] == body["results"] and again["model"] == body["model"]


def test_too_little_history_to_learn_from_is_a_problem(client: TestClient) -> None:
    post(client, [opened("2026-09-01T09:00:00+02:00", f"T-{n}") for n in range(20)])
    answer = client.get("/api/v1/term-risks", params=AS_OF)
    assert answer.status_code == 422 and answer.json()["type"].endswith("/not-enough-data")
