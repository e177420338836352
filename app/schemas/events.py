"""One Pydantic model per event type of docs/domain.md, discriminated on `type`."""

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.domain.vocabulary import (
    AgeBand,
    CaseLead,
    Channel,
    CloseReason,
    DecisionResult,
    GoalResult,
    LawDomain,
    NetworkOutcome,
    NetworkSource,
    ProvisionOutcome,
    Step,
    SupportKind,
    Term,
)
from app.schemas.base import (
    ApiModel,
    Boolean,
    Code,
    FreeText,
    Gemeentecode,
    IsoDate,
    JsonNumber,
    NoBsn,
    Pseudonym,
    Timestamp,
    Uuid,
    WholeNumber,
)
from app.schemas.problem import InvalidParam

# --- data payloads ------------------------------------------------------------------------


class TrajectoryOpenedData(ApiModel):
    client_ref: Pseudonym = Field(description="Pseudonym of the resident; never a BSN.")
    domain: LawDomain
    district: Code = Field(description="Wijk code.")
    team: Code
    channel: Channel
    age_band: AgeBand


_OUTCOMES: dict[Step, set[str]] = {
    Step.OWN_NETWORK: {"sufficient", "partial", "insufficient"},
    Step.OWN_INPUT: {o.value for o in NetworkOutcome},
    Step.PROVISION: {o.value for o in ProvisionOutcome},
}


def _step_of(info: ValidationInfo) -> Step | None:
    step = info.data.get("step")
    return Step(step) if step is not None else None


def _only_for(value: Any, info: ValidationInfo, *steps: Step) -> Any:
    step = _step_of(info)
    if value is not None and step is not None and step not in steps:
        names = " or ".join(s.value for s in steps)
        raise PydanticCustomError(
            "not_for_this_step", "only allowed when step is {steps}", {"steps": names}
        )
    return value


# The fields only some steps take (by their wire names), as the validators below enforce.
_STEP_ONLY: dict[str, Step] = {
    "problemAreas": Step.PROBLEMS,
    "sources": Step.OWN_NETWORK,
    "hours": Step.OWN_INPUT,
    "contacts": Step.OWN_INPUT,
    "provisionCategory": Step.PROVISION,
    "provider": Step.PROVISION,
    "expertAdviceRequired": Step.PROVISION,
}


def _step_rules(schema: dict[str, Any]) -> None:
    """The validators' rules in the schema, so a generated client or test data knows them:
    per step, which outcome it needs (or none) and which fields it may carry; and
    `not_applicable` needs a reason."""
    rules: list[dict[str, Any]] = []
    for step in Step:
        allowed = _OUTCOMES.get(step)
        then: dict[str, Any] = {
            "properties": {
                name: {"type": "null"} for name, only in _STEP_ONLY.items() if only is not step
            }
        }
        if allowed is None:
            then["properties"]["outcome"] = {"type": "null"}
        else:
            then["required"] = ["outcome"]
            then["properties"]["outcome"] = {"type": "string", "enum": sorted(allowed)}
        rules.append({"if": _is("step", step.value), "then": then})
    rules.append(
        {
            "if": _is("outcome", NetworkOutcome.NOT_APPLICABLE.value),
            "then": {
                "required": ["reason"],
                "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}},
            },
        }
    )
    schema["allOf"] = rules


def _is(name: str, value: str) -> dict[str, Any]:
    return {"properties": {name: {"const": value}}, "required": [name]}


class StepCompletedData(ApiModel):
    model_config = ConfigDict(json_schema_extra=_step_rules)

    step: Step
    outcome: str | None = Field(
        default=None,
        max_length=32,
        pattern="^[a-z_]+$",
        validate_default=True,  # a missing outcome must still be checked against the step
        description=(
            "own_network: sufficient|partial|insufficient; own_input: the same or "
            "not_applicable (with reason); provision: granted|not_needed|refused; "
            "absent for the first three steps."
        ),
    )
    professional_ref: Pseudonym
    problem_areas: list[Code] | None = Field(default=None, max_length=20)
    sources: list[NetworkSource] | None = Field(default=None, max_length=5)
    hours: Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False), JsonNumber] | None = None
    contacts: Annotated[int, Field(ge=0, le=10_000), WholeNumber] | None = None
    reason: FreeText | None = Field(default=None, validate_default=True)
    provision_category: Code | None = None
    provider: Code | None = None
    expert_advice_required: Boolean | None = None

    @field_validator("outcome")
    @classmethod
    def _outcome_fits_step(cls, value: str | None, info: ValidationInfo) -> str | None:
        step = _step_of(info)
        if step is None:
            return value
        allowed = _OUTCOMES.get(step)
        if allowed is None and value is not None:
            raise PydanticCustomError(
                "not_for_this_step", "step {step} has no outcome", {"step": step.value}
            )
        if allowed is not None and value not in allowed:
            raise PydanticCustomError(
                "enum",
                "step {step} needs an outcome, one of {allowed}",
                {"step": step.value, "allowed": ", ".join(sorted(allowed))},
            )
        return value

    @field_validator("problem_areas")
    @classmethod
    def _problem_areas(cls, value: Any, info: ValidationInfo) -> Any:
        return _only_for(value, info, Step.PROBLEMS)

    @field_validator("sources")
    @classmethod
    def _sources(cls, value: Any, info: ValidationInfo) -> Any:
        return _only_for(value, info, Step.OWN_NETWORK)

    @field_validator("hours", "contacts")
    @classmethod
    def _own_input_effort(cls, value: Any, info: ValidationInfo) -> Any:
        return _only_for(value, info, Step.OWN_INPUT)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.data.get("outcome") == NetworkOutcome.NOT_APPLICABLE:
            raise PydanticCustomError("required", "not_applicable needs a reason")
        return value

    @field_validator("provision_category", "provider", "expert_advice_required")
    @classmethod
    def _provision_details(cls, value: Any, info: ValidationInfo) -> Any:
        return _only_for(value, info, Step.PROVISION)


class EmptyData(ApiModel):
    pass


class ExpertAdviceData(ApiModel):
    discipline: Code


class DecisionIssuedData(ApiModel):
    result: DecisionResult


class SupportStartedData(ApiModel):
    kind: SupportKind
    provider: Code | None = None


class SupportEndedData(ApiModel):
    kind: SupportKind | None = None
    provider: Code | None = None


class Goal(ApiModel):
    id: Code


class PlanRecordedData(ApiModel):
    goals: list[Goal] = Field(default_factory=list, max_length=50)
    case_lead: CaseLead


class GoalEvaluatedData(ApiModel):
    goal_id: Code
    result: GoalResult


Score = Annotated[int, Field(ge=1, le=5), WholeNumber]


def _scored_items_only(schema: dict[str, Any]) -> None:
    """As validated: at least one item, and an item without a score is left out (not null)."""
    schema["minProperties"] = 1
    for field in schema["properties"].values():
        kept = [branch for branch in field.pop("anyOf", []) if branch.get("type") != "null"]
        if kept:
            field.update(kept[0])
        field.pop("default", None)


class SatisfactionScores(ApiModel):
    """Agreement 1 (strongly disagree) .. 5 (strongly agree), CEO Wmo items; any non-empty
    subset (leave out an item without a score)."""

    model_config = ConfigDict(json_schema_extra=_scored_items_only)

    @model_validator(mode="before")
    @classmethod
    def _scores_given(cls, value: Any) -> Any:
        if isinstance(value, dict):
            if not value:
                raise PydanticCustomError("required", "at least one item needs a score")
            unscored = sorted(name for name, score in value.items() if score is None)
            if unscored:
                raise PydanticCustomError(
                    "unscored_item",
                    "leave out an item without a score ({items})",
                    {"items": ", ".join(unscored)},
                )
        return value

    overall: Score | None = None
    listened_to: Score | None = None
    knew_where_to_go: Score | None = None
    helped_quickly: Score | None = None
    taken_seriously: Score | None = None
    searched_together: Score | None = None
    quality_good: Score | None = None
    fits_request: Score | None = None
    better_do_things: Score | None = None
    better_cope: Score | None = None
    better_quality_of_life: Score | None = None


class SatisfactionRecordedData(ApiModel):
    scores: SatisfactionScores


class TermSuspendedData(ApiModel):
    term: Term
    reason: FreeText | None = None


class TermResumedData(ApiModel):
    term: Term


def _one_of_days_or_date(schema: dict[str, Any]) -> None:
    for name in ("days", "newDueOn"):
        field = schema["properties"][name]
        kept = [branch for branch in field.pop("anyOf", []) if branch.get("type") != "null"]
        if kept:
            field.update(kept[0])
        field.pop("default", None)
    schema["oneOf"] = [{"required": ["days"]}, {"required": ["newDueOn"]}]


class TermExtendedData(ApiModel):
    """Verdaging (Awb 4:14): once, by notice before the term ends; `days` or `newDueOn`."""

    # Exactly one of the two, said in the document too; neither may be null.
    model_config = ConfigDict(json_schema_extra=_one_of_days_or_date)

    term: Term = Field(
        description="decision: verdaging (Awb 4:14); assessment: extended by agreement with "
        "the resident (Wmo 2015 art. 2.3.2)."
    )
    days: Annotated[int, Field(ge=1, le=366), WholeNumber] | None = Field(
        default=None, description="Days added to the current due date."
    )
    new_due_on: IsoDate | None = Field(default=None, description="The new due date.")
    reason: FreeText

    @field_validator("days", "new_due_on", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:  # absent is fine (the default); an explicit null is not
            raise PydanticCustomError("null_not_allowed", "leave the field out instead of null")
        return value

    @model_validator(mode="after")
    def _days_or_date(self) -> "TermExtendedData":
        if (self.days is None) == (self.new_due_on is None):
            raise PydanticCustomError("days_or_new_due_on", "give exactly one of days, newDueOn")
        return self


class ComplaintData(ApiModel):
    category: Code
    complaint_id: Code | None = Field(
        default=None,
        description="Pairs a resolution with its complaint; without it, a resolution closes "
        "the earliest open complaint of the same category.",
    )


class TrajectoryClosedData(ApiModel):
    reason: CloseReason


class EventRetractedData(ApiModel):
    retracts: Uuid = Field(description="eventId of an earlier event of the same trajectory.")
    reason: FreeText | None = None


# --- envelopes ----------------------------------------------------------------------------

TrajectoryId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
        description="The sender's case id; unique within the municipality. No personal data.",
    ),
    NoBsn,  # it appears in URLs, where a BSN must never be
]

_EXAMPLE_ENVELOPE: dict[str, Any] = {
    "eventId": "6f1c2f0e-8d7a-4a53-9a43-2b1f5d0c7e11",
    "trajectoryId": "SWT-2026-000123",
    "occurredAt": "2026-03-02T09:15:00+01:00",
}


class _Envelope(ApiModel):
    event_id: Uuid = Field(description="Chosen by the sender; the idempotency key.")
    trajectory_id: TrajectoryId
    occurred_at: Timestamp = Field(
        description="RFC 3339 timestamp with offset, in the years 1900-2199."
    )
    municipality: Gemeentecode | None = Field(
        default=None,
        description="Gemeentecode, for clients that serve several municipalities.",
    )
    source: (
        Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=r"^[!-~]+$"), NoBsn]
        | None
    ) = Field(
        default=None,
        description="Where the event came from: the CloudEvents `source` of an event posted "
        "as a CloudEvent, kept with it.",
    )


def _example(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"examples": [{**_EXAMPLE_ENVELOPE, "type": event_type, "data": data}]}


class TrajectoryOpened(_Envelope):
    model_config = ConfigDict(
        json_schema_extra=_example(
            "trajectory.opened",
            {
                "clientRef": "cjbkdpahljcedeebmfgok",
                "domain": "wmo",
                "district": "holtenbroek",
                "team": "noord",
                "channel": "phone",
                "ageBand": "67-79",
            },
        )
    )
    type: Literal["trajectory.opened"]
    data: TrajectoryOpenedData


class StepCompleted(_Envelope):
    model_config = ConfigDict(
        json_schema_extra=_example(
            "step.completed",
            {
                "step": "own_network",
                "outcome": "partial",
                "professionalRef": "prof-7f3a9c21",
                "sources": ["informal_care", "social_base"],
            },
        )
    )
    type: Literal["step.completed"]
    data: StepCompletedData


class ApplicationReceived(_Envelope):
    type: Literal["application.received"]
    data: EmptyData = Field(default_factory=EmptyData)


class ExpertAdviceRequested(_Envelope):
    type: Literal["expert_advice.requested"]
    data: ExpertAdviceData


class ExpertAdviceReceived(_Envelope):
    type: Literal["expert_advice.received"]
    data: ExpertAdviceData


class DecisionIssued(_Envelope):
    type: Literal["decision.issued"]
    data: DecisionIssuedData


class SupportStarted(_Envelope):
    type: Literal["support.started"]
    data: SupportStartedData


class SupportEnded(_Envelope):
    type: Literal["support.ended"]
    data: SupportEndedData = Field(default_factory=SupportEndedData)


class PlanRecorded(_Envelope):
    type: Literal["plan.recorded"]
    data: PlanRecordedData


class GoalEvaluated(_Envelope):
    type: Literal["goal.evaluated"]
    data: GoalEvaluatedData


class SatisfactionRecorded(_Envelope):
    model_config = ConfigDict(
        json_schema_extra=_example(
            "satisfaction.recorded", {"scores": {"overall": 4, "listenedTo": 5, "helpedQuickly": 3}}
        )
    )
    type: Literal["satisfaction.recorded"]
    data: SatisfactionRecordedData


class TermSuspended(_Envelope):
    type: Literal["term.suspended"]
    data: TermSuspendedData


class TermResumed(_Envelope):
    type: Literal["term.resumed"]
    data: TermResumedData


class TermExtended(_Envelope):
    model_config = ConfigDict(
        json_schema_extra=_example(
            "term.extended",
            {"term": "decision", "days": 14, "reason": "advies van de GGD nodig"},
        )
    )
    type: Literal["term.extended"]
    data: TermExtendedData


class ComplaintReceived(_Envelope):
    type: Literal["complaint.received"]
    data: ComplaintData


class ComplaintResolved(_Envelope):
    type: Literal["complaint.resolved"]
    data: ComplaintData


class TrajectoryClosed(_Envelope):
    type: Literal["trajectory.closed"]
    data: TrajectoryClosedData


class TrajectoryReopened(_Envelope):
    type: Literal["trajectory.reopened"]
    data: EmptyData = Field(default_factory=EmptyData)


class EventRetracted(_Envelope):
    type: Literal["event.retracted"]
    data: EventRetractedData


Event = Annotated[
    TrajectoryOpened
    | StepCompleted
    | ApplicationReceived
    | ExpertAdviceRequested
    | ExpertAdviceReceived
    | DecisionIssued
    | SupportStarted
    | SupportEnded
    | PlanRecorded
    | GoalEvaluated
    | SatisfactionRecorded
    | TermSuspended
    | TermResumed
    | TermExtended
    | ComplaintReceived
    | ComplaintResolved
    | TrajectoryClosed
    | TrajectoryReopened
    | EventRetracted,
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


class EventAccepted(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "eventId": "0b7d3a52-6a3e-4f0e-9a57-2f4b9c1d7e21",
                    "trajectoryId": "SWT-2026-000123",
                    "municipality": "0193",
                    "status": "created",
                }
            ]
        }
    )

    event_id: UUID
    trajectory_id: str
    municipality: str
    status: Literal["created", "duplicate"]


class BatchItemError(ApiModel):
    index: int = Field(description="0-based position of the event in the batch.")
    event_id: str | None = None
    status: int = Field(
        description="400 invalid, 403 another municipality, 409 conflicts with a stored event."
    )
    invalid_params: list[InvalidParam]


class BatchResult(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "received": 3,
                    "created": 1,
                    "duplicates": 1,
                    "rejected": 1,
                    "errors": [
                        {
                            "index": 2,
                            "eventId": "5f0c1e9a-3b7d-4c2e-8a61-9d4f2b7c0e13",
                            "status": 400,
                            "invalidParams": [
                                {
                                    "name": "occurredAt",
                                    "code": "missing",
                                    "reason": "Field required",
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    )

    received: int
    created: int
    duplicates: int
    rejected: int
    errors: list[BatchItemError]
