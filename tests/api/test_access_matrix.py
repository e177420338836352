"""Every route x every kind of client, generated from the live route table.

For each cell the expected status is derived from the route's guard and what the client
holds; for reads every trajectory id, team and count that comes back must lie inside the
caller's limits. A route added without a request builder here fails the test.
"""

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from app.db import create_session_factory
from app.models import Trajectory
from app.services.access.clients import SCOPES, create_client, revoke
from tests.helpers import PUBLIC, api_routes, guards
from tests.kpis.scenario import Case, post


@dataclass(frozen=True)
class Kind:
    name: str
    token: str | None
    scopes: frozenset[str]
    municipality: str | None  # the municipality it reads (the default for a regional one)
    teams: frozenset[str] | None = None


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, str] | None = None
    json: Any = None


TEAMS = ("noord", "zuid")


def kinds(engine: Engine, tokens: dict[str, str]) -> list[Kind]:
    sessions = create_session_factory(engine)
    with sessions.begin() as session:
        team_reader = create_client(
            session, "matrix team reader", ["kpi:read", "audit:read"], "0193", ["noord"]
        )[1]
        team_admin = create_client(session, "matrix team admin", SCOPES, "0193", ["noord"])[1]
        gone, gone_token = create_client(session, "matrix revoked", SCOPES, "0193")
        revoke(session, gone.id)
    everything = frozenset(SCOPES)
    return [
        Kind("anonymous", None, frozenset(), None),
        Kind("revoked", gone_token, frozenset(), None),
        *(Kind(scope, tokens[scope], frozenset({scope}), "0193") for scope in SCOPES),
        Kind("municipality admin", tokens["all"], everything, "0193"),
        Kind("regional admin", tokens["regional"], everything, "0193"),
        Kind(
            "team reader",
            team_reader,
            frozenset({"kpi:read", "audit:read"}),
            "0193",
            frozenset({"noord"}),
        ),
        Kind("team admin", team_admin, everything, "0193", frozenset({"noord"})),
        Kind("other municipality", tokens["other"], everything, "0200"),
    ]


def new_client_id(engine: Engine, scopes: list[str]) -> str:
    with create_session_factory(engine).begin() as session:
        return create_client(session, f"matrix target {uuid.uuid4().hex[:6]}", scopes, "0193")[0].id


def builders(engine: Engine, sample_id: str) -> dict[tuple[str, str], Callable[[], Request]]:
    period = {"from": "2026-03-01", "to": "2026-03-31"}

    def new_event() -> dict[str, Any]:
        return Case(f"W-{uuid.uuid4().hex[:8]}", "2026-03-02").events[0]

    return {
        ("POST", "/api/v1/events"): lambda: Request("POST", "/api/v1/events", json=new_event()),
        ("POST", "/api/v1/events/batch"): lambda: Request(
            "POST", "/api/v1/events/batch", json=[new_event()]
        ),
        ("GET", "/api/v1/trajectories"): lambda: Request("GET", "/api/v1/trajectories"),
        ("GET", "/api/v1/trajectories/{trajectoryId}"): lambda: Request(
            "GET", "/api/v1/trajectories/Z-1"
        ),
        ("GET", "/api/v1/kpis"): lambda: Request("GET", "/api/v1/kpis"),
        ("GET", "/api/v1/kpis/table"): lambda: Request("GET", "/api/v1/kpis/table"),
        ("GET", "/api/v1/kpis/{kpiId}"): lambda: Request(
            "GET", "/api/v1/kpis/inflow", {**period, "groupBy": "team"}
        ),
        ("GET", "/api/v1/kpis/{kpiId}/table"): lambda: Request(
            "GET", "/api/v1/kpis/inflow/table", {**period, "groupBy": "team"}
        ),
        ("GET", "/api/v1/figures"): lambda: Request(
            "GET", "/api/v1/figures", {**period, "groupBy": "team"}
        ),
        ("GET", "/api/v1/figures/table"): lambda: Request(
            "GET", "/api/v1/figures/table", {**period, "groupBy": "team"}
        ),
        ("GET", "/api/v1/forecasts/{kpiId}"): lambda: Request(
            "GET", "/api/v1/forecasts/inflow", {"team": "zuid"}
        ),
        ("GET", "/api/v1/forecasts/{kpiId}/table"): lambda: Request(
            "GET", "/api/v1/forecasts/caseload/table", {"team": "zuid"}
        ),
        ("GET", "/api/v1/term-risks"): lambda: Request(
            "GET", "/api/v1/term-risks", {"team": "zuid"}
        ),
        ("GET", "/api/v1/term-risks/table"): lambda: Request(
            "GET", "/api/v1/term-risks/table", {"team": "zuid"}
        ),
        ("PUT", "/api/v1/kpis/{kpiId}/target"): lambda: Request(
            "PUT", "/api/v1/kpis/inflow/target", json={"value": 10}
        ),
        ("POST", "/api/v1/kpis/{kpiId}/values"): lambda: Request(
            "POST",
            "/api/v1/kpis/awareness/values",
            json={
                **period,
                "value": 0.5,
                "n": 300,
                "source": "enquete",
                "group": {"district": f"d-{uuid.uuid4().hex[:8]}"},
            },
        ),
        ("GET", "/api/v1/audit/rules"): lambda: Request("GET", "/api/v1/audit/rules"),
        ("GET", "/api/v1/audit/calendar"): lambda: Request(
            "GET", "/api/v1/audit/calendar", {"year": "2026"}
        ),
        ("GET", "/api/v1/audit/trajectories/{trajectoryId}"): lambda: Request(
            "GET", "/api/v1/audit/trajectories/Z-1"
        ),
        ("GET", "/api/v1/audit/summary"): lambda: Request("GET", "/api/v1/audit/summary", period),
        ("GET", "/api/v1/audit/findings"): lambda: Request("GET", "/api/v1/audit/findings"),
        ("POST", "/api/v1/audit/samples"): lambda: Request(
            "POST", "/api/v1/audit/samples", json={"size": 4, **period, "seed": 1}
        ),
        ("GET", "/api/v1/audit/samples/{sampleId}"): lambda: Request(
            "GET", f"/api/v1/audit/samples/{sample_id}"
        ),
        ("POST", "/api/v1/clients"): lambda: Request(
            "POST",
            "/api/v1/clients",
            json={"name": "matrix new", "scopes": ["kpi:read"], "municipality": "0193"},
        ),
        ("GET", "/api/v1/clients"): lambda: Request("GET", "/api/v1/clients"),
        ("POST", "/api/v1/clients/{clientId}/rotate"): lambda: Request(
            "POST", f"/api/v1/clients/{new_client_id(engine, ['kpi:read'])}/rotate"
        ),
        ("POST", "/api/v1/clients/{clientId}/revoke"): lambda: Request(
            "POST", f"/api/v1/clients/{new_client_id(engine, ['kpi:read'])}/revoke"
        ),
        ("GET", "/api/v1/access-log"): lambda: Request("GET", "/api/v1/access-log"),
        ("POST", "/api/v1/subscriptions"): lambda: Request(
            "POST",
            "/api/v1/subscriptions",
            json={"callbackUrl": "https://93.184.216.34/hook", "types": [FIGURES_CHANGED]},
        ),
        ("GET", "/api/v1/subscriptions"): lambda: Request("GET", "/api/v1/subscriptions"),
        ("DELETE", "/api/v1/subscriptions/{subscriptionId}"): lambda: Request(
            "DELETE", f"/api/v1/subscriptions/{uuid.uuid4()}"
        ),
        ("GET", "/api/v1/subscriptions/{subscriptionId}/dead-letters"): lambda: Request(
            "GET", f"/api/v1/subscriptions/{uuid.uuid4()}/dead-letters"
        ),
        (
            "POST",
            "/api/v1/subscriptions/{subscriptionId}/dead-letters/{notificationId}/redeliver",
        ): lambda: Request(
            "POST", f"/api/v1/subscriptions/{uuid.uuid4()}/dead-letters/{uuid.uuid4()}/redeliver"
        ),
        ("GET", "/api/v1/health/live"): lambda: Request("GET", "/api/v1/health/live"),
        ("GET", "/api/v1/health/ready"): lambda: Request("GET", "/api/v1/health/ready"),
    }


SUCCESS = {"POST /api/v1/events": 201, "POST /api/v1/kpis/{kpiId}/values": 201,
           "POST /api/v1/audit/samples": 201, "POST /api/v1/clients": 201,
           "POST /api/v1/subscriptions": 201}  # fmt: skip
FIGURES_CHANGED = "nl.wijkteam-kpi.figures.changed"


WHOLE_MUNICIPALITY_WRITES = ("PUT /api/v1/kpis/{kpiId}/target", "POST /api/v1/kpis/{kpiId}/values")


def expected(key: str, kind: Kind, needed: tuple[str, ...]) -> int:
    if key.split(" ")[1] in PUBLIC:
        return 200
    if kind.token is None or not kind.scopes:
        return 401
    if not kind.scopes.intersection(needed):
        return 403
    limited_teams = kind.teams is not None
    if key.endswith("{trajectoryId}") and (kind.municipality != "0193" or limited_teams):
        return 404  # Z-1 is a zuid trajectory of 0193
    if key.endswith("{sampleId}") and (kind.municipality != "0193" or limited_teams):
        return 404  # drawn over every team of 0193
    if "{subscriptionId}" in key:
        return 404  # no such subscription
    if "/forecasts/" in key or "/term-risks" in key:  # of team zuid: not for a noord reader
        return 403 if limited_teams else 422  # the matrix's few cases: too little history
    if key in ("POST /api/v1/clients/{clientId}/rotate", "POST /api/v1/clients/{clientId}/revoke"):
        covers = kind.municipality == "0193" and "kpi:read" in kind.scopes and not limited_teams
        return 200 if covers else 404
    # an admin may not grant a scope it lacks, nor for another municipality or more teams
    lacks = "kpi:read" not in kind.scopes or kind.name == "other municipality"
    if key == "POST /api/v1/clients" and (lacks or limited_teams):
        return 403
    # a team limit limits writes too: no municipality-wide target or value (the value
    # posted names a district, no team), no event on another team's case (W- cases are noord)
    if key in WHOLE_MUNICIPALITY_WRITES and limited_teams:
        return 403
    return SUCCESS.get(key, 200)


def visible_count(engine: Engine, kind: Kind) -> int:
    query = select(func.count()).where(Trajectory.municipality == kind.municipality)
    if kind.teams is not None:
        query = query.where(Trajectory.team.in_(kind.teams))
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def check_limits(engine: Engine, kind: Kind, key: str, body: Any) -> None:
    """Every trajectory, team and count in a read lies inside the caller's limits."""
    ids: list[str] = []
    if key == "GET /api/v1/trajectories":
        ids = [t["trajectoryId"] for t in body["results"]]
    elif key == "GET /api/v1/audit/findings":
        ids = [f["trajectoryId"] for f in body["results"]]
    elif key == "GET /api/v1/access-log":
        ids = [tid for entry in body["results"] for tid in entry["trajectoryIds"]]
    elif key in ("POST /api/v1/audit/samples", "GET /api/v1/audit/samples/{sampleId}"):
        ids = body["trajectoryIds"]
        population = body["request"]["population"]
        if kind.teams is not None:
            assert set(population) <= kind.teams, (kind.name, population)
    elif key == "GET /api/v1/kpis/{kpiId}":
        teams = {g["key"]["team"] for g in body["groups"]}
        assert teams <= (kind.teams or set(TEAMS)), (kind.name, teams)
        shown = sum(g["n"] or 0 for g in body["groups"])
        # a reader of figures only sees counts rounded to a multiple of 5: each up by 4 at most
        slack = 0 if "audit:read" in kind.scopes else 4 * len(body["groups"])
        assert shown <= visible_count(engine, kind) + slack, (kind.name, shown)
        if slack:
            assert all((g["n"] or 0) % 5 == 0 for g in body["groups"]), (kind.name, body)
    elif key == "GET /api/v1/figures":
        teams = {r["group"]["team"] for r in body["rows"]}
        assert teams <= (kind.teams or set(TEAMS)), (kind.name, teams)
        inflow = [r["n"] or 0 for r in body["rows"] if r["kpi"] == "inflow"]
        slack = 0 if "audit:read" in kind.scopes else 4 * len(inflow)
        assert sum(inflow) <= visible_count(engine, kind) + slack, (kind.name, inflow)
    elif key == "GET /api/v1/audit/summary":
        counted = sum(g["trajectories"] for g in body["groups"])
        assert counted == visible_count(engine, kind), (kind.name, counted)
    elif key == "GET /api/v1/clients":
        municipalities = {c["municipality"] for c in body}
        if kind.name == "municipality admin" or kind.name == "admin":
            assert municipalities == {"0193"}, municipalities
    if not ids:
        return
    with engine.connect() as connection:
        rows = connection.execute(
            select(Trajectory.municipality, Trajectory.team).where(
                Trajectory.trajectory_id.in_(ids),
                Trajectory.municipality == kind.municipality,
            )
        ).all()
    assert len(rows) >= len(set(ids)), (kind.name, key, "ids from another municipality")
    assert all(kind.teams is None or team in kind.teams for _, team in rows), (kind.name, key)


def test_every_route_for_every_kind_of_client(
    client: TestClient, engine: Engine, tokens: dict[str, str]
) -> None:
    post(
        client,
        *(
            Case(f"{team[0].upper()}-{i}", "2026-03-02", team=team)
            for team in TEAMS
            for i in range(1, 7)
        ),
    )
    sample = client.post(
        "/api/v1/audit/samples",
        json={"size": 4, "from": "2026-03-01", "to": "2026-03-31", "seed": 9},
    ).json()
    client.get("/api/v1/trajectories")  # an unlimited read in the access log, both teams
    build = builders(engine, sample["id"])
    routes = [(m, r) for r in api_routes(client) for m in sorted(r.methods or ())]
    missing = [f"{m} {r.path}" for m, r in routes if (m, r.path) not in build]
    assert missing == [], "routes without a request in the access matrix"
    cells = 0
    for kind in kinds(engine, tokens):
        for method, route in routes:
            key = f"{method} {route.path}"
            needed = tuple(s for g in guards(route.dependant) for s in g.scopes)
            request = build[(method, route.path)]()
            headers = {"Authorization": f"Bearer {kind.token}" if kind.token else ""}
            response = client.request(
                request.method, request.path, params=request.params, json=request.json,
                headers=headers,
            )  # fmt: skip
            want = expected(key, kind, needed)
            assert response.status_code == want, (kind.name, key, response.text[:300])
            if response.status_code < 300 and key.endswith("/table"):
                rows = csv.DictReader(io.StringIO(response.text))
                # figures by team name only the caller's teams; the catalogue names none
                teams = {row.get("team") for row in rows} - {None}
                assert teams <= (kind.teams or set(TEAMS)), (kind.name, teams)
            elif response.status_code < 300:
                check_limits(engine, kind, key, response.json())
            cells += 1
    assert cells == len(routes) * 11 == 385
