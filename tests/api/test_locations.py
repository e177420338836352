"""A 201 says where to read what it created (or where its effect shows)."""

from fastapi.testclient import TestClient

from tests.factories import opened
from tests.kpis.scenario import Case, post


def test_a_201_of_a_readable_resource_has_a_location_that_answers(client: TestClient) -> None:
    created = client.post("/api/v1/events", json=opened("2026-03-02T09:00:00+01:00", "LOC:1"))
    assert created.status_code == 201
    assert created.headers["Location"] == "http://testserver/api/v1/trajectories/LOC%3A1"
    assert client.get(created.headers["Location"]).json()["trajectoryId"] == "LOC:1"
    post(client, *(Case(f"S-{i}", "2026-03-02") for i in range(6)))
    sample = client.post(
        "/api/v1/audit/samples",
        json={"size": 2, "from": "2026-03-01", "to": "2026-03-31", "seed": 3},
    )
    assert sample.status_code == 201
    assert client.get(sample.headers["Location"]).json() == sample.json()
