"""The synthetic generator feeds tests and benchmarks: it must be valid and reproducible."""

from collections import Counter

from fastapi.testclient import TestClient

from scripts.generate_events import generate


def test_the_same_seed_gives_the_same_events() -> None:
    assert list(generate(30, seed=5)) == list(generate(30, seed=5))
    assert list(generate(30, seed=5)) != list(generate(30, seed=6))


def test_every_generated_event_is_accepted_and_the_mix_looks_like_a_wijkteam(
    client: TestClient,
) -> None:
    events = list(generate(300, seed=11))
    result = client.post("/api/v1/events/batch", json=events).json()
    assert (result["created"], result["rejected"]) == (len(events), 0), result["errors"][:3]
    types = Counter(e["type"] for e in events)
    assert types["trajectory.opened"] == 300
    assert types["event.retracted"] >= 1
    listing = client.get("/api/v1/trajectories?pageSize=1000").json()["results"]
    assert len(listing) == 300
    statuses = Counter(t["status"] for t in listing)
    assert statuses["closed"] > statuses["open"] > 0
    assert {t["resolutionStep"] for t in listing} >= {"own_network", "own_input", "provision"}
