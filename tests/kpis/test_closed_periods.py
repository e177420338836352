"""A council report does not change after it was sent.

Events dated after a period (later steps, decisions, closures, and reopenings of cases
closed inside it) arrive after its figures were read: every KPI meant to be stable gives
the same figure for that period, by itself and by team. The KPIs that are not stable by
definition are listed with the reason; a new KPI must be put in one list or the other.
"""

import random
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.domain.calendar import local_date
from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.spec import NO_BREAKDOWN, Reported
from scripts.generate_events import generate
from tests.factories import event

STABLE = (
    "inflow",
    "outflow",  # each closure in its own period
    "caseload",  # the state as of `to`
    "waiting_time_intake",
    "waiting_time_support",
    "assessment_lead_time",  # ends at the resolution
    "statutory_assessment_within_term",
    "statutory_decision_within_term",  # each aanvraag at its decision
    "own_input_ratio",
    "social_base_ratio",
    "provision_ratio",
    "complaints",  # active by the state as of each day
    "provision_stacking",  # spells end with the closure of their own open period
)
NOT_STABLE = {
    "lead_time": "counted at the final closure: a reopening moves it to a later period",
    "involvement_duration": "docs/domain.md: the final closure counts",
    "efficiency": "counted at the final closure, with own-input hours of later spells",
    "satisfaction": "counted at the final closure, with each item's latest answer",
    "goal_attainment": "counted in the period of the last evaluation",
    "reentry_rate": "waits for the closure's year; a new melding within it counts",
    "process_quality": "judged on asOf over the final closure",
}
PERIOD = (date(2025, 1, 1), date(2025, 9, 30))


def test_every_derived_kpi_is_classified() -> None:
    derived = {k.id for k in CATALOGUE if not isinstance(k.measure, Reported)}
    assert set(STABLE) | set(NOT_STABLE) == derived
    assert not set(STABLE) & set(NOT_STABLE)


def figures(client: TestClient) -> dict[tuple[str, str | None], Any]:
    params = {"from": str(PERIOD[0]), "to": str(PERIOD[1]), "asOf": "2026-11-30"}
    result = {}
    kpis = {k.id: k for k in CATALOGUE}
    for kpi_id in STABLE:
        breakdowns = [None] if isinstance(kpis[kpi_id].measure, NO_BREAKDOWN) else [None, "team"]
        for group_by in breakdowns:
            query = {**params, **({"groupBy": group_by} if group_by else {})}
            response = client.get(f"/api/v1/kpis/{kpi_id}", params=query)
            assert response.status_code == 200, response.text
            result[(kpi_id, group_by)] = response.json()
    return result


@pytest.mark.parametrize("seed", [31, 32])
def test_a_closed_period_does_not_change_when_later_events_arrive(
    kpi_client: TestClient, seed: int
) -> None:
    events = list(generate(500, seed=seed))

    def day(e: dict[str, Any]) -> date:
        from datetime import datetime

        return local_date(datetime.fromisoformat(e["occurredAt"]))

    past = [e for e in events if day(e) <= PERIOD[1]]
    # Corrections (retractions) rewrite history on purpose: not part of this promise.
    later = [e for e in events if day(e) > PERIOD[1] and e["type"] != "event.retracted"]
    rnd = random.Random(seed)
    for closure in [e for e in past if e["type"] == "trajectory.closed"][:60]:
        back = PERIOD[1] + timedelta(days=rnd.randrange(1, 90))
        trajectory = closure["trajectoryId"]
        later.append(event("trajectory.reopened", f"{back}T10:00:00+01:00", None, trajectory))
        again = back + timedelta(days=rnd.randrange(1, 60))
        later.append(
            event("trajectory.closed", f"{again}T10:00:00+01:00", {"reason": "other"}, trajectory)
        )
    assert kpi_client.post("/api/v1/events/batch", json=past).json()["rejected"] == 0
    sent = figures(kpi_client)
    for start in range(0, len(later), 5000):
        result = kpi_client.post("/api/v1/events/batch", json=later[start : start + 5000]).json()
        assert result["rejected"] == 0, result["errors"][:3]
    assert figures(kpi_client) == sent
