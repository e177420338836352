"""From a folded TrajectoryState to the projection rows, and to the document clients read."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain.audit import Finding, Status, audit
from app.domain.events import DomainEvent
from app.domain.kpis.spec import SATISFACTION_COLUMNS
from app.domain.terms import TermPolicy
from app.domain.trajectory import Milestone, StepRecord, TrajectoryState, fold
from app.domain.vocabulary import STEPS, GoalResult, Term
from app.models import (
    Application,
    AuditFinding,
    Base,
    Complaint,
    StepCompletion,
    SupportSpell,
    Trajectory,
    TrajectoryPeriod,
)

# What the stored projection rows are built with: the fold, the legal terms and calendar,
# the audit rules and the columns below. Bump it in the same change as any of them, with
# the new golden digest in tests/test_projection_version.py (which fails until you do):
# the service then refuses to serve figures from rows built by the older code until
# `wijkteam-kpi migrate` has rebuilt them.
PROJECTION_VERSION = 15


@dataclass(frozen=True)
class ProjectedTrajectory:
    """Every projection row of one trajectory, as one refold writes them."""

    state: TrajectoryState
    trajectory: dict[str, Any]
    complaints: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    periods: list[dict[str, Any]]
    applications: list[dict[str, Any]]
    supports: list[dict[str, Any]]
    step_completions: list[dict[str, Any]]

    def rows_by_model(self) -> dict[type[Base], list[dict[str, Any]]]:
        """Which table each row goes to: the one place that pairs them."""
        return {
            Trajectory: [self.trajectory],
            Complaint: self.complaints,
            AuditFinding: self.findings,
            TrajectoryPeriod: self.periods,
            Application: self.applications,
            SupportSpell: self.supports,
            StepCompletion: self.step_completions,
        }


def project(
    municipality: str,
    trajectory_id: str,
    events: Sequence[DomainEvent],
    terms: TermPolicy,
    now: datetime,
    today: date,
) -> ProjectedTrajectory:
    """Pure: the rows of one trajectory from its events, judged on `today`."""
    state = fold(trajectory_id, events, terms)
    findings = audit(state, today)
    return ProjectedTrajectory(
        state=state,
        trajectory=projection_row(municipality, state, now) | audit_columns(findings),
        complaints=complaint_rows(municipality, state),
        findings=finding_rows(municipality, trajectory_id, findings),
        periods=period_rows(municipality, state),
        applications=application_rows(municipality, state),
        supports=support_rows(municipality, state),
        step_completions=[
            {
                "municipality": municipality,
                "trajectory_id": trajectory_id,
                "seq": seq,
                "completed_on": milestone.on,
                "professional_ref": professional,
            }
            for seq, (milestone, professional) in enumerate(state.step_log)
        ],
    )


def _on(milestone: Milestone | None) -> date | None:
    return milestone.on if milestone else None


def projection_row(municipality: str, state: TrajectoryState, now: datetime) -> dict[str, Any]:
    """The wide row KPI queries aggregate over; every date is a local calendar date."""
    assessment, decision = state.due(Term.ASSESSMENT), state.due(Term.DECISION)
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
        "own_input_minutes": round(state.own_input_hours * 60),
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
        "assessment_suspended_days": assessment.suspended_days if assessment else 0,
        "decision_suspended_days": decision.suspended_days if decision else 0,
        "goals_evaluated_on": _on(state.goals_evaluated),
        "assessment_done_on": state.assessment_done_on,
        "assessment_completed_on": state.assessment_completed_on,
        "assessment_due_on": assessment.due if assessment else None,
        "decision_due_on": decision.due if decision else None,
        "provision_granted_on": state.provision_granted_on,
        "event_count": state.event_count,
        "updated_at": now,
    }
    for step in STEPS:
        record = state.steps.get(step)
        row[f"step_{step.value}_on"] = record.completed.on if record else None
        row[f"step_{step.value}_outcome"] = record.outcome if record else None
    for item, column in SATISFACTION_COLUMNS.items():
        row[column] = state.satisfaction.get(item)
    return row


def finding_rows(
    municipality: str, trajectory_id: str, findings: list[Finding]
) -> list[dict[str, Any]]:
    return [
        {
            "municipality": municipality,
            "trajectory_id": trajectory_id,
            "rule": f.rule,
            "status": f.status.value,
            "due_on": f.due,
            "explanation": f.explanation[:500],
            "evidence": list(f.evidence),
        }
        for f in findings
    ]


def audit_columns(findings: list[Finding]) -> dict[str, Any]:
    pending_due = [f.due for f in findings if f.status is Status.PENDING and f.due is not None]
    return {
        "audit_failures": sum(1 for f in findings if f.status is Status.FAIL),
        "audit_pending_due_on": min(pending_due) if pending_due else None,
    }


def period_rows(municipality: str, state: TrajectoryState) -> list[dict[str, Any]]:
    return [
        {
            "municipality": municipality,
            "trajectory_id": state.trajectory_id,
            "seq": seq,
            "opened_on": period.opened.on,
            "closed_on": _on(period.closed),
            "close_reason": period.reason,
        }
        for seq, period in enumerate(state.periods)
    ]


def support_rows(municipality: str, state: TrajectoryState) -> list[dict[str, Any]]:
    return [
        {
            "municipality": municipality,
            "trajectory_id": state.trajectory_id,
            "seq": seq,
            "kind": support.kind,
            "provider": support.provider,
            "started_on": support.started.on,
            "ends_on": _on(support.ended) or _closure_after(state, support.started.on),
        }
        for seq, support in enumerate(state.supports)
    ]


def _closure_after(state: TrajectoryState, day: date) -> date | None:
    """The closure that ended the open period `day` fell in (a later reopening does not
    undo it: a provision without its own end ended with that closure)."""
    for period in state.periods:
        if period.closed is not None and period.closed.on >= day:
            return period.closed.on
    return None


def application_rows(municipality: str, state: TrajectoryState) -> list[dict[str, Any]]:
    rows = []
    for seq, aanvraag in enumerate(state.aanvragen):
        due = state.decision_due(aanvraag)
        rows.append(
            {
                "municipality": municipality,
                "trajectory_id": state.trajectory_id,
                "seq": seq,
                "received_on": aanvraag.received.on,
                "due_on": due.due if due else None,
                "decided_on": _on(aanvraag.decision),
                "result": aanvraag.result,
            }
        )
    return rows


def complaint_rows(municipality: str, state: TrajectoryState) -> list[dict[str, Any]]:
    return [
        {
            "municipality": municipality,
            "trajectory_id": state.trajectory_id,
            "seq": seq,
            "category": complaint.category,
            "received_on": complaint.received.on,
            "resolved_on": _on(complaint.resolved),
        }
        for seq, complaint in enumerate(state.complaints)
    ]


def _count(values: Any, wanted: str) -> int:
    return sum(1 for v in values if v == wanted)


def _milestone(milestone: Milestone | None) -> dict[str, str] | None:
    if milestone is None:
        return None
    return {
        "at": milestone.at.isoformat(),
        "on": milestone.on.isoformat(),
        "eventId": milestone.event_id,
    }


def _step(record: StepRecord) -> dict[str, Any]:
    return {
        "step": record.step.value,
        "number": record.step.number,
        "completed": _milestone(record.completed),
        "outcome": record.outcome,
        "professionalRef": record.professional_ref,
        "details": dict(record.details),
    }


def state_document(state: TrajectoryState) -> dict[str, Any]:
    """The state as lowerCamelCase JSON, steps in their prescribed order.

    Written out field by field: it runs for every touched trajectory on every ingest, and
    a generic reflection-based serialiser was the largest cost of ingestion.
    """
    resolution = state.resolution
    return {
        "trajectoryId": state.trajectory_id,
        "status": state.status.value,
        "opened": _milestone(state.opened),
        "clientRef": state.client_ref,
        "domain": state.domain,
        "district": state.district,
        "team": state.team,
        "channel": state.channel,
        "ageBand": state.age_band,
        "professionalRef": state.professional_ref,
        "steps": [_step(state.steps[step]) for step in STEPS if step in state.steps],
        "resolution": None
        if resolution is None
        else {
            "step": resolution.step.value,
            "outcome": resolution.outcome,
            "milestone": _milestone(resolution.milestone),
        },
        "ownInputHours": state.own_input_hours,
        "ownInputContacts": state.own_input_contacts,
        "provisionCategory": state.provision_category,
        "provider": state.provider,
        "expertAdviceRequired": state.expert_advice_required,
        "application": _milestone(state.application),
        "expertAdviceRequested": _milestone(state.expert_advice_requested),
        "expertAdviceReceived": _milestone(state.expert_advice_received),
        "decision": _milestone(state.decision),
        "decisionResult": state.decision_result,
        "supportStarted": _milestone(state.support_started),
        "supportEnded": _milestone(state.support_ended),
        "supportKind": state.support_kind,
        "plan": _milestone(state.plan),
        "caseLead": state.case_lead,
        "goals": [{"id": goal_id, "result": result} for goal_id, result in state.goals.items()],
        "goalsEvaluated": _milestone(state.goals_evaluated),
        "satisfaction": dict(state.satisfaction),
        "satisfactionRecorded": _milestone(state.satisfaction_recorded),
        "suspensions": [
            {
                "term": s.term.value,
                "reason": s.reason,
                "suspended": _milestone(s.suspended),
                "resumed": _milestone(s.resumed),
                "days": s.days,
            }
            for s in state.suspensions
        ],
        "extensions": [
            {
                "term": e.term.value,
                "noticed": _milestone(e.noticed),
                "days": e.days,
                "newDueOn": e.new_due_on.isoformat() if e.new_due_on else None,
                "reason": e.reason,
            }
            for e in state.extensions
        ],
        "complaints": [
            {
                "category": c.category,
                "complaintId": c.complaint_id,
                "received": _milestone(c.received),
                "resolved": _milestone(c.resolved),
            }
            for c in state.complaints
        ],
        "closed": _milestone(state.closed),
        "closeReason": state.close_reason,
        "reopenedCount": state.reopened_count,
        "eventCount": state.event_count,
        "retractedEventIds": list(state.retracted_event_ids),
    }
