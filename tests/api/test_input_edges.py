"""Odd input gets a 4xx that names the problem, and nothing of it is stored.

Each case below was once answered with a 500 or accepted by lenient parsing.
"""

import re
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from app.models import ApiClient, StoredEvent
from app.schemas.base import control_character_path
from tests.factories import event, opened, step
from tests.helpers import api_routes, assert_problem, stored_events

EVENTS = "/api/v1/events"
BATCH = "/api/v1/events/batch"
AT = "2026-03-02T09:00:00+01:00"


def codes(response: Any) -> set[tuple[str, str]]:
    problem = assert_problem(response, 400)
    return {(p["name"], p["code"]) for p in problem["invalidParams"]}


@pytest.mark.parametrize(
    ("occurred_at", "code"),
    [
        ("9999-12-31T23:59:59Z", "year_out_of_range"),
        ("0001-01-01T00:00:00+01:00", "year_out_of_range"),
        (0, "datetime_format"),
        ("1700000000", "datetime_format"),
        ("2026-03-02T09:00:00", "timezone_aware"),
        ("2026-03-02", "datetime_format"),
    ],
)
def test_timestamps_outside_the_contract_are_refused_single_and_in_a_batch(
    client: TestClient, engine: Engine, occurred_at: object, code: str
) -> None:
    body = {**opened(AT), "occurredAt": occurred_at}
    assert ("occurredAt", code) in codes(client.post(EVENTS, json=body))
    good = opened(AT, trajectory="T-2")
    result = client.post(BATCH, json=[body, good]).json()
    assert (result["created"], result["rejected"]) == (1, 1)
    assert result["errors"][0]["invalidParams"][0]["code"] == code
    assert stored_events(engine) == 1  # only the good one


def test_control_characters_are_refused_in_every_text_single_and_batch(
    client: TestClient, engine: Engine
) -> None:
    nul = step("own_input", AT, "not_applicable", reason="geen\u0000inzet")
    assert ("data.reason", "control_character") in codes(client.post(EVENTS, json=nul))
    result = client.post(BATCH, json=[nul, opened(AT, trajectory="T-2")]).json()
    assert (result["created"], result["rejected"]) == (1, 1)
    assert result["errors"][0]["invalidParams"][0]["name"] == "data.reason"
    target = client.put("/api/v1/kpis/efficiency/target", json={"value": 1, "note": "a\u0000"})
    assert ("note", "control_character") in codes(target)
    assert stored_events(engine) == 1


# Every code point a screen could get wrong: the C0 controls, DEL, the C1 range and the
# separators repr() also escapes, in a value and in a key, nested, beside a literal "\\x".
AWKWARD = [chr(c) for c in [*range(0x00, 0x21), *range(0x7F, 0xA1), 0x2028, 0xFEFF]]


@pytest.mark.parametrize("letter", AWKWARD, ids=[f"U+{ord(c):04X}" for c in AWKWARD])
def test_the_control_character_screen_finds_exactly_the_control_characters(letter: str) -> None:
    control = bool(re.fullmatch(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", letter))
    in_value = {"eventId": "e-1", "data": {"notes": ["ok", f"a{letter}b \\x01"]}}
    in_key = {"data": [{f"k{letter}": "C:\\x"}]}
    assert control_character_path(in_value) == ("data.notes[1]" if control else None)
    assert control_character_path(in_key) == (f"data[0].k{letter}" if control else None)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/trajectories?team=%00",
        "/api/v1/kpis/inflow?from=2026-01-01&to=2026-01-31&team=%00",
        "/api/v1/audit/findings?team=%00",
        "/api/v1/trajectories?district=noord%01",
    ],
)
def test_control_characters_in_query_values_are_refused(client: TestClient, path: str) -> None:
    assert {code for _, code in codes(client.get(path))} == {"control_character"}


NAMES_NOBODY_SHOULD_TYPE = [
    "a\x00",
    "\x00",
    "te\x01am",
    "x\x7f",
    "111222333",
    "c\uff11\uff11\uff11\uff12\uff12\uff12\uff13\uff13\uff13",
]


@pytest.mark.parametrize("name", NAMES_NOBODY_SHOULD_TYPE, ids=repr)
def test_every_get_route_refuses_control_characters_and_bsns_in_parameter_names(
    client: TestClient, name: str
) -> None:
    """A parameter's name is the client's text as much as its value (it reaches the access
    log, and PostgreSQL stores no NUL): every GET route answers 400 naming it, never 500."""
    for route in api_routes(client):
        if "GET" not in (route.methods or ()):
            continue
        path = re.sub(r"\{[^}]+\}", "inflow", route.path)  # any value: the screen runs first
        answer = client.get(path, params={name: "1", "from": "2026-01-01", "to": "2026-01-31"})
        if route.path.startswith("/api/v1/health") or path.endswith(("/openapi.json", "/docs")):
            assert answer.status_code < 500, path
            continue
        found = codes(answer)
        assert {code for _, code in found} & {"control_character", "bsn_not_allowed"}, path
        assert all("\x00" not in n for n, _ in found), "a NUL is echoed back"


def test_cursors_and_ids_out_of_range_are_400(client: TestClient) -> None:
    for path in ("/api/v1/trajectories", "/api/v1/audit/findings"):
        for cursor in ("\u00e9", "////", "a~b"):
            assert codes(client.get(path, params={"cursor": cursor})) == {
                ("cursor", "string_pattern_mismatch")
            }
    impossible = "2026-02-30~T-1~step_order"  # admitted by the pattern, not a calendar date
    assert ("cursor", "invalid") in codes(
        client.get("/api/v1/audit/findings", params={"cursor": impossible})
    )
    assert ("before", "less_than_equal") in codes(
        client.get("/api/v1/access-log", params={"before": 2**31})
    )


def test_numbers_must_be_finite_json_numbers(client: TestClient) -> None:
    period = {"from": "2026-01-01", "to": "2026-03-31", "source": "enquete", "n": 400}
    for raw in (b"NaN", b"Infinity", b"-Infinity", b"1e999"):
        body = orjson.dumps({**period, "value": 0}).replace(b'"value":0', b'"value":' + raw)
        response = client.post(
            "/api/v1/kpis/awareness/values",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        assert ("body", "json_invalid") in codes(response)
    assert ("value", "number_type") in codes(
        client.post("/api/v1/kpis/awareness/values", json={**period, "value": "0.5"})
    )
    assert ("n", "int_type") in codes(
        client.post("/api/v1/kpis/awareness/values", json={**period, "value": 0.5, "n": 4.5})
    )
    shown = client.get("/api/v1/kpis/awareness", params={"from": "2026-01-01", "to": "2026-12-31"})
    assert shown.json()["groups"] == []  # nothing was stored


def test_no_coercion_of_scores_booleans_seeds_and_dates(client: TestClient, engine: Engine) -> None:
    for score in (True, "4", 4.5):
        body = event("satisfaction.recorded", AT, {"scores": {"overall": score}})
        assert ("data.scores.overall", "int_type") in codes(client.post(EVENTS, json=body))
    advice = step("provision", AT, "granted", expertAdviceRequired="yes")
    assert ("data.expertAdviceRequired", "bool_type") in codes(client.post(EVENTS, json=advice))
    sample = {"size": 2, "from": "2026-01-01", "to": "2026-01-31", "seed": False}
    assert ("seed", "int_type") in codes(client.post("/api/v1/audit/samples", json=sample))
    bad_date = {**sample, "seed": 1, "from": 0}
    assert ("from", "date_format") in codes(client.post("/api/v1/audit/samples", json=bad_date))
    for value in ("0", "20260101", "2026-1-1"):
        response = client.get("/api/v1/kpis/inflow", params={"from": value, "to": "2026-01-31"})
        assert ("from", "date_format") in codes(response)
    assert stored_events(engine) == 0


def test_bodies_json_cannot_express_are_400_with_invalid_params(client: TestClient) -> None:
    utf16 = orjson.dumps(opened(AT)).decode().encode("utf-16")
    for raw in (utf16, b"{not json", b"[" * 2000 + b"]" * 2000, b"\xff\xfe"):
        response = client.post(EVENTS, content=raw, headers={"Content-Type": "application/json"})
        assert codes(response) == {("body", "json_invalid")}
    deep = client.post(
        EVENTS, content=b"[" * 1000 + b"]" * 1000, headers={"Content-Type": "application/json"}
    )
    assert codes(deep)  # parsed, then refused as not an event: still a 400 naming why
    assert client.get("/api/v1/trajectories/T-1").status_code == 404


@pytest.mark.parametrize(
    "value",
    [
        "BSN111222333",
        "c111222333",
        "111-222-333",
        "111 22 2333",
        "1112.22.333",
        "\uff11\uff11\uff11\uff12\uff12\uff12\uff13\uff13\uff13",  # fullwidth
        "\u0661\u0661\u0661-\u0662\u0662\u0662-\u0663\u0663\u0663",  # Arabic-Indic
        "\u0967\u0967\u0967\u0968\u0968\u0968\u0969\u0969\u0969",  # Devanagari
    ],
)
def test_a_bsn_in_any_form_is_refused_in_bodies_queries_and_client_names(
    client: TestClient, engine: Engine, value: str
) -> None:
    assert ("data.clientRef", "bsn_not_allowed") in codes(
        client.post(EVENTS, json=opened(AT, clientRef=f"ref-{value}"))
    )
    trajectory = value.replace(" ", "-").replace(".", "-")
    assert ("trajectoryId", "bsn_not_allowed") in codes(
        client.post(EVENTS, json=opened(AT, trajectory=f"SWT{trajectory}"))
    )
    assert ("team", "bsn_not_allowed") in codes(
        client.get("/api/v1/trajectories", params={"team": value})
    )
    assert ("trajectoryId", "bsn_not_allowed") in codes(
        client.get(f"/api/v1/trajectories/SWT{trajectory}")
    )
    named = client.post(
        "/api/v1/clients", json={"name": f"koppeling {value}", "scopes": ["kpi:read"]}
    )
    assert ("name", "bsn_not_allowed") in codes(named)
    with engine.connect() as connection:
        names = connection.execute(select(ApiClient.name)).scalars().all()
        log = connection.execute(select(func.count()).select_from(StoredEvent)).scalar_one()
    assert not any(value in name for name in names)
    assert log == 0
    # nothing of it reached the access log either
    entries = client.get("/api/v1/access-log").json()["results"]
    assert not any(value in orjson.dumps(e).decode() for e in entries)
