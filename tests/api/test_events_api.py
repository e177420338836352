"""POST /events and /events/batch, on SQLite and PostgreSQL."""

import random
from typing import Any

import orjson
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import closed, event, full_trajectory, new_id, opened, retraction, step
from tests.helpers import assert_problem

EVENTS = "/api/v1/events"
BATCH = "/api/v1/events/batch"


def state_of(client: TestClient, trajectory: str = "T-1") -> dict[str, Any]:
    response = client.get(f"/api/v1/trajectories/{trajectory}")
    assert response.status_code == 200, response.text
    state: dict[str, Any] = response.json()["state"]
    return state


def test_a_new_event_is_created_and_shapes_the_state(client: TestClient) -> None:
    response = client.post(EVENTS, json=opened("2026-03-02T09:00:00+01:00"))
    assert response.status_code == 201
    assert response.json()["status"] == "created"
    assert response.headers["API-Version"] == "1.0.0"
    assert state_of(client)["opened"]["on"] == "2026-03-02"


def test_the_same_event_twice_is_a_duplicate_that_changes_nothing(client: TestClient) -> None:
    body = opened("2026-03-02T09:00:00+01:00")
    assert client.post(EVENTS, json=body).status_code == 201
    before = client.get("/api/v1/trajectories/T-1").json()
    again = client.post(EVENTS, json=body)
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    after = client.get("/api/v1/trajectories/T-1").json()
    assert after["timeline"] == before["timeline"]
    assert after["state"] == before["state"]


def test_the_same_instant_written_with_another_offset_is_the_same_event(client: TestClient) -> None:
    body = opened("2026-03-02T09:00:00+01:00")
    assert client.post(EVENTS, json=body).status_code == 201
    assert (
        client.post(EVENTS, json={**body, "occurredAt": "2026-03-02T08:00:00Z"}).status_code == 200
    )


def test_a_known_event_id_with_another_body_is_a_conflict(client: TestClient) -> None:
    body = opened("2026-03-02T09:00:00+01:00")
    client.post(EVENTS, json=body)
    changed = {**body, "data": {**body["data"], "team": "zuid"}}
    problem = assert_problem(client.post(EVENTS, json=changed), 409)
    assert body["eventId"] in problem["detail"]
    assert state_of(client)["team"] == "noord"


def test_invalid_input_lists_every_bad_field_and_stores_nothing(client: TestClient) -> None:
    body = {
        "eventId": "not-a-uuid",
        "trajectoryId": "T-1",
        "type": "step.completed",
        "occurredAt": "2026-03-02T09:00:00",  # no offset
        "data": {"step": "own_network", "professionalRef": "prof-0001-pseudo", "hours": 2},
    }
    problem = assert_problem(client.post(EVENTS, json=body), 400)
    names = {(p["name"], p["code"]) for p in problem["invalidParams"]}
    assert names == {
        ("eventId", "uuid_parsing"),
        ("occurredAt", "timezone_aware"),
        ("data.outcome", "enum"),  # step 4 needs an outcome
        ("data.hours", "not_for_this_step"),
    }
    assert client.get("/api/v1/trajectories/T-1").status_code == 404


def test_an_unknown_event_type_names_the_type_field(client: TestClient) -> None:
    problem = assert_problem(
        client.post(EVENTS, json=event("step.skipped", "2026-03-02T09:00:00Z")), 400
    )
    assert [p["name"] for p in problem["invalidParams"]] == ["type"]


def test_malformed_json_is_a_400_problem_not_a_422(client: TestClient) -> None:
    response = client.post(
        EVENTS, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(response, 400)


def test_a_bsn_anywhere_a_person_could_type_one_is_refused(client: TestClient) -> None:
    cases = [
        ("data.clientRef", opened("2026-03-02T09:00:00+01:00", clientRef="123456782")),
        (
            "data.reason",
            step(
                "own_input", "2026-03-04T09:00:00+01:00", "not_applicable", reason="zie 1234.56.782"
            ),
        ),
        (
            "data.professionalRef",
            {
                **step("request", "2026-03-04T09:00:00+01:00"),
                "data": {"step": "request", "professionalRef": "mw-111222333"},
            },
        ),
        ("trajectoryId", opened("2026-03-02T09:00:00+01:00", trajectory="123456782")),
    ]
    for field, body in cases:
        problem = assert_problem(client.post(EVENTS, json=body), 400)
        assert {"name": field, "code": "bsn_not_allowed"} in [
            {"name": p["name"], "code": p["code"]} for p in problem["invalidParams"]
        ], field
    assert client.get("/api/v1/trajectories").json()["results"] == []


def test_not_applicable_own_input_needs_a_reason(client: TestClient) -> None:
    problem = assert_problem(
        client.post(EVENTS, json=step("own_input", "2026-03-04T09:00:00+01:00", "not_applicable")),
        400,
    )
    assert problem["invalidParams"][0]["name"] == "data.reason"


def test_a_retraction_removes_the_event_from_the_state(client: TestClient) -> None:
    wrong = step("own_network", "2026-03-16T10:00:00+01:00", "sufficient")
    for body in (opened("2026-03-02T09:00:00+01:00"), wrong):
        client.post(EVENTS, json=body)
    assert state_of(client)["resolution"]["step"] == "own_network"
    assert (
        client.post(EVENTS, json=retraction(wrong, "2026-03-17T09:00:00+01:00")).status_code == 201
    )
    state = state_of(client)
    assert state["resolution"] is None
    assert state["steps"] == []
    timeline = client.get("/api/v1/trajectories/T-1").json()["timeline"]
    assert [e["retracted"] for e in timeline if e["eventId"] == wrong["eventId"]] == [True]


def test_a_batch_stores_valid_events_and_reports_invalid_ones_by_index(client: TestClient) -> None:
    events = full_trajectory()
    bad = step("own_network", "2026-03-16T10:00:00+01:00", "plenty")
    batch = [*events[:3], bad, *events[3:]]
    response = client.post(BATCH, json=batch)
    assert response.status_code == 200
    result = response.json()
    assert (result["received"], result["created"], result["rejected"]) == (
        len(batch),
        len(events),
        1,
    )
    assert result["errors"][0]["index"] == 3
    assert result["errors"][0]["eventId"] == bad["eventId"]
    assert result["errors"][0]["invalidParams"][0]["name"] == "data.outcome"
    assert state_of(client)["status"] == "closed"


def test_a_batch_reports_conflicts_and_duplicates(client: TestClient) -> None:
    first = opened("2026-03-02T09:00:00+01:00")
    client.post(EVENTS, json=first)
    conflicting = {**first, "data": {**first["data"], "team": "zuid"}}
    request = step("request", "2026-03-03T09:00:00+01:00")
    result = client.post(BATCH, json=[first, conflicting, request, request]).json()
    assert (result["created"], result["duplicates"], result["rejected"]) == (1, 2, 1)
    assert result["errors"] == [
        {
            "index": 1,
            "eventId": first["eventId"],
            "status": 409,
            "invalidParams": [
                {
                    "name": "eventId",
                    "code": "conflict",
                    "reason": result["errors"][0]["invalidParams"][0]["reason"],
                }
            ],
        }
    ]


def test_a_batch_accepts_ndjson(client: TestClient) -> None:
    lines = b"\n".join(orjson.dumps(e) for e in full_trajectory()) + b"\n"
    response = client.post(BATCH, content=lines, headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 200
    assert response.json()["created"] == len(full_trajectory())


def test_a_batch_that_is_not_an_array_is_refused_whole(client: TestClient) -> None:
    problem = assert_problem(client.post(BATCH, json={"eventId": new_id()}), 400)
    assert problem["invalidParams"][0]["name"] == "body"


def test_a_batch_over_the_limit_is_refused_whole(client: TestClient) -> None:
    body = [opened("2026-03-02T09:00:00+01:00", trajectory=f"T-{i}") for i in range(10_001)]
    problem = assert_problem(client.post(BATCH, json=body), 400)
    assert problem["invalidParams"][0]["code"] == "max_items"
    assert client.get("/api/v1/trajectories").json()["results"] == []


def test_a_body_larger_than_allowed_is_a_413(client: TestClient) -> None:
    too_big = b"[" + b" " * (32 * 1024 * 1024) + b"]"
    assert_problem(
        client.post(BATCH, content=too_big, headers={"content-type": "application/json"}), 413
    )


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_out_of_order_and_repeated_delivery_gives_the_in_order_state(
    client: TestClient, seed: int
) -> None:
    rnd = random.Random(seed)
    in_order_id, shuffled_id = f"IN-{seed:x}", f"SH-{seed:x}"

    def story(trajectory: str) -> list[dict[str, Any]]:
        wrong = step("own_input", "2026-03-17T10:00:00+01:00", "sufficient", trajectory, hours=1)
        correction = retraction(wrong, "2026-03-18T12:00:00+01:00")
        return [*full_trajectory(trajectory), wrong, correction]

    in_order, shuffled = story(in_order_id), story(shuffled_id)
    # The two stories differ only in ids; name each event by its place in the story.
    names = {
        e["eventId"]: f"event-{i}" for story_ in (in_order, shuffled) for i, e in enumerate(story_)
    }
    for e in in_order:
        client.post(EVENTS, json=e)
    shuffled += rnd.sample(shuffled, 3)  # some arrive twice
    rnd.shuffle(shuffled)
    cut = rnd.randrange(1, len(shuffled))
    client.post(BATCH, json=shuffled[:cut])
    for e in shuffled[cut:]:
        assert client.post(EVENTS, json=e).status_code in (200, 201)
    expected, actual = state_of(client, in_order_id), state_of(client, shuffled_id)
    expected.pop("trajectoryId"), actual.pop("trajectoryId")
    assert with_ids_named(actual, names) == with_ids_named(expected, names)


def with_ids_named(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: with_ids_named(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [with_ids_named(v, names) for v in value]
    return names.get(value, value) if isinstance(value, str) else value


def test_closing_event_sets_status_and_filters(client: TestClient) -> None:
    client.post(
        BATCH, json=[opened("2026-03-02T09:00:00+01:00"), closed("2026-03-20T09:00:00+01:00")]
    )
    assert state_of(client)["status"] == "closed"
