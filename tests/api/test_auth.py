"""Every route checks its client and scope; municipalities are kept apart; reads are logged."""

import hashlib
import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db import upgrade_database
from app.main import create_app
from app.models import ApiClient
from app.settings import Settings
from tests.factories import opened, step
from tests.helpers import PUBLIC, SCOPES, api_routes, assert_problem, guards
from tests.kpis.scenario import Case, post


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "X-1", path)


def test_every_route_but_health_requires_a_scope(app_client: TestClient) -> None:
    unguarded = [
        r.path for r in api_routes(app_client) if not guards(r.dependant) and r.path not in PUBLIC
    ]
    assert unguarded == [], "routes without a ScopeGuard"


def test_no_token_is_401_and_a_wrong_scope_is_403_on_every_route(
    app_client: TestClient, tokens: dict[str, str]
) -> None:
    checked = 0
    for route in api_routes(app_client):
        if route.path in PUBLIC:
            continue
        (guard,) = guards(route.dependant)
        wrong = next(scope for scope in SCOPES if scope not in guard.scopes)
        for method in route.methods or ():
            url = concrete(route.path)
            anonymous = app_client.request(method, url, headers={"Authorization": ""})
            problem = assert_problem(anonymous, 401)
            assert anonymous.headers["WWW-Authenticate"] == "Bearer", route.path
            assert problem["type"].endswith("/unauthorized")
            forged = app_client.request(method, url, headers={"Authorization": "Bearer wk_forged"})
            assert_problem(forged, 401)
            denied = app_client.request(
                method, url, headers={"Authorization": f"Bearer {tokens[wrong]}"}
            )
            assert_problem(denied, 403)
            checked += 1
    assert checked >= 15


def test_another_municipality_sees_nothing_and_cannot_write_here(
    client: TestClient, tokens: dict[str, str]
) -> None:
    case = Case("T-1", "2026-03-02").step("request", "2026-03-04")
    post(client, case)
    other = {"Authorization": f"Bearer {tokens['other']}"}
    assert_problem(client.get("/api/v1/trajectories/T-1", headers=other), 404)
    assert_problem(client.get("/api/v1/audit/trajectories/T-1", headers=other), 404)
    assert client.get("/api/v1/trajectories", headers=other).json()["results"] == []
    figure = client.get(
        "/api/v1/kpis/inflow", params={"from": "2026-03-01", "to": "2026-03-31"}, headers=other
    )
    assert figure.json()["groups"] == []
    intrusion = {
        **case.events[1],
        "eventId": "5d0c2b7e-0000-4000-8000-000000000001",
        "municipality": "0193",
    }
    assert_problem(client.post("/api/v1/events", json=intrusion, headers=other), 403)
    result = client.post("/api/v1/events/batch", json=[intrusion], headers=other).json()
    assert (result["created"], result["errors"][0]["status"]) == (0, 403)
    # the owner still sees its own
    assert client.get("/api/v1/trajectories/T-1").status_code == 200


def test_tokens_are_shown_once_stored_hashed_rotated_and_revoked(
    client: TestClient, engine: Engine
) -> None:
    created = client.post(
        "/api/v1/clients", json={"name": "BI tool", "scopes": ["kpi:read"], "municipality": "0193"}
    )
    assert created.status_code == 201
    body = created.json()
    token, client_id = body["token"], body["id"]
    with Session(engine) as session:
        stored = session.execute(select(ApiClient).where(ApiClient.id == client_id)).scalar_one()
        assert stored.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str(vars(stored))
    assert "token" not in client.get("/api/v1/clients").json()[0]
    as_bi = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/kpis", headers=as_bi).status_code == 200
    rotated = client.post(f"/api/v1/clients/{client_id}/rotate").json()["token"]
    assert_problem(client.get("/api/v1/kpis", headers=as_bi), 401)
    assert (
        client.get("/api/v1/kpis", headers={"Authorization": f"Bearer {rotated}"}).status_code
        == 200
    )
    client.post(f"/api/v1/clients/{client_id}/revoke")
    assert_problem(client.get("/api/v1/kpis", headers={"Authorization": f"Bearer {rotated}"}), 401)


def test_a_case_level_read_is_logged_and_the_log_cannot_be_changed(client: TestClient) -> None:
    post(client, Case("T-1", "2026-03-02"), Case("T-2", "2026-03-02"))
    client.get("/api/v1/trajectories/T-1")
    client.get("/api/v1/trajectories", params={"team": "noord"})
    entries = client.get("/api/v1/access-log", params={"trajectoryId": "T-1"}).json()["results"]
    assert [(e["route"], e["trajectoryIds"], e["clientName"]) for e in entries] == [
        ("/trajectories", ["T-1", "T-2"], "test all scopes"),
        ("/trajectories/{trajectoryId}", ["T-1"], "test all scopes"),
    ]
    assert entries[0]["query"] == {"team": "noord"}
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        assert client.request(method, "/api/v1/access-log").status_code == 405


def test_a_development_start_prints_a_token_and_production_does_not(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for environment in ("production", "development"):
        url = f"sqlite:///{tmp_path / environment}.sqlite3"
        upgrade_database(url)
        with (
            caplog.at_level(logging.WARNING, logger="wijkteam_kpi"),
            TestClient(
                create_app(
                    Settings(environment=environment, database_url=url, disclosure_key="k" * 32)
                )
            ) as client,
        ):
            printed = re.findall(r"wk_[\w-]+", caplog.text)
            if environment == "production":
                assert printed == []
                continue
            (token,) = printed
            assert (
                client.get("/api/v1/kpis", headers={"Authorization": f"Bearer {token}"}).status_code
                == 200
            )


def test_a_client_limited_to_a_team_sees_only_that_team(kpi_client: TestClient) -> None:
    post(
        kpi_client,
        Case("N-1", "2026-03-02", team="noord").step("request", "2026-03-04"),
        Case("Z-1", "2026-03-02", team="zuid").step("request", "2026-03-04"),
    )
    made = kpi_client.post(
        "/api/v1/clients",
        json={
            "name": "teamleider noord",
            "scopes": ["audit:read", "kpi:read"],
            "municipality": "0193",
            "teams": ["noord"],
        },
    ).json()
    assert made["teams"] == ["noord"]
    lead = {"Authorization": f"Bearer {made['token']}"}
    assert kpi_client.get("/api/v1/trajectories/N-1", headers=lead).status_code == 200
    assert_problem(kpi_client.get("/api/v1/trajectories/Z-1", headers=lead), 404)
    assert_problem(kpi_client.get("/api/v1/audit/trajectories/Z-1", headers=lead), 404)
    listed = kpi_client.get("/api/v1/trajectories", headers=lead).json()["results"]
    assert [t["trajectoryId"] for t in listed] == ["N-1"]
    period = {"from": "2026-03-01", "to": "2026-03-31"}
    summary = kpi_client.get("/api/v1/audit/summary", params=period, headers=lead).json()["groups"]
    assert [g["trajectories"] for g in summary] == [1]
    worklist = kpi_client.get("/api/v1/audit/findings", headers=lead).json()["results"]
    assert {w["trajectoryId"] for w in worklist} == {"N-1"}
    # KPI figures rest on the team's own trajectories only (no suppression on this client)
    everyone = kpi_client.get("/api/v1/kpis/inflow", params=period).json()["groups"]
    own = kpi_client.get("/api/v1/kpis/inflow", params=period, headers=lead).json()["groups"]
    assert (everyone[0]["n"], own[0]["n"]) == (2, 1)


def test_a_regional_client_names_the_municipality_it_reads(
    client: TestClient, tokens: dict[str, str]
) -> None:
    post(client, Case("T-1", "2026-03-02"))  # the all-scopes test client writes for 0193
    regional = client.post(
        "/api/v1/clients",
        json={"name": "regionaal team", "scopes": ["audit:read", "events:write"]},
        headers={"Authorization": f"Bearer {tokens['regional']}"},
    ).json()
    as_region = {"Authorization": f"Bearer {regional['token']}"}
    elsewhere = {**Case("T-2", "2026-03-02").events[0], "municipality": "0200"}
    assert client.post("/api/v1/events", json=elsewhere, headers=as_region).status_code == 201
    listed = client.get("/api/v1/trajectories", params={"municipality": "0200"}, headers=as_region)
    assert [t["trajectoryId"] for t in listed.json()["results"]] == ["T-2"]
    assert (
        client.get(
            "/api/v1/trajectories/T-1", params={"municipality": "0193"}, headers=as_region
        ).status_code
        == 200
    )
    # a client limited to 0193 may not name another municipality
    limited = {"Authorization": f"Bearer {tokens['all']}"}
    assert_problem(
        client.get("/api/v1/trajectories", params={"municipality": "0200"}, headers=limited), 403
    )


def test_a_team_limit_limits_every_write(client: TestClient, engine: Engine) -> None:
    """A client limited to noord writes noord's cases and noord's values only: no target for
    the whole municipality, no value without its team, no event on another team's case (or
    on a case nobody opened yet, which someone else could open for another team)."""
    from app.services.access.clients import SCOPES as ALL_SCOPES
    from app.services.access.clients import create_client

    with Session(engine) as session, session.begin():
        token = create_client(session, "noord only", ALL_SCOPES, "0193", ["noord"])[1]
    noord = {"Authorization": f"Bearer {token}"}
    at = "2026-03-02T09:00:00+01:00"
    post(client, Case("Z-1", "2026-03-02", team="zuid"))  # by the unlimited client
    own = [opened(at, "N-1", team="noord"), step("request", at, None, "N-1")]
    other = [opened(at, "Z-2", team="zuid")]
    later = [step("request", at, None, "Z-1")]  # on the stored zuid case
    unopened = [step("request", at, None, "U-1")]
    assert client.post("/api/v1/events", json=own[0], headers=noord).status_code == 201
    for body in (other[0], later[0], unopened[0]):
        assert_problem(client.post("/api/v1/events", json=body, headers=noord), 403)
    batch = client.post(
        "/api/v1/events/batch", json=[*own[1:], other[0], later[0], unopened[0]], headers=noord
    ).json()
    assert batch["created"] == len(own) - 1
    assert [e["status"] for e in batch["errors"]] == [403, 403, 403]
    assert {p["name"] for e in batch["errors"] for p in e["invalidParams"]} <= {
        "trajectoryId",
        "municipality",
    }

    target = client.put("/api/v1/kpis/inflow/target", json={"value": 10}, headers=noord)
    assert_problem(target, 403)
    value = {"from": "2026-03-01", "to": "2026-03-31", "value": 0.5, "n": 300, "source": "x"}
    for group in ({}, {"team": "zuid"}, {"district": "centrum"}):
        answer = client.post(
            "/api/v1/kpis/awareness/values", json={**value, "group": group}, headers=noord
        )
        assert_problem(answer, 403)
    own_value = {**value, "group": {"team": "noord"}}
    assert (
        client.post("/api/v1/kpis/awareness/values", json=own_value, headers=noord).status_code
        == 201
    )
    assert client.get("/api/v1/trajectories/Z-2").status_code == 404  # nothing of zuid stored
