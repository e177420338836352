"""A trajectory's state: a pure fold over its effective events in (occurredAt, eventId) order.

Because the fold only ever sees the sorted, non-retracted events, the arrival order of
events cannot change the state: that is the whole of the out-of-order guarantee.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.domain.calendar import days_between, local_date
from app.domain.events import DomainEvent, effective_events
from app.domain.terms import DEFAULT_TERMS, DueDate, Extension, Spell, TermPolicy, due_date
from app.domain.vocabulary import (
    DecisionResult,
    EventType,
    NetworkOutcome,
    ProvisionOutcome,
    Step,
    Term,
    TrajectoryStatus,
)


@dataclass(frozen=True)
class Milestone:
    """When something happened: the exact moment, its local date, and the proving event."""

    at: datetime
    on: date
    event_id: str

    @classmethod
    def of(cls, event: DomainEvent) -> "Milestone":
        return cls(at=event.occurred_at, on=local_date(event.occurred_at), event_id=event.event_id)


@dataclass(frozen=True)
class StepRecord:
    step: Step
    completed: Milestone
    outcome: str | None
    professional_ref: str | None
    details: Mapping[str, Any]


@dataclass(frozen=True)
class Resolution:
    """How the assessment was resolved (docs/domain.md: first of step 4/5 sufficient or step 6)."""

    step: Step
    outcome: str | None
    milestone: Milestone


@dataclass
class Suspension:
    term: Term
    reason: str | None
    suspended: Milestone
    resumed: Milestone | None = None

    @property
    def days(self) -> int | None:
        """Suspended calendar days, or None while the term is still suspended."""
        if self.resumed is None:
            return None
        return days_between(self.suspended.on, self.resumed.on)


@dataclass(frozen=True)
class TermExtension:
    term: Term
    noticed: Milestone
    days: int | None
    new_due_on: date | None
    reason: str | None


@dataclass
class Aanvraag:
    """A formal application: it starts its own decision term, ended by the first decision
    issued after it."""

    received: Milestone
    decision: Milestone | None = None
    result: str | None = None


@dataclass
class Support:
    """One spell of support: from support.started to the support.ended that matches it."""

    kind: str | None
    provider: str | None
    started: Milestone
    ended: Milestone | None = None


@dataclass
class OpenPeriod:
    """From an opening or reopening to the closure that ended it (None: still open)."""

    opened: Milestone
    closed: Milestone | None = None
    reason: str | None = None


@dataclass
class Complaint:
    category: str | None
    received: Milestone
    resolved: Milestone | None = None
    complaint_id: str | None = None


@dataclass
class TrajectoryState:
    trajectory_id: str
    status: TrajectoryStatus = TrajectoryStatus.OPEN
    opened: Milestone | None = None
    client_ref: str | None = None
    domain: str | None = None
    district: str | None = None
    team: str | None = None
    channel: str | None = None
    age_band: str | None = None
    professional_ref: str | None = None
    steps: dict[Step, StepRecord] = field(default_factory=dict)
    resolution: Resolution | None = None
    own_input_hours: float = 0.0
    own_input_contacts: int = 0
    provision_category: str | None = None
    provider: str | None = None
    expert_advice_required: bool | None = None
    application: Milestone | None = None
    expert_advice_requested: Milestone | None = None
    expert_advice_received: Milestone | None = None
    decision: Milestone | None = None
    decision_result: str | None = None
    aanvragen: list[Aanvraag] = field(default_factory=list)
    supports: list[Support] = field(default_factory=list)
    # Every step completion with its professional, in order: whose case it was on a day.
    step_log: list[tuple[Milestone, str]] = field(default_factory=list)
    support_started: Milestone | None = None
    support_ended: Milestone | None = None
    support_kind: str | None = None
    plan: Milestone | None = None
    case_lead: str | None = None
    plan_goals: list[str] = field(default_factory=list)  # the latest plan's goal ids
    evaluations: dict[str, tuple[str | None, Milestone]] = field(default_factory=dict)
    satisfaction: dict[str, int] = field(default_factory=dict)
    satisfaction_recorded: Milestone | None = None
    suspensions: list[Suspension] = field(default_factory=list)
    extensions: list[TermExtension] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)
    closed: Milestone | None = None
    close_reason: str | None = None
    periods: list[OpenPeriod] = field(default_factory=list)
    reopened_count: int = 0
    event_count: int = 0
    retracted_event_ids: list[str] = field(default_factory=list)
    terms: TermPolicy = DEFAULT_TERMS

    @property
    def goals(self) -> dict[str, str | None]:
        """The latest plan's goals with their last evaluation (goals of older plans drop out)."""
        return {
            g: self.evaluations[g][0] if g in self.evaluations else None for g in self.plan_goals
        }

    @property
    def goals_evaluated(self) -> Milestone | None:
        """The last evaluation of a goal of the latest plan: the goals' period."""
        dates = [self.evaluations[g][1] for g in self.plan_goals if g in self.evaluations]
        return max(dates, key=lambda m: (m.at, m.event_id)) if dates else None

    def is_suspended(self, term: Term) -> bool:
        return any(s.term is term and s.resumed is None for s in self.suspensions)

    def _step_on(self, step: Step) -> date | None:
        record = self.steps.get(step)
        return record.completed.on if record else None

    @property
    def assessment_done_on(self) -> date | None:
        """When steps 1-4 were all done: the assessment the Wmo's six weeks are about."""
        days = [self._step_on(step) for step in ASSESSMENT_STEPS]
        return max(d for d in days if d) if all(days) else None

    @property
    def assessment_completed_on(self) -> date | None:
        """The last of steps 4-6 completed, once the assessment is resolved."""
        if self.resolution is None:
            return None
        return max(d for d in (self._step_on(s) for s in _OUTCOME_STEPS) if d)

    @property
    def provision_granted_on(self) -> date | None:
        """The first grant: step 6 granted, or a decision granting (partly)."""
        grants = []
        record = self.steps.get(Step.PROVISION)
        if record and record.outcome == ProvisionOutcome.GRANTED:
            grants.append(record.completed.on)
        if self.decision and self.decision_result in GRANTING_DECISIONS:
            grants.append(self.decision.on)
        return min(grants) if grants else None

    def term_ends_on(self, term: Term) -> date | None:
        """The day a term stopped running: the event that met it, else the closure."""
        met = self.assessment_done_on if term is Term.ASSESSMENT else _on(self.decision)
        return met if met is not None else _on(self.closed)

    def due(self, term: Term) -> DueDate | None:
        """The due date of a legal term, or None where it does not (yet) run (for the
        decision term: that of the first aanvraag)."""
        if term is Term.DECISION:
            return self.decision_due(self.aanvragen[0]) if self.aanvragen else None
        return self._due(term, self.opened, self.term_ends_on(term))

    def decision_due(self, aanvraag: Aanvraag) -> DueDate | None:
        """One aanvraag's decision term: its own start and end, the trajectory's spells."""
        ends_on = aanvraag.decision.on if aanvraag.decision else _on(self.closed)
        return self._due(Term.DECISION, aanvraag.received, ends_on)

    def _due(self, term: Term, start: Milestone | None, ends_on: date | None) -> DueDate | None:
        length = self.terms.days(term, self.domain)
        if start is None or length is None:
            return None
        return due_date(
            start.on,
            length,
            calendar=self.terms.calendar,
            spells=[
                Spell(s.suspended.on, _on(s.resumed), s.suspended.event_id, s.reason)
                for s in self.suspensions
                if s.term is term
            ],
            extensions=[
                Extension(e.noticed.on, e.noticed.event_id, e.days, e.new_due_on, e.reason)
                for e in self.extensions
                if e.term is term
            ],
            ends_on=ends_on,
            term=term,
        )


def _on(milestone: Milestone | None) -> date | None:
    return milestone.on if milestone else None


_Applier = Callable[[TrajectoryState, DomainEvent], None]

ASSESSMENT_STEPS = (Step.REQUEST, Step.PROBLEMS, Step.NEED, Step.OWN_NETWORK)
_OUTCOME_STEPS = (Step.OWN_NETWORK, Step.OWN_INPUT, Step.PROVISION)
GRANTING_DECISIONS = {DecisionResult.GRANTED, DecisionResult.PARTLY_GRANTED}

_RESOLVING_OUTCOMES: dict[Step, set[str] | None] = {
    Step.OWN_NETWORK: {NetworkOutcome.SUFFICIENT},
    Step.OWN_INPUT: {NetworkOutcome.SUFFICIENT},
    Step.PROVISION: None,  # any outcome of step 6 resolves the assessment
}

_STEP_DETAIL_KEYS = (
    "problemAreas",
    "sources",
    "hours",
    "contacts",
    "reason",
    "provisionCategory",
    "provider",
    "expertAdviceRequired",
)


def _opened(state: TrajectoryState, event: DomainEvent) -> None:
    # A second melding for the same case id is kept in the timeline but does not
    # rewrite the first: the trajectory started when it was first reported.
    if state.opened is not None:
        return
    data = event.data
    state.opened = Milestone.of(event)
    state.periods.append(OpenPeriod(opened=state.opened))
    state.client_ref = data.get("clientRef")
    state.domain = data.get("domain")
    state.district = data.get("district")
    state.team = data.get("team")
    state.channel = data.get("channel")
    state.age_band = data.get("ageBand")


def _step_completed(state: TrajectoryState, event: DomainEvent) -> None:
    data = event.data
    step = Step(data["step"])
    completed = Milestone.of(event)
    professional = data.get("professionalRef")
    if professional:
        state.professional_ref = professional
        state.step_log.append((completed, professional))
    if step is Step.OWN_INPUT:
        state.own_input_hours += float(data.get("hours") or 0)
        state.own_input_contacts += int(data.get("contacts") or 0)
    if step in state.steps:
        # The first completion is the step's record; a correction is a retraction plus a
        # new event, so a repeat is history (timeline), not a new truth.
        return
    outcome = data.get("outcome")
    record = StepRecord(
        step=step,
        completed=completed,
        outcome=outcome,
        professional_ref=professional,
        details={k: data[k] for k in _STEP_DETAIL_KEYS if k in data},
    )
    state.steps[step] = record
    if step is Step.PROVISION:
        state.provision_category = data.get("provisionCategory")
        state.provider = data.get("provider")
        state.expert_advice_required = data.get("expertAdviceRequired")
    if state.resolution is None and step in _RESOLVING_OUTCOMES:
        accepted = _RESOLVING_OUTCOMES[step]
        if accepted is None or outcome in accepted:
            state.resolution = Resolution(step=step, outcome=outcome, milestone=record.completed)


def _first(attribute: str) -> _Applier:
    def apply(state: TrajectoryState, event: DomainEvent) -> None:
        if getattr(state, attribute) is None:
            setattr(state, attribute, Milestone.of(event))

    return apply


def _application(state: TrajectoryState, event: DomainEvent) -> None:
    state.application = state.application or Milestone.of(event)
    state.aanvragen.append(Aanvraag(received=Milestone.of(event)))


def _decision(state: TrajectoryState, event: DomainEvent) -> None:
    if state.decision is None:
        state.decision = Milestone.of(event)
        state.decision_result = event.data.get("result")
    for aanvraag in state.aanvragen:  # received before it, still undecided
        if aanvraag.decision is None:
            aanvraag.decision = Milestone.of(event)
            aanvraag.result = event.data.get("result")


def _support_started(state: TrajectoryState, event: DomainEvent) -> None:
    if state.support_started is None:
        state.support_started = Milestone.of(event)
        state.support_kind = event.data.get("kind")
        state.provider = state.provider or event.data.get("provider")
    state.supports.append(
        Support(event.data.get("kind"), event.data.get("provider"), Milestone.of(event))
    )


def _support_ended(state: TrajectoryState, event: DomainEvent) -> None:
    state.support_ended = Milestone.of(event)
    # docs/domain.md: it ends the earliest open spell of the same provider and kind (a field the
    # event leaves out matches any).
    kind, provider = event.data.get("kind"), event.data.get("provider")
    for support in state.supports:
        if (
            support.ended is None
            and kind in (None, support.kind)
            and provider in (None, support.provider)
        ):
            support.ended = Milestone.of(event)
            return


def _plan(state: TrajectoryState, event: DomainEvent) -> None:
    # The plan is dated by its first recording; a revised plan replaces goals and regie.
    if state.plan is None:
        state.plan = Milestone.of(event)
    state.case_lead = event.data.get("caseLead") or state.case_lead
    state.plan_goals = [str(g["id"]) for g in event.data.get("goals") or []]


def _goal_evaluated(state: TrajectoryState, event: DomainEvent) -> None:
    # The last evaluation of a goal counts; which goals count is the latest plan's say.
    state.evaluations[str(event.data["goalId"])] = (event.data.get("result"), Milestone.of(event))


def _satisfaction(state: TrajectoryState, event: DomainEvent) -> None:
    state.satisfaction.update(event.data.get("scores") or {})
    state.satisfaction_recorded = Milestone.of(event)


def _suspended(state: TrajectoryState, event: DomainEvent) -> None:
    term = Term(event.data["term"])
    if state.is_suspended(term):
        return  # already suspended: the earlier start stands
    state.suspensions.append(
        Suspension(term=term, reason=event.data.get("reason"), suspended=Milestone.of(event))
    )


def _resumed(state: TrajectoryState, event: DomainEvent) -> None:
    term = Term(event.data["term"])
    for suspension in state.suspensions:
        if suspension.term is term and suspension.resumed is None:
            suspension.resumed = Milestone.of(event)
            return


def _extended(state: TrajectoryState, event: DomainEvent) -> None:
    data = event.data
    new_due_on = data.get("newDueOn")
    state.extensions.append(
        TermExtension(
            term=Term(data["term"]),
            noticed=Milestone.of(event),
            days=data.get("days"),
            new_due_on=date.fromisoformat(new_due_on) if new_due_on else None,
            reason=data.get("reason"),
        )
    )


def _complaint_received(state: TrajectoryState, event: DomainEvent) -> None:
    state.complaints.append(
        Complaint(
            category=event.data.get("category"),
            received=Milestone.of(event),
            complaint_id=event.data.get("complaintId"),
        )
    )


def _complaint_resolved(state: TrajectoryState, event: DomainEvent) -> None:
    # docs/domain.md: by complaintId where given; without it, the earliest open complaint of the
    # same category. A resolution that pairs with nothing resolves nothing.
    complaint_id = event.data.get("complaintId")
    open_complaints = [c for c in state.complaints if c.resolved is None]
    if complaint_id is not None:
        match = next((c for c in open_complaints if c.complaint_id == complaint_id), None)
    else:
        category = event.data.get("category")
        match = next((c for c in open_complaints if c.category == category), None)
    if match is not None:
        match.resolved = Milestone.of(event)


def _closed(state: TrajectoryState, event: DomainEvent) -> None:
    state.status = TrajectoryStatus.CLOSED
    state.closed = Milestone.of(event)
    state.close_reason = event.data.get("reason")
    if not state.periods:
        # A closure whose opening has not arrived (yet) still is one: a period of that day.
        state.periods.append(OpenPeriod(opened=state.closed))
    # A second closure without a reopening corrects the first, as `closed` does.
    state.periods[-1].closed, state.periods[-1].reason = state.closed, state.close_reason


def _reopened(state: TrajectoryState, event: DomainEvent) -> None:
    if state.periods and state.periods[-1].closed is not None:
        state.periods.append(OpenPeriod(opened=Milestone.of(event)))
    state.status = TrajectoryStatus.OPEN
    state.closed = None
    state.close_reason = None
    state.reopened_count += 1


def _ignore(state: TrajectoryState, event: DomainEvent) -> None:
    return None


_APPLIERS: dict[EventType, _Applier] = {
    EventType.TRAJECTORY_OPENED: _opened,
    EventType.STEP_COMPLETED: _step_completed,
    EventType.APPLICATION_RECEIVED: _application,
    EventType.EXPERT_ADVICE_REQUESTED: _first("expert_advice_requested"),
    EventType.EXPERT_ADVICE_RECEIVED: _first("expert_advice_received"),
    EventType.DECISION_ISSUED: _decision,
    EventType.SUPPORT_STARTED: _support_started,
    EventType.SUPPORT_ENDED: _support_ended,
    EventType.PLAN_RECORDED: _plan,
    EventType.GOAL_EVALUATED: _goal_evaluated,
    EventType.SATISFACTION_RECORDED: _satisfaction,
    EventType.TERM_SUSPENDED: _suspended,
    EventType.TERM_RESUMED: _resumed,
    EventType.TERM_EXTENDED: _extended,
    EventType.COMPLAINT_RECEIVED: _complaint_received,
    EventType.COMPLAINT_RESOLVED: _complaint_resolved,
    EventType.TRAJECTORY_CLOSED: _closed,
    EventType.TRAJECTORY_REOPENED: _reopened,
    EventType.EVENT_RETRACTED: _ignore,
}


def fold(
    trajectory_id: str, events: Iterable[DomainEvent], terms: TermPolicy = DEFAULT_TERMS
) -> TrajectoryState:
    """The state of one trajectory from all its events, whatever order they came in."""
    all_events = list(events)
    effective = effective_events(all_events)
    state = TrajectoryState(trajectory_id=trajectory_id, event_count=len(all_events), terms=terms)
    effective_ids = {e.event_id for e in effective}
    state.retracted_event_ids = sorted(
        e.event_id
        for e in all_events
        if e.event_id not in effective_ids and e.type is not EventType.EVENT_RETRACTED
    )
    for event in effective:
        _APPLIERS[event.type](state, event)
    return state
