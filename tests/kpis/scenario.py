"""A compact way to write worked KPI examples: one Case per trajectory, dates as strings."""

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import event, new_id


@dataclass
class Case:
    """Events of one trajectory; every method adds one event at 10:00 local on that date."""

    trajectory: str
    opened: str | None = None
    team: str = "noord"
    domain: str = "wmo"
    client: str | None = None
    district: str = "wijk-1"
    events: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.opened:
            self.add(
                "trajectory.opened",
                self.opened,
                {
                    "clientRef": self.client or f"client-{self.trajectory}-pseudo",
                    "domain": self.domain,
                    "district": self.district,
                    "team": self.team,
                    "channel": "phone",
                    "ageBand": "0-17" if self.domain == "jeugdwet" else "45-66",
                },
            )

    def add(self, event_type: str, on: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        at = on if "T" in on else f"{on}T10:00:00+01:00"
        body = event(event_type, at, data, self.trajectory, new_id())
        self.events.append(body)
        return body

    def step(self, name: str, on: str, outcome: str | None = None, **extra: Any) -> "Case":
        data: dict[str, Any] = {"step": name, "professionalRef": "prof-test-0001", **extra}
        if outcome:
            data["outcome"] = outcome
        self.add("step.completed", on, data)
        return self

    def steps_1_to_3(self, on: str) -> "Case":
        return self.step("request", on).step("problems", on).step("need", on)

    def then(self, event_type: str, on: str, **data: Any) -> "Case":
        self.add(event_type, on, data or None)
        return self


def post(client: TestClient, *cases: Case, reverse: bool = True) -> None:
    """Post all events, by default in reverse order: figures must not depend on arrival."""
    events = [e for case in cases for e in case.events]
    if reverse:
        events.reverse()
    result = client.post("/api/v1/events/batch", json=events).json()
    assert result["rejected"] == 0, result["errors"]


def figure(client: TestClient, kpi: str, start: str, end: str, **params: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/kpis/{kpi}", params={"from": start, "to": end, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def total(client: TestClient, kpi: str, start: str, end: str, **params: str) -> dict[str, Any]:
    (group,) = figure(client, kpi, start, end, **params)["groups"]
    result: dict[str, Any] = group
    return result
