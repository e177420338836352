"""The step-compliance rules the quality officer audits: pure functions over a trajectory's state.

The steps are a guiding frame ("richtinggevend, geen strikt kader"): a rule flags what
deviates, it never blocks an event. Each rule is one `Rule(...)` with its legal or policy
source and a check; adding a rule means adding one definition and its tests.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import partial

from app.domain.dutch import in_dutch
from app.domain.terms import Adjustment, DueDate, Ignored
from app.domain.trajectory import (
    ASSESSMENT_STEPS,
    GRANTING_DECISIONS,
    Milestone,
    TrajectoryState,
)
from app.domain.vocabulary import STEPS, NetworkOutcome, ProvisionOutcome, Step, Term

PLAN_GRACE_DAYS = 14
_JUSTIFYING = (Step.REQUEST, Step.PROBLEMS, Step.NEED, Step.OWN_NETWORK, Step.OWN_INPUT)


class Judgement(StrEnum):
    """A file reviewer's verdict on one sampled trajectory (dossiercontrole)."""

    AKKOORD = "akkoord"
    AFWIJKING = "afwijking"


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
    ignored: tuple[Ignored, ...] = ()  # registrations that moved nothing, with the reason
    suspended_since: date | None = None
    # The same explanation in Dutch, as the quality officer's workbench shows it.
    explanation_nl: str = ""

    def for_rule(self, rule: str) -> "Finding":
        """This finding stamped with its rule. Field by field: dataclasses.replace walks the
        fields on every call, and a refold stamps eight findings per trajectory (a seventh
        of its fold and audit). tests/domain/test_audit_rules.py checks no field is lost."""
        return Finding(
            rule,
            self.status,
            self.explanation,
            self.evidence,
            self.due,
            self.days_over,
            self.days_remaining,
            self.adjustments,
            self.ignored,
            self.suspended_since,
            self.explanation_nl,
        )


Check = Callable[[TrajectoryState, date], Finding]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    title_nl: str  # as the quality officer's workbench and reports name it
    source: str
    evidence: str
    check: Check
    parameters: dict[str, object] = field(default_factory=dict)
    # The legal term whose lengths the rule applies; they are settings, so the catalogue
    # endpoint adds the ones in force to `parameters`.
    term: Term | None = None
    # Where the rule could be read two ways, how it is read (docs/domain.md).
    edges: str = ""


def _finding(
    status: Status,
    explanation: str,
    nl: str,
    *evidence: str | None,
    due: date | None = None,
    days_over: int | None = None,
    days_remaining: int | None = None,
    adjustments: tuple[Adjustment, ...] = (),
    ignored: tuple[Ignored, ...] = (),
    suspended_since: date | None = None,
) -> Finding:
    return Finding(
        "",  # the rule's id is stamped by audit(): written once, in RULES
        status,
        explanation,
        tuple(dict.fromkeys(e for e in evidence if e)),
        due,
        days_over,
        days_remaining,
        adjustments,
        ignored,
        suspended_since,
        nl,
    )


# The steps and outcomes as a Dutch explanation names them.
STEP_NL = {
    Step.REQUEST: "ondersteuningsvraag",
    Step.PROBLEMS: "problemen",
    Step.NEED: "behoefte",
    Step.OWN_NETWORK: "eigen kracht en netwerk",
    Step.OWN_INPUT: "eigen inzet",
    Step.PROVISION: "voorziening",
}
OUTCOME_NL = {
    "sufficient": "toereikend",
    "partial": "deels toereikend",
    "insufficient": "ontoereikend",
    "not_applicable": "niet van toepassing",
}


def _step_nl(step: Step) -> str:
    return f"stap {step.number} ({STEP_NL[step]})"


def _step_event(state: TrajectoryState, step: Step) -> str | None:
    record = state.steps.get(step)
    return record.completed.event_id if record else None


# --- step_order ---------------------------------------------------------------------------


def check_step_order(state: TrajectoryState, today: date) -> Finding:
    """Every step needs every lower step completed before it (step 5 `not_applicable` counts)."""
    if not state.steps:
        return _finding(Status.NOT_APPLICABLE, "no step completed yet", "nog geen stap afgerond")
    problems: list[str] = []
    problems_nl: list[str] = []
    evidence: list[str] = []
    for step, record in sorted(state.steps.items(), key=lambda item: item[0].number):
        missing: list[Step] = []
        later: list[tuple[Step, date]] = []
        for lower in STEPS[: step.number - 1]:
            previous = state.steps.get(lower)
            if previous is None:
                missing.append(lower)
            elif record.completed.at < previous.completed.at:
                later.append((lower, previous.completed.on))
                evidence.append(previous.completed.event_id)
        if missing:
            problems.append(f"{step.value} done without {', '.join(m.value for m in missing)}")
            problems_nl.append(
                f"{_step_nl(step)} afgerond zonder {', '.join(_step_nl(m) for m in missing)}"
            )
        if later:
            before = ", ".join(f"{lower.value} ({on})" for lower, on in later)
            before_nl = ", ".join(f"{_step_nl(lower)} ({on})" for lower, on in later)
            problems.append(f"{step.value} ({record.completed.on}) before {before}")
            problems_nl.append(f"{_step_nl(step)} ({record.completed.on}) vóór {before_nl}")
        if missing or later:
            evidence.insert(0, record.completed.event_id)
    if problems:
        return _finding(Status.FAIL, "; ".join(problems), "; ".join(problems_nl), *evidence)
    done = [s for s in STEPS if s in state.steps]
    return _finding(
        Status.PASS,
        f"steps 1-{done[-1].number} completed in order",
        f"stap 1 tot en met {done[-1].number} in volgorde afgerond",
        *(state.steps[s].completed.event_id for s in done),
    )


# --- provision_justified -------------------------------------------------------------------


def _grants(state: TrajectoryState) -> list[tuple[str, Milestone]]:
    """Every grant (docs/domain.md): step 6 `granted` and a decision granted or partly granted."""
    grants = []
    provision = state.steps.get(Step.PROVISION)
    if provision is not None and provision.outcome == ProvisionOutcome.GRANTED:
        grants.append(("step 6", provision.completed))
    if state.decision is not None and state.decision_result in GRANTING_DECISIONS:
        grants.append(("the decision", state.decision))
    return grants


GRANT_NL = {"step 6": "stap 6", "the decision": "het besluit"}


def check_provision_justified(state: TrajectoryState, today: date) -> Finding:
    grants = _grants(state)
    if not grants:
        return _finding(Status.NOT_APPLICABLE, "no provision granted", "geen voorziening toegekend")
    problems: list[str] = []
    problems_nl: list[str] = []
    for what, grant in grants:
        missing = [
            step
            for step in (Step.REQUEST, Step.PROBLEMS, Step.NEED, Step.OWN_NETWORK, Step.OWN_INPUT)
            if (record := state.steps.get(step)) is None or record.completed.at > grant.at
        ]
        if missing:
            listed = ", ".join(f"step {step.number} {step.value}" for step in missing)
            problems.append(f"{what} granted on {grant.on} before {listed}")
            listed_nl = ", ".join(_step_nl(step) for step in missing)
            problems_nl.append(f"toegekend bij {GRANT_NL[what]} op {grant.on}, vóór {listed_nl}")
    network = state.steps.get(Step.OWN_NETWORK)
    if network is not None and network.outcome == NetworkOutcome.SUFFICIENT:
        problems.append("own network was found sufficient")
        problems_nl.append("eigen kracht en netwerk bleken toereikend")
    own_input = state.steps.get(Step.OWN_INPUT)
    evidence = [g.event_id for _, g in grants] + [_step_event(state, s) for s in _JUSTIFYING]
    if problems:
        return _finding(Status.FAIL, "; ".join(problems), "; ".join(problems_nl), *evidence)
    granted = " and ".join(f"{what} ({grant.on})" for what, grant in grants)
    granted_nl = " en ".join(f"{GRANT_NL[what]} ({grant.on})" for what, grant in grants)
    network_is = network.outcome if network else None
    input_is = own_input.outcome if own_input else None
    return _finding(
        Status.PASS,
        f"{granted} granted after steps 1-5; own network {network_is or '?'}, "
        f"own input {input_is or '?'}",
        f"toegekend na stap 1 tot en met 5: {granted_nl}; eigen kracht en netwerk "
        f"{OUTCOME_NL.get(str(network_is), '?')}, eigen inzet {OUTCOME_NL.get(str(input_is), '?')}",
        *evidence,
    )


# --- expert_advice ---------------------------------------------------------------------


def check_expert_advice(state: TrajectoryState, today: date) -> Finding:
    """Advice, where required, before the provision step and before every grant."""
    requested = state.expert_advice_requested
    if not state.expert_advice_required and requested is None:
        return _finding(
            Status.NOT_APPLICABLE,
            "no expert advice required or requested",
            "geen deskundig advies nodig of gevraagd",
        )
    provision = state.steps.get(Step.PROVISION)
    # the provision step (whatever its outcome) and every grant: a granted decision
    # without a step 6 is judged like one
    deciding = [("step 6", provision.completed)] if provision else []
    deciding += [g for g in _grants(state) if g[1] != (provision.completed if provision else None)]
    received = state.expert_advice_received
    evidence = [
        *(m.event_id for _, m in deciding),
        requested.event_id if requested else None,
        received.event_id if received else None,
    ]
    if not deciding:
        return _finding(
            Status.PENDING,
            "advice required; no provision step or grant yet",
            "advies nodig; nog geen stap 6 of toekenning",
            *evidence,
        )
    what, first = min(deciding, key=lambda d: d[1].at)
    what_nl = GRANT_NL[what]
    if received is None:
        return _finding(
            Status.FAIL,
            f"advice required but not received before {what} ({first.on})",
            f"advies nodig maar niet ontvangen vóór {what_nl} ({first.on})",
            *evidence,
        )
    if received.at > first.at:
        return _finding(
            Status.FAIL,
            f"advice received {received.on}, after {what} ({first.on})",
            f"advies ontvangen op {received.on}, na {what_nl} ({first.on})",
            *evidence,
        )
    return _finding(
        Status.PASS,
        f"advice received {received.on}, before {what} ({first.on})",
        f"advies ontvangen op {received.on}, vóór {what_nl} ({first.on})",
        *evidence,
    )


# --- terms -----------------------------------------------------------------------------


def _term_finding(
    due: DueDate,
    met: Milestone | None,
    start_event: str,
    state: TrajectoryState,
    today: date,
    what: tuple[str, str],
) -> Finding:
    """pass/fail once met; pending until due (or while suspended); cut short by a closure."""
    term_finding = partial(
        _finding,
        adjustments=due.adjustments,
        ignored=due.ignored,
        suspended_since=due.suspended_since,
    )
    evidence = (
        start_event,
        *(a.event_id for a in due.adjustments),
        *(i.event_id for i in due.ignored),
    )
    closed = state.closed
    what_en, what_nl = what
    if due.due is None:
        assert due.suspended_since is not None
        return term_finding(
            Status.PENDING,
            f"{what_en}: not yet; the term is suspended since {due.suspended_since}, "
            "so its due date is not known",
            f"{what_nl}: nog niet; de termijn is opgeschort sinds {due.suspended_since}, "
            "dus de uiterste datum is nog niet bekend",
            *evidence,
        )
    if met is not None:
        over = (met.on - due.due).days
        late = over > 0
        text = f"{what_en} on {met.on}, due {due.due}" + (f": {over} day(s) late" if late else "")
        text_nl = f"{what_nl} op {met.on}, uiterlijk {due.due}" + (
            f": {over} dag(en) te laat" if late else ""
        )
        status = Status.FAIL if over > 0 else Status.PASS
        evidence = (*evidence, met.event_id)
    elif closed is not None:
        over = (closed.on - due.due).days
        evidence = (*evidence, closed.event_id)
        if over <= 0:
            return term_finding(
                Status.NOT_APPLICABLE,
                f"closed on {closed.on}, before the term ended on {due.due}",
                f"afgesloten op {closed.on}, vóór het einde van de termijn op {due.due}",
                *evidence,
                due=due.due,
            )
        text = (
            f"{what_en}: never; closed on {closed.on}, {over} day(s) after the due date {due.due}"
        )
        text_nl = (
            f"{what_nl}: nooit; afgesloten op {closed.on}, {over} dag(en) na de uiterste "
            f"datum {due.due}"
        )
        status = Status.FAIL
    else:
        over = (today - due.due).days
        status = Status.FAIL if over > 0 else Status.PENDING
        text = f"{what_en}: not yet, due {due.due}" + (
            f", {over} day(s) over" if over > 0 else f", {-over} day(s) left"
        )
        text_nl = f"{what_nl}: nog niet, uiterlijk {due.due}" + (
            f", {over} dag(en) over de termijn" if over > 0 else f", nog {-over} dag(en)"
        )
    return term_finding(
        status,
        text,
        text_nl,
        *evidence,
        due=due.due,
        days_over=over if over > 0 else None,
        days_remaining=-over if over <= 0 else None,
    )


def check_assessment_term(state: TrajectoryState, today: date) -> Finding:
    due = state.due(Term.ASSESSMENT)
    if due is None or state.opened is None:
        return _finding(
            Status.NOT_APPLICABLE,
            "the six-week assessment term applies to Wmo meldingen",
            "de onderzoekstermijn van zes weken geldt voor Wmo-meldingen",
        )
    met = None
    if state.assessment_done_on is not None:
        # the last of steps 1-4 to be done is the event that met the term
        met = max((state.steps[s].completed for s in ASSESSMENT_STEPS), key=lambda m: (m.on, m.at))
    what = ("assessment (steps 1-4) done", "onderzoek (stap 1 tot en met 4) afgerond")
    return _term_finding(due, met, state.opened.event_id, state, today, what)


def check_decision_term(state: TrajectoryState, today: date) -> Finding:
    """Every aanvraag has its own term; the finding is the worst of them, each explained."""
    findings = []
    for aanvraag in state.aanvragen:
        due = state.decision_due(aanvraag)
        if due is None:
            continue
        what = ("decision issued", "besluit genomen")
        if len(state.aanvragen) > 1:
            what = (
                f"decision on the aanvraag of {aanvraag.received.on}",
                f"besluit op de aanvraag van {aanvraag.received.on}",
            )
        received = aanvraag.received.event_id
        findings.append(_term_finding(due, aanvraag.decision, received, state, today, what))
    if not findings:
        return _finding(Status.NOT_APPLICABLE, "no aanvraag received", "geen aanvraag ontvangen")
    return findings[0] if len(findings) == 1 else _worst_of(findings)


_SEVERITY = (Status.FAIL, Status.PENDING, Status.PASS, Status.NOT_APPLICABLE)


def _worst_of(findings: list[Finding]) -> Finding:
    """One finding for several terms: the worst status, every explanation and evidence, the
    most urgent due date of the worst ones."""
    status = min((f.status for f in findings), key=_SEVERITY.index)
    worst = [f for f in findings if f.status is status]
    urgent = min(worst, key=lambda f: f.due or date.max)
    return Finding(
        rule=findings[0].rule,
        status=status,
        explanation="; ".join(f.explanation for f in findings),
        explanation_nl="; ".join(f.explanation_nl for f in findings),
        evidence=tuple(dict.fromkeys(e for f in findings for e in f.evidence)),
        due=urgent.due,
        days_over=urgent.days_over,
        days_remaining=urgent.days_remaining,
        adjustments=tuple(a for f in findings for a in f.adjustments),
        # a spell outside one aanvraag's term may have counted for another: not "ignored"
        ignored=tuple(
            i
            for f in findings
            for i in f.ignored
            if i.event_id not in {a.event_id for g in findings for a in g.adjustments}
        ),
        suspended_since=urgent.suspended_since,
    )


# --- records ------------------------------------------------------------------------------


def check_plan_recorded(state: TrajectoryState, today: date) -> Finding:
    """A policy grace period, judged like a term (calendar days, no Atw): the plan is due
    PLAN_GRACE_DAYS after support started; a closure before then cuts it short."""
    started = state.support_started
    if started is None:
        return _finding(Status.NOT_APPLICABLE, "no support started", "geen ondersteuning gestart")
    grace = DueDate(started.on, PLAN_GRACE_DAYS, started.on + timedelta(days=PLAN_GRACE_DAYS))
    what = ("plan recorded", "ondersteuningsplan vastgelegd")
    return _term_finding(grace, state.plan, started.event_id, state, today, what)


def check_closure_reason(state: TrajectoryState, today: date) -> Finding:
    if state.closed is None:
        return _finding(Status.NOT_APPLICABLE, "not closed", "niet afgesloten")
    if state.close_reason:
        return _finding(
            Status.PASS,
            f"closed {state.closed.on}: {state.close_reason}",
            f"afgesloten op {state.closed.on}: {in_dutch(state.close_reason)}",
            state.closed.event_id,
        )
    return _finding(
        Status.FAIL,
        f"closed {state.closed.on} without a reason",
        f"afgesloten op {state.closed.on} zonder reden",
        state.closed.event_id,
    )


def check_case_lead_recorded(state: TrajectoryState, today: date) -> Finding:
    if state.plan is None:
        return _finding(Status.NOT_APPLICABLE, "no plan yet", "nog geen plan")
    if state.case_lead:
        return _finding(
            Status.PASS,
            f"regie: {state.case_lead}",
            f"regie: {in_dutch(state.case_lead)}",
            state.plan.event_id,
        )
    return _finding(
        Status.FAIL,
        "a plan without who holds regie",
        "een plan zonder wie de regie heeft",
        state.plan.event_id,
    )


TERM_COUNTING = (
    "Calendar days from the day after the {start}. A suspension adds the days from its "
    "term.suspended to its term.resumed (local dates), only for the term it names and only "
    "if it began while that term ran; one still open leaves the finding pending with the due "
    "date unknown (it ends on the event that meets the term, or the closure). One extension "
    "(term.extended, days added to the current due date or a new date), if noticed before "
    "the due date. A due date on a Saturday, Sunday or Atw day (art. 3 lid 1-3, see "
    "/audit/calendar) moves to the next working day (art. 1); a term of 3 days or more holds "
    "at least 2 working days (art. 2). Closed before the due date without meeting the term: "
    "not applicable; closed after it: fail."
)

RULES: tuple[Rule, ...] = (
    Rule(
        id="step_order",
        title="Steps completed in order",
        title_nl="Stappen in volgorde afgerond",
        source="CRvB six-step frame (CRvB 2016/2019 case law on Wmo assessments), as the SWT applies it",
        evidence="the completion events of the steps, by occurredAt",
        check=check_step_order,
        edges="Each completed step needs every lower step completed before it (by occurredAt), not only the one before; a step never completed while a higher one is counts as skipped. Step 5 recorded not_applicable with a reason counts as completed. Not applicable until a step is done; never pending.",
    ),
    Rule(
        id="provision_justified",
        title="A provision only after steps 1-5",
        title_nl="Maatwerkvoorziening pas na stap 1 tot en met 5",
        source="Wmo 2015 art. 2.3.2 and 2.3.5: a maatwerkvoorziening only where own capacities, the network and general provisions fall short",
        evidence="steps 1-5 completed before step 6 granted; step 4 not sufficient; step 5 recorded",
        check=check_provision_justified,
        edges="A grant is step 6 granted or a decision granted or partly granted; every grant is judged, whichever came first: steps 1-5 completed before it, and step 4 not sufficient. Not applicable without a grant; never pending.",
    ),
    Rule(
        id="expert_advice",
        title="Expert advice before the provision decision",
        title_nl="Deskundig advies vóór het besluit over de voorziening",
        source="Wmo 2015 art. 2.3.2 lid 9 / Awb 3:2 (zorgvuldige voorbereiding)",
        evidence="expert_advice.received before step 6 and the decision",
        check=check_expert_advice,
        edges="Applies where step 6 says expertAdviceRequired or advice was requested. The advice must be received before the provision step (any outcome) and before every grant, a granted decision without a step 6 included. Pending while neither exists.",
    ),
    Rule(
        id="assessment_term",
        title="Assessment within six weeks (Wmo)",
        title_nl="Onderzoek binnen zes weken (Wmo)",
        source="Wmo 2015 art. 2.3.2 lid 1; Awb art. 4:15 (opschorting); Algemene termijnenwet art. 1, 2 and 3",
        evidence="trajectory.opened, steps 1-4, term.suspended/resumed/extended",
        check=check_assessment_term,
        parameters={"counting": TERM_COUNTING.replace("{start}", "melding")},
        term=Term.ASSESSMENT,
        edges="Met by the last of steps 1-4. See `counting` for suspensions, the extension, the Algemene termijnenwet and closures.",
    ),
    Rule(
        id="decision_term",
        title="Decision within the statutory term",
        title_nl="Besluit binnen de wettelijke termijn",
        source="Wmo 2015 art. 2.3.5 lid 1 (two weeks); Awb art. 4:13 (eight weeks: Jeugdwet and other domains); Awb art. 4:14 (verdaging) and 4:15 (opschorting); Algemene termijnenwet art. 1, 2 and 3",
        evidence="application.received, decision.issued, term.suspended/resumed/extended",
        check=check_decision_term,
        parameters={"counting": TERM_COUNTING.replace("{start}", "aanvraag")},
        term=Term.DECISION,
        edges="Met by the decision. See `counting` for suspensions, verdaging, the Algemene termijnenwet and closures.",
    ),
    Rule(
        id="plan_recorded",
        title="Support has an ondersteuningsplan",
        title_nl="Ondersteuning heeft een ondersteuningsplan",
        source="Wmo 2015 art. 2.3.2 lid 8 (verslag) and the SWT's 'one family, one plan'",
        evidence="support.started and plan.recorded",
        check=check_plan_recorded,
        parameters={"graceDays": PLAN_GRACE_DAYS},
        edges="The plan is due 14 days after support started. Closed on or before that day without a plan: not applicable; closed later without one: fail, counted to the closure.",
    ),
    Rule(
        id="closure_reason",
        title="A closed trajectory has a reason",
        title_nl="Afgesloten traject heeft een reden",
        source="SWT registration agreement (in-, door- en uitstroom met reden)",
        evidence="trajectory.closed with reason",
        check=check_closure_reason,
        edges="Judged on the current closure; a reopened trajectory is not applicable until closed again.",
    ),
    Rule(
        id="case_lead_recorded",
        title="Who holds regie is recorded",
        title_nl="Vastgelegd wie de regie heeft",
        source="SWT working method (regie bij de inwoner waar mogelijk)",
        evidence="plan.recorded with caseLead",
        check=check_case_lead_recorded,
        edges="The SWT's 'regie voeren' task: the latest plan names who holds regie (caseLead). Not applicable without a plan.",
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}


def audit(state: TrajectoryState, today: date) -> list[Finding]:
    return [rule.check(state, today).for_rule(rule.id) for rule in RULES]
