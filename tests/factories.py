"""Small builders of synthetic events in the wire format (no personal data anywhere)."""

import uuid
from typing import Any

DEFAULT_OPENING = {
    "clientRef": "client-0001-pseudo",
    "domain": "wmo",
    "district": "holtenbroek",
    "team": "noord",
    "channel": "phone",
    "ageBand": "67-79",
}


def new_id() -> str:
    return str(uuid.uuid4())


def event(
    event_type: str,
    at: str,
    data: dict[str, Any] | None = None,
    trajectory: str = "T-1",
    event_id: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "eventId": event_id or new_id(),
        "trajectoryId": trajectory,
        "type": event_type,
        "occurredAt": at,
    }
    if data is not None:
        body["data"] = data
    return body


def opened(at: str, trajectory: str = "T-1", **overrides: Any) -> dict[str, Any]:
    return event("trajectory.opened", at, {**DEFAULT_OPENING, **overrides}, trajectory)


def step(
    name: str, at: str, outcome: str | None = None, trajectory: str = "T-1", **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {"step": name, "professionalRef": "prof-0001-pseudo", **extra}
    if outcome is not None:
        data["outcome"] = outcome
    return event("step.completed", at, data, trajectory)


def closed(at: str, reason: str = "goals_achieved", trajectory: str = "T-1") -> dict[str, Any]:
    return event("trajectory.closed", at, {"reason": reason}, trajectory)


def retraction(target: dict[str, Any], at: str) -> dict[str, Any]:
    return event("event.retracted", at, {"retracts": target["eventId"]}, target["trajectoryId"])


def full_trajectory(trajectory: str = "T-1") -> list[dict[str, Any]]:
    """A Wmo trajectory through all six steps to a granted provision, support and closure."""
    return [
        opened("2026-03-02T09:00:00+01:00", trajectory),
        step("request", "2026-03-04T10:00:00+01:00", trajectory=trajectory),
        step(
            "problems",
            "2026-03-09T10:00:00+01:00",
            trajectory=trajectory,
            problemAreas=["mobility"],
        ),
        step("need", "2026-03-11T10:00:00+01:00", trajectory=trajectory),
        step(
            "own_network",
            "2026-03-16T10:00:00+01:00",
            "partial",
            trajectory,
            sources=["informal_care"],
        ),
        step("own_input", "2026-03-18T10:00:00+01:00", "insufficient", trajectory, hours=4.5),
        event("application.received", "2026-03-19T10:00:00+01:00", None, trajectory),
        step(
            "provision",
            "2026-03-25T10:00:00+01:00",
            "granted",
            trajectory,
            provisionCategory="huishoudelijke_hulp",
            provider="zorgaanbieder-12",
            expertAdviceRequired=False,
        ),
        event("decision.issued", "2026-03-26T10:00:00+01:00", {"result": "granted"}, trajectory),
        event(
            "plan.recorded",
            "2026-03-27T10:00:00+01:00",
            {"goals": [{"id": "g1"}, {"id": "g2"}], "caseLead": "wijkteam"},
            trajectory,
        ),
        event(
            "support.started",
            "2026-04-06T10:00:00+02:00",
            {"kind": "provision", "provider": "zorgaanbieder-12"},
            trajectory,
        ),
        event(
            "goal.evaluated",
            "2026-06-01T10:00:00+02:00",
            {"goalId": "g1", "result": "achieved"},
            trajectory,
        ),
        event(
            "goal.evaluated",
            "2026-06-01T10:05:00+02:00",
            {"goalId": "g2", "result": "partly"},
            trajectory,
        ),
        event(
            "satisfaction.recorded",
            "2026-06-02T10:00:00+02:00",
            {"scores": {"overall": 4, "listenedTo": 5}},
            trajectory,
        ),
        closed("2026-06-03T10:00:00+02:00", trajectory=trajectory),
    ]
