"""From a folded TrajectoryState to the projection row and to the document clients read."""

from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic.alias_generators import to_camel

from app.domain.trajectory import Milestone, TrajectoryState
from app.domain.vocabulary import GoalResult, SatisfactionItem, Step, Term

_SATISFACTION_COLUMNS = {
    item.value: "satisfaction_" + "".join("_" + c.lower() if c.isupper() else c for c in item.value)
    for item in SatisfactionItem
}


def _on(milestone: Milestone | None) -> date | None:
    return milestone.on if milestone else None


def projection_row(municipality: str, state: TrajectoryState, now: datetime) -> dict[str, Any]:
    """The wide row KPI queries aggregate over; every date is a local calendar date."""
    row: dict[str, Any] = {
        "municipality": municipality,
        "trajectory_id": state.trajectory_id,
        "status": state.status.value,
        "client_ref": state.client_ref,
        "domain": state.domain,
        "district": state.district,
        "team": state.team,
        "channel": state.channel,
        "age_band": state.age_band,
        "professional_ref": state.professional_ref,
        "opened_at": state.opened.at if state.opened else None,
        "opened_on": _on(state.opened),
        "closed_on": _on(state.closed),
        "close_reason": state.close_reason,
        "reopened_count": state.reopened_count,
        "resolution_step": state.resolution.step.value if state.resolution else None,
        "resolution_outcome": state.resolution.outcome if state.resolution else None,
        "resolution_on": state.resolution.milestone.on if state.resolution else None,
        "own_input_hours": state.own_input_hours,
        "provision_category": state.provision_category,
        "expert_advice_required": state.expert_advice_required,
        "expert_advice_requested_on": _on(state.expert_advice_requested),
        "expert_advice_received_on": _on(state.expert_advice_received),
        "application_on": _on(state.application),
        "decision_on": _on(state.decision),
        "decision_result": state.decision_result,
        "support_started_on": _on(state.support_started),
        "support_ended_on": _on(state.support_ended),
        "support_kind": state.support_kind,
        "plan_on": _on(state.plan),
        "case_lead": state.case_lead,
        "goals_total": len(state.goals),
        "goals_achieved": _count(state.goals.values(), GoalResult.ACHIEVED),
        "goals_partly": _count(state.goals.values(), GoalResult.PARTLY),
        "goals_not_achieved": _count(state.goals.values(), GoalResult.NOT_ACHIEVED),
        "satisfaction_on": _on(state.satisfaction_recorded),
        "complaints_received": len(state.complaints),
        "complaints_resolved": sum(1 for c in state.complaints if c.resolved is not None),
        "assessment_suspended_days": state.suspended_days(Term.ASSESSMENT),
        "decision_suspended_days": state.suspended_days(Term.DECISION),
        "event_count": state.event_count,
        "updated_at": now,
        "state": state_document(state),
    }
    for step in Step:
        record = state.steps.get(step)
        row[f"step_{step.value}_on"] = record.completed.on if record else None
        row[f"step_{step.value}_outcome"] = record.outcome if record else None
    for item, column in _SATISFACTION_COLUMNS.items():
        row[column] = state.satisfaction.get(item)
    return row


def _count(values: Any, wanted: str) -> int:
    return sum(1 for v in values if v == wanted)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        # Field names are snake_case in Python; values keyed by senders' own ids are
        # rewritten as lists by state_document, so camel-casing every key is safe here.
        return {to_camel(_key(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _key(key: Any) -> str:
    return key.value if isinstance(key, Enum) else str(key)


def state_document(state: TrajectoryState) -> dict[str, Any]:
    """The state as lowerCamelCase JSON, with steps in their prescribed order."""
    document: dict[str, Any] = _jsonable(state)
    document["steps"] = [
        _jsonable(state.steps[step]) | {"number": step.number}
        for step in Step
        if step in state.steps
    ]
    document["goals"] = [
        {"id": goal_id, "result": result} for goal_id, result in state.goals.items()
    ]
    return document
