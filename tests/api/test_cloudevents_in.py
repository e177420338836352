"""Registration systems that already emit CloudEvents post them as they are: structured,
batch and binary mode land like our own format (the same validation, idempotency and
answers), and a malformed CloudEvent is a 400 naming the attribute."""

import json
import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import DEFAULT_OPENING
from tests.helpers import assert_problem

STRUCTURED = {"Content-Type": "application/cloudevents+json"}


def cloud_event(subject: str, **overrides: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": f"regsys-{uuid.uuid4().hex[:12]}",  # a sender's own id, not a UUID
        "source": "urn:nld:gemeente:0193:regsys",
        "type": "nl.wijkteam-kpi.event.trajectory.opened",
        "subject": subject,
        "time": "2026-03-02T09:00:00+01:00",
        "datacontenttype": "application/json",
        "data": DEFAULT_OPENING,
        **overrides,
    }


def post(
    client: TestClient, body: Any, headers: dict[str, str], path: str = "/api/v1/events"
) -> Any:
    return client.post(path, content=json.dumps(body), headers=headers)


def test_a_structured_cloud_event_lands_like_our_own_and_is_idempotent(client: TestClient) -> None:
    event = cloud_event("CE-1")
    first = post(client, event, STRUCTURED)
    assert first.status_code == 201, first.text
    again = post(client, event, STRUCTURED)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert first.json()["eventId"] == again.json()["eventId"]  # derived from source and id
    timeline = client.get("/api/v1/trajectories/CE-1").json()["timeline"]
    assert len(timeline) == 1 and timeline[0]["type"] == "trajectory.opened"
    # a real UUID as the CloudEvent's id is the eventId itself
    own = str(uuid.uuid4())
    assert post(client, cloud_event("CE-2", id=own), STRUCTURED).json()["eventId"] == own


def test_a_batch_and_binary_mode_land_too(client: TestClient) -> None:
    batch = [cloud_event(f"CB-{i}") for i in range(3)]
    answer = post(
        client,
        batch,
        {"Content-Type": "application/cloudevents-batch+json"},
        "/api/v1/events/batch",
    )
    assert answer.status_code == 200 and answer.json()["created"] == 3
    binary = {
        "Content-Type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": "regsys-binary-1",
        "ce-source": "urn:nld:gemeente:0193:regsys",
        "ce-type": "nl.wijkteam-kpi.event.trajectory.opened",
        "ce-subject": "CBIN-1",
        "ce-time": "2026-03-02T09:00:00+01:00",
    }
    assert post(client, DEFAULT_OPENING, binary).status_code == 201
    assert client.get("/api/v1/trajectories/CBIN-1").status_code == 200


def test_the_same_validation_holds_for_the_data(client: TestClient) -> None:
    wrong = cloud_event("CE-BAD", data={**DEFAULT_OPENING, "domain": "nonsense"})
    problem = assert_problem(post(client, wrong, STRUCTURED), 400)
    assert any(p["name"].endswith("domain") for p in problem["invalidParams"])


def test_a_malformed_cloud_event_is_a_400_naming_the_attribute(client: TestClient) -> None:
    cases = {
        "subject": {**cloud_event("X"), "subject": ""},
        "specversion": cloud_event("X", specversion="0.3"),
        "type": cloud_event("X", type="com.example.opened"),
        "time": {k: v for k, v in cloud_event("X").items() if k != "time"},
        "datacontenttype": cloud_event("X", datacontenttype="application/xml"),
    }
    for attribute, body in cases.items():
        problem = assert_problem(post(client, body, STRUCTURED), 400)
        assert problem["invalidParams"][0]["name"] == attribute, (attribute, problem)
        assert problem["invalidParams"][0]["code"] == "cloudevent"
    batch = [cloud_event("B-1"), cloud_event("B-2", id="")]
    problem = assert_problem(
        post(
            client,
            batch,
            {"Content-Type": "application/cloudevents-batch+json"},
            "/api/v1/events/batch",
        ),
        400,
    )
    assert problem["invalidParams"][0]["name"] == "[1].id"
    assert client.get("/api/v1/trajectories/B-1").status_code == 404  # nothing of it stored
