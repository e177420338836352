"""GET /trajectories and /trajectories/{id}, on SQLite and PostgreSQL."""

from fastapi.testclient import TestClient

from tests.factories import closed, full_trajectory, opened
from tests.helpers import assert_problem

LIST = "/api/v1/trajectories"


def post_all(client: TestClient, events: list[dict[str, object]]) -> None:
    result = client.post("/api/v1/events/batch", json=events).json()
    assert result["rejected"] == 0, result


def test_one_trajectory_shows_steps_in_order_with_their_evidence(client: TestClient) -> None:
    events = full_trajectory()
    post_all(client, list(reversed(events)))
    body = client.get(f"{LIST}/T-1").json()
    steps = body["state"]["steps"]
    assert [s["step"] for s in steps] == [
        "request",
        "problems",
        "need",
        "own_network",
        "own_input",
        "provision",
    ]
    assert steps[3]["outcome"] == "partial"
    assert steps[3]["completed"]["eventId"] == events[4]["eventId"]
    assert steps[3]["professionalRef"] == "prof-0001-pseudo"
    assert [e["eventId"] for e in body["timeline"]] == [e["eventId"] for e in events]
    assert body["timeline"][0]["occurredOn"] == "2026-03-02"


def test_an_unknown_trajectory_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.get(f"{LIST}/NOPE-1"), 404)


def test_pages_cover_every_match_once_in_a_stable_order(client: TestClient) -> None:
    events = []
    for i in range(23):
        team = "noord" if i % 3 else "zuid"
        events.append(opened("2026-03-02T09:00:00+01:00", trajectory=f"T-{i:03d}", team=team))
    post_all(client, events)
    seen: list[str] = []
    url: str | None = f"{LIST}?team=noord&pageSize=5"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 5
        seen += [r["trajectoryId"] for r in page["results"]]
        url = page["next"]
    expected = sorted(f"T-{i:03d}" for i in range(23) if i % 3)
    assert seen == expected


def test_filters_on_status_and_closing_date(client: TestClient) -> None:
    post_all(
        client,
        [
            opened("2026-01-05T09:00:00+01:00", trajectory="A-1"),
            closed("2026-02-10T09:00:00+01:00", trajectory="A-1"),
            opened("2026-01-06T09:00:00+01:00", trajectory="A-2"),
            closed("2026-03-10T09:00:00+01:00", trajectory="A-2"),
            opened("2026-01-07T09:00:00+01:00", trajectory="A-3"),
        ],
    )

    def ids(url: str) -> list[str]:
        return [r["trajectoryId"] for r in client.get(url).json()["results"]]

    assert ids(f"{LIST}?status=open") == ["A-3"]
    assert ids(f"{LIST}?closedFrom=2026-02-01&closedTo=2026-02-28") == ["A-1"]
    assert ids(f"{LIST}?openedFrom=2026-01-06") == ["A-2", "A-3"]


def test_bad_query_parameters_are_all_reported_in_lower_camel_case(client: TestClient) -> None:
    problem = assert_problem(
        client.get(f"{LIST}?status=sleeping&pageSize=0&openedFrom=yesterday"), 400
    )
    assert {p["name"] for p in problem["invalidParams"]} == {"status", "pageSize", "openedFrom"}


def test_a_forged_cursor_is_a_400(client: TestClient) -> None:
    assert_problem(client.get(f"{LIST}?cursor=%%%%"), 400)


def test_case_data_is_never_cached_and_carries_the_standard_headers(client: TestClient) -> None:
    post_all(client, [opened("2026-01-05T09:00:00+01:00")])
    response = client.get(f"{LIST}/T-1")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["API-Version"] == "1.0.0"
