"""What clients read about trajectories."""

from datetime import date, datetime
from typing import Any

from pydantic import ConfigDict, Field

from app.domain.vocabulary import (
    AgeBand,
    CaseLead,
    Channel,
    CloseReason,
    DecisionResult,
    EventType,
    GoalResult,
    LawDomain,
    NetworkOutcome,
    ProvisionOutcome,
    SatisfactionItem,
    Step,
    SupportKind,
    Term,
    TrajectoryStatus,
)
from app.schemas.base import ApiModel


class TrajectorySummary(ApiModel):
    trajectory_id: str
    municipality: str
    status: TrajectoryStatus
    domain: LawDomain | None
    district: str | None
    team: str | None
    channel: Channel | None
    age_band: AgeBand | None
    opened_on: date | None
    closed_on: date | None
    close_reason: CloseReason | None
    resolution_step: Step | None
    resolution_on: date | None
    event_count: int


class TimelineEntryView(ApiModel):
    event_id: str
    type: EventType
    occurred_at: datetime
    occurred_on: date = Field(description="Local (Europe/Amsterdam) calendar date.")
    received_at: datetime
    retracted: bool
    data: dict[str, Any]


class Milestone(ApiModel):
    """When something happened, and the event that says so."""

    at: datetime
    on: date = Field(description="Local (Europe/Amsterdam) calendar date.")
    event_id: str


class StepView(ApiModel):
    step: Step
    number: int = Field(ge=1, le=6)
    completed: Milestone
    outcome: NetworkOutcome | ProvisionOutcome | None = Field(
        description="Steps 4 and 5: sufficient, partial, insufficient or not_applicable; "
        "step 6: granted, not_needed or refused; none for steps 1-3."
    )
    professional_ref: str | None
    details: dict[str, Any] = Field(
        description="What the step recorded beyond its outcome (e.g. `hours`, `contacts`, "
        "`networkSources`)."
    )


class ResolutionView(ApiModel):
    step: Step
    outcome: NetworkOutcome | ProvisionOutcome | None
    milestone: Milestone


class GoalView(ApiModel):
    id: str
    result: GoalResult | None


class SuspensionView(ApiModel):
    term: Term
    reason: str | None
    suspended: Milestone
    resumed: Milestone | None
    days: int | None


class ExtensionView(ApiModel):
    term: Term
    noticed: Milestone
    days: int | None
    new_due_on: date | None
    reason: str | None


class ComplaintView(ApiModel):
    category: str | None
    complaint_id: str | None
    received: Milestone
    resolved: Milestone | None


class TrajectoryState(ApiModel):
    """The folded state. Every milestone names the event that set it."""

    trajectory_id: str
    status: TrajectoryStatus
    opened: Milestone | None
    client_ref: str | None = Field(description="The resident's pseudonym, never a BSN.")
    domain: LawDomain | None
    district: str | None
    team: str | None
    channel: Channel | None
    age_band: AgeBand | None
    professional_ref: str | None
    steps: list[StepView] = Field(description="The steps completed, in their prescribed order.")
    resolution: ResolutionView | None
    own_input_hours: float
    own_input_contacts: int
    provision_category: str | None
    provider: str | None
    expert_advice_required: bool | None
    application: Milestone | None
    expert_advice_requested: Milestone | None
    expert_advice_received: Milestone | None
    decision: Milestone | None
    decision_result: DecisionResult | None
    support_started: Milestone | None
    support_ended: Milestone | None
    support_kind: SupportKind | None
    plan: Milestone | None
    case_lead: CaseLead | None
    goals: list[GoalView]
    goals_evaluated: Milestone | None
    satisfaction: dict[SatisfactionItem, int] = Field(
        description="The latest score (1-5) per CEO Wmo item."
    )
    satisfaction_recorded: Milestone | None
    suspensions: list[SuspensionView]
    extensions: list[ExtensionView]
    complaints: list[ComplaintView]
    closed: Milestone | None
    close_reason: CloseReason | None
    reopened_count: int
    event_count: int
    retracted_event_ids: list[str]


class TrajectoryDetail(ApiModel):
    trajectory_id: str
    municipality: str
    state: TrajectoryState
    timeline: list[TimelineEntryView]


class TrajectoryPageView(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {
                            "trajectoryId": "SWT-2026-000123",
                            "municipality": "0193",
                            "status": "open",
                            "domain": "wmo",
                            "district": "holtenbroek",
                            "team": "noord",
                            "channel": "phone",
                            "ageBand": "67-79",
                            "openedOn": "2026-03-02",
                            "closedOn": None,
                            "closeReason": None,
                            "resolutionStep": None,
                            "resolutionOn": None,
                            "eventCount": 4,
                        }
                    ],
                    "next": "http://127.0.0.1:8000/api/v1/trajectories?pageSize=1&cursor=SWT-2026-000123",
                    "nextCursor": "SWT-2026-000123",
                    "pageSize": 1,
                }
            ]
        }
    )

    results: list[TrajectorySummary]
    next: str | None = Field(description="URL of the next page, absent on the last page.")
    next_cursor: str | None = Field(
        default=None,
        description="The `cursor` of the next page (the same page as `next`), for a client "
        "that passes parameters rather than following URLs.",
    )
    page_size: int
