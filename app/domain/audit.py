"""The step-compliance rules the quality officer audits: pure functions over a trajectory's state.

The steps are a guiding frame ("richtinggevend, geen strikt kader"): a rule flags what
deviates, it never blocks an event. Each rule is one `Rule(...)` with its legal or policy
source and a check; adding a rule means adding one definition and its tests.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from app.domain.terms import Adjustment, DueDate
from app.domain.trajectory import TrajectoryState
from app.domain.vocabulary import NetworkOutcome, ProvisionOutcome, Step, Term

PLAN_GRACE_DAYS = 14


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    PENDING = "pending"  # not yet due: nothing is wrong yet
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Finding:
    rule: str
    status: Status
    explanation: str
    evidence: tuple[str, ...] = ()
    due: date | None = None
    days_over: int | None = None
    days_remaining: int | None = None
    adjustments: tuple[Adjustment, ...] = ()


Check = Callable[[TrajectoryState, date], Finding]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    source: str
    evidence: str
    check: Check
    parameters: dict[str, object] = field(default_factory=dict)
    # The legal term whose lengths the rule applies; they are settings, so the catalogue
    # endpoint adds the ones in force to `parameters`.
    term: Term | None = None


def _finding(
    rule: str,
    status: Status,
    explanation: str,
    *evidence: str | None,
    due: date | None = None,
    days_over: int | None = None,
    days_remaining: int | None = None,
    adjustments: tuple[Adjustment, ...] = (),
) -> Finding:
    return Finding(
        rule,
        status,
        explanation,
        tuple(dict.fromkeys(e for e in evidence if e)),
        due,
        days_over,
        days_remaining,
        adjustments,
    )


def _step_event(state: TrajectoryState, step: Step) -> str | None:
    record = state.steps.get(step)
    return record.completed.event_id if record else None


# --- step_order ---------------------------------------------------------------------------


def check_step_order(state: TrajectoryState, today: date) -> Finding:
    rule = "step_order"
    if not state.steps:
        return _finding(rule, Status.NOT_APPLICABLE, "no step completed yet")
    problems: list[str] = []
    evidence: list[str] = []
    for step in state.steps:
        if step.number == 1:
            continue
        before = list(Step)[step.number - 2]
        record, previous = state.steps[step], state.steps.get(before)
        if previous is None:
            problems.append(f"{step.value} done without {before.value}")
        elif record.completed.at < previous.completed.at:
            when, earlier = record.completed.on, previous.completed.on
            problems.append(f"{step.value} ({when}) before {before.value} ({earlier})")
        else:
            continue
        evidence += [record.completed.event_id, previous.completed.event_id if previous else ""]
    if problems:
        return _finding(rule, Status.FAIL, "; ".join(problems), *evidence)
    done = [s for s in Step if s in state.steps]
    return _finding(
        rule,
        Status.PASS,
        f"steps 1-{done[-1].number} completed in order",
        *(state.steps[s].completed.event_id for s in done),
    )


# --- provision_justified -------------------------------------------------------------------


def check_provision_justified(state: TrajectoryState, today: date) -> Finding:
    rule = "provision_justified"
    provision = state.steps.get(Step.PROVISION)
    granted = provision is not None and provision.outcome == ProvisionOutcome.GRANTED
    if not granted:
        return _finding(rule, Status.NOT_APPLICABLE, "no provision granted")
    assert provision is not None
    missing = []
    for step in (Step.REQUEST, Step.PROBLEMS, Step.NEED, Step.OWN_NETWORK):
        record = state.steps.get(step)
        if record is None or record.completed.at > provision.completed.at:
            missing.append(f"step {step.number} {step.value} not done before the grant")
    network = state.steps.get(Step.OWN_NETWORK)
    if network is not None and network.outcome == NetworkOutcome.SUFFICIENT:
        missing.append("own network was found sufficient")
    own_input = state.steps.get(Step.OWN_INPUT)
    if own_input is None or own_input.completed.at > provision.completed.at:
        missing.append("own input (step 5) not recorded before the grant")
    evidence = [provision.completed.event_id, *(_step_event(state, s) for s in list(Step)[:5])]
    if missing:
        return _finding(rule, Status.FAIL, "; ".join(missing), *evidence)
    return _finding(
        rule,
        Status.PASS,
        f"granted after steps 1-5; own network {network.outcome if network else '?'}, "
        f"own input {own_input.outcome if own_input else '?'}",
        *evidence,
    )


# --- expert_advice ---------------------------------------------------------------------


def check_expert_advice(state: TrajectoryState, today: date) -> Finding:
    rule = "expert_advice"
    if not state.expert_advice_required:
        return _finding(rule, Status.NOT_APPLICABLE, "no expert advice required")
    provision = state.steps.get(Step.PROVISION)
    received = state.expert_advice_received
    evidence = (
        provision.completed.event_id if provision else None,
        received.event_id if received else None,
    )
    if provision is None:
        return _finding(
            rule, Status.PENDING, "advice required; provision step not done yet", *evidence
        )
    deciding = [provision.completed.at] + ([state.decision.at] if state.decision else [])
    if received is None:
        return _finding(rule, Status.FAIL, "advice required but never received", *evidence)
    if received.at > min(deciding):
        return _finding(
            rule,
            Status.FAIL,
            f"advice received {received.on}, after the provision step/decision",
            *evidence,
        )
    return _finding(
        rule, Status.PASS, f"advice received {received.on}, before the provision step", *evidence
    )


# --- terms -----------------------------------------------------------------------------


def _term_finding(
    rule: str,
    due: DueDate,
    done_on: date | None,
    done_event: str | None,
    start_event: str,
    today: date,
    what: str,
) -> Finding:
    """pass/fail once done; before that pending until the due date passes, then fail."""
    if done_on is not None:
        over = (done_on - due.due).days
        status = Status.FAIL if over > 0 else Status.PASS
        text = f"{what} on {done_on}, due {due.due}" + (f": {over} day(s) late" if over > 0 else "")
    else:
        over = (today - due.due).days
        status = Status.FAIL if over > 0 else Status.PENDING
        text = f"{what}: not yet, due {due.due}" + (
            f", {over} day(s) over" if over > 0 else f", {-over} day(s) left"
        )
    return _finding(
        rule,
        status,
        text,
        start_event,
        done_event if done_on is not None else None,
        due=due.due,
        days_over=over if over > 0 else None,
        days_remaining=-over if over <= 0 else None,
        adjustments=tuple(due.adjustments),
    )


def check_assessment_term(state: TrajectoryState, today: date) -> Finding:
    rule = "assessment_term"
    due = state.due(Term.ASSESSMENT)
    if due is None or state.opened is None:
        return _finding(
            rule, Status.NOT_APPLICABLE, "the six-week assessment term applies to Wmo meldingen"
        )
    done_on = state.assessment_done_on
    if done_on is None and state.closed is not None and state.closed.on <= due.due:
        return _finding(
            rule,
            Status.NOT_APPLICABLE,
            f"closed on {state.closed.on} before the assessment was due",
            state.closed.event_id,
        )
    return _term_finding(
        rule,
        due,
        done_on,
        _step_event(state, Step.OWN_NETWORK),
        state.opened.event_id,
        today,
        "assessment (steps 1-4) done",
    )


def check_decision_term(state: TrajectoryState, today: date) -> Finding:
    rule = "decision_term"
    due = state.due(Term.DECISION)
    if due is None or state.application is None:
        return _finding(rule, Status.NOT_APPLICABLE, "no aanvraag received")
    decision = state.decision
    return _term_finding(
        rule,
        due,
        decision.on if decision else None,
        decision.event_id if decision else None,
        state.application.event_id,
        today,
        "decision issued",
    )


# --- records ------------------------------------------------------------------------------


def check_plan_recorded(state: TrajectoryState, today: date) -> Finding:
    rule = "plan_recorded"
    started = state.support_started
    if started is None:
        return _finding(rule, Status.NOT_APPLICABLE, "no support started")
    due = started.on + timedelta(days=PLAN_GRACE_DAYS)
    if state.plan is not None:
        if state.plan.on <= due:
            return _finding(
                rule,
                Status.PASS,
                f"plan recorded {state.plan.on}",
                started.event_id,
                state.plan.event_id,
                due=due,
            )
        over = (state.plan.on - due).days
        return _finding(
            rule,
            Status.FAIL,
            f"plan recorded {state.plan.on}, {over} day(s) late",
            started.event_id,
            state.plan.event_id,
            due=due,
            days_over=over,
        )
    if today <= due:
        return _finding(
            rule,
            Status.PENDING,
            f"support started {started.on}; plan due by {due}",
            started.event_id,
            due=due,
            days_remaining=(due - today).days,
        )
    return _finding(
        rule,
        Status.FAIL,
        f"support started {started.on} without a plan (due {due})",
        started.event_id,
        due=due,
        days_over=(today - due).days,
    )


def check_closure_reason(state: TrajectoryState, today: date) -> Finding:
    rule = "closure_reason"
    if state.closed is None:
        return _finding(rule, Status.NOT_APPLICABLE, "not closed")
    if state.close_reason:
        return _finding(
            rule,
            Status.PASS,
            f"closed {state.closed.on}: {state.close_reason}",
            state.closed.event_id,
        )
    return _finding(
        rule, Status.FAIL, f"closed {state.closed.on} without a reason", state.closed.event_id
    )


def check_case_lead_recorded(state: TrajectoryState, today: date) -> Finding:
    rule = "case_lead_recorded"
    if state.plan is None:
        return _finding(rule, Status.NOT_APPLICABLE, "no plan yet")
    if state.case_lead:
        return _finding(rule, Status.PASS, f"regie: {state.case_lead}", state.plan.event_id)
    return _finding(rule, Status.FAIL, "a plan without who holds regie", state.plan.event_id)


RULES: tuple[Rule, ...] = (
    Rule(
        "step_order",
        "Steps completed in order",
        "CRvB six-step frame (CRvB 2016/2019 case law on Wmo assessments), as the SWT applies it",
        "the completion events of the steps, by occurredAt",
        check_step_order,
    ),
    Rule(
        "provision_justified",
        "A provision only after steps 1-5",
        "Wmo 2015 art. 2.3.2 and 2.3.5: a maatwerkvoorziening only where own capacities, "
        "the network and general provisions fall short",
        "steps 1-5 completed before step 6 granted; step 4 not sufficient; step 5 recorded",
        check_provision_justified,
    ),
    Rule(
        "expert_advice",
        "Expert advice before the provision decision",
        "Wmo 2015 art. 2.3.2 lid 9 / Awb 3:2 (zorgvuldige voorbereiding)",
        "expert_advice.received before step 6 and the decision",
        check_expert_advice,
    ),
    Rule(
        "assessment_term",
        "Assessment within six weeks (Wmo)",
        "Wmo 2015 art. 2.3.2 lid 1; Algemene termijnenwet",
        "trajectory.opened, steps 1-4, term.suspended/resumed",
        check_assessment_term,
        {"counting": "from the day after the melding"},
        Term.ASSESSMENT,
    ),
    Rule(
        "decision_term",
        "Decision within the statutory term",
        "Wmo 2015 art. 2.3.5 lid 1 (two weeks); Awb art. 4:13 (eight weeks: Jeugdwet and "
        "other domains); Algemene termijnenwet",
        "application.received, decision.issued, term.suspended/resumed",
        check_decision_term,
        {"counting": "from the day after the aanvraag"},
        Term.DECISION,
    ),
    Rule(
        "plan_recorded",
        "Support has an ondersteuningsplan",
        "Wmo 2015 art. 2.3.2 lid 8 (verslag) and the SWT's 'one family, one plan'",
        "support.started and plan.recorded",
        check_plan_recorded,
        {"graceDays": PLAN_GRACE_DAYS},
    ),
    Rule(
        "closure_reason",
        "A closed trajectory has a reason",
        "SWT registration agreement (in-, door- en uitstroom met reden)",
        "trajectory.closed with reason",
        check_closure_reason,
    ),
    Rule(
        "case_lead_recorded",
        "Who holds regie is recorded",
        "SWT working method (regie bij de inwoner waar mogelijk)",
        "plan.recorded with caseLead",
        check_case_lead_recorded,
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}


def audit(state: TrajectoryState, today: date) -> list[Finding]:
    return [rule.check(state, today) for rule in RULES]
