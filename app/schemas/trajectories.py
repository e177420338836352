"""What clients read about trajectories."""

from datetime import date, datetime
from typing import Any

from pydantic import Field

from app.schemas.base import ApiModel


class TrajectorySummary(ApiModel):
    trajectory_id: str
    municipality: str
    status: str
    domain: str | None
    district: str | None
    team: str | None
    channel: str | None
    age_band: str | None
    opened_on: date | None
    closed_on: date | None
    close_reason: str | None
    resolution_step: str | None
    resolution_on: date | None
    event_count: int


class TimelineEntryView(ApiModel):
    event_id: str
    type: str
    occurred_at: datetime
    occurred_on: date = Field(description="Local (Europe/Amsterdam) calendar date.")
    received_at: datetime
    retracted: bool
    data: dict[str, Any]


class TrajectoryDetail(ApiModel):
    trajectory_id: str
    municipality: str
    state: dict[str, Any] = Field(
        description=(
            "The folded state: status, opened/closed milestones, the six steps in order "
            "(each with completed.at, completed.on, completed.eventId, outcome, professionalRef), "
            "resolution, application, decision, support, plan, goals, satisfaction, suspensions, "
            "complaints. Every milestone names the event that set it."
        )
    )
    timeline: list[TimelineEntryView]


class TrajectoryPageView(ApiModel):
    results: list[TrajectorySummary]
    next: str | None = Field(description="URL of the next page, absent on the last page.")
    next_cursor: str | None = Field(
        default=None,
        description="The `cursor` of the next page (the same page as `next`), for a client "
        "that passes parameters rather than following URLs.",
    )
    page_size: int
