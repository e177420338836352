"""The audit on the wire: rules, findings with evidence, pass rates, worklist, samples."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, WithJsonSchema, model_validator

from app.domain.atw import DayKind
from app.domain.audit import RULES_BY_ID, Judgement
from app.schemas.base import ApiModel, IsoDate, WholeNumber


class RuleParameters(ApiModel):
    """What a rule is parameterised by; a rule without a parameter leaves it null."""

    counting: str | None = Field(default=None, description="How the term's days are counted.")
    days: dict[str, int] | None = Field(
        default=None, description="The term's length per domain in force (`*`: the others)."
    )
    grace_days: int | None = Field(default=None, description="Days allowed after the step.")


class RuleView(ApiModel):
    id: str
    title: str
    source: str = Field(description="The legal or policy basis.")
    evidence: str = Field(description="Which events prove it.")
    edges: str = Field(description="How the rule reads where it could be read two ways.")
    parameters: RuleParameters


class AdjustmentView(ApiModel):
    rule: Literal["suspension", "verdaging", "algemene_termijnenwet", "atw_art_2"] = Field(
        description="What moved the due date: an opschorting (Awb 4:15), a verdaging "
        "(Awb 4:14), a Saturday/Sunday/feestdag (Atw art. 1 and 3) or Atw art. 2."
    )
    reason: str = Field(description="In words an officer can read out.")
    moved_from: date
    moved_to: date
    source: str = Field(description="The article (and for Atw art. 3 lid 3, the decree).")
    event_id: str | None = Field(default=None, description="The event that moved it, if any.")


class IgnoredView(ApiModel):
    event_id: str
    reason: str = Field(description="Why this registration did not move the due date.")


# The rule ids as an enum in the document (a generated client gets a type for them).
RuleId = Annotated[str, WithJsonSchema({"type": "string", "enum": list(RULES_BY_ID)})]


class FindingView(ApiModel):
    rule: RuleId
    status: Literal["pass", "fail", "pending", "not_applicable"]
    explanation: str
    evidence: list[str] = Field(
        description="eventIds that prove the finding (never retracted ones)."
    )
    due_on: date | None = None
    days_over: int | None = None
    days_remaining: int | None = None
    adjustments: list[AdjustmentView] = Field(default_factory=list)
    ignored: list[IgnoredView] = Field(
        default_factory=list,
        description="Suspensions or extensions that moved nothing (e.g. begun after the due "
        "date), with the reason.",
    )
    suspended_since: date | None = Field(
        default=None, description="The term is suspended since this day: its due date is unknown."
    )


class TrajectoryAudit(ApiModel):
    trajectory_id: str
    as_of: date
    passes: bool = Field(description="No rule failed (pending and not applicable do not fail).")
    findings: list[FindingView]


class RuleRate(ApiModel):
    passed: int
    failed: int
    pending: int
    not_applicable: int
    pass_rate: float | None = Field(description="passed / (passed + failed).")


class SummaryGroup(ApiModel):
    key: dict[str, str | None]
    trajectories: int
    passing: int = Field(description="Trajectories with no failed rule.")
    pass_rate: float | None
    rules: dict[str, RuleRate]


class AuditSummary(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "from": "2026-01-01",
                    "to": "2026-12-31",
                    "asOf": "2026-11-30",
                    "population": "trajectories opened in the period",
                    "groupBy": "team",
                    "groups": [
                        {
                            "key": {"team": "noord"},
                            "trajectories": 412,
                            "passing": 371,
                            "passRate": 0.9005,
                            "rules": {
                                "assessment_term": {
                                    "passed": 380,
                                    "failed": 21,
                                    "pending": 6,
                                    "notApplicable": 5,
                                    "passRate": 0.9476,
                                }
                            },
                        }
                    ],
                }
            ]
        }
    )

    from_: date = Field(alias="from")
    to: date
    as_of: date
    population: str
    group_by: str | None
    groups: list[SummaryGroup]


class WorklistItem(ApiModel):
    trajectory_id: str
    team: str | None
    professional_ref: str | None
    rule: RuleId
    status: Literal["pass", "fail", "pending", "not_applicable"]
    due_on: date | None
    explanation: str = Field(
        description="As of the trajectory's last change; the status is as of today."
    )
    evidence: list[str]


class WorklistPage(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {
                            "trajectoryId": "SWT-2026-000123",
                            "team": "noord",
                            "professionalRef": "prof-0001-pseudo",
                            "rule": "decision_term",
                            "status": "pending",
                            "dueOn": "2026-12-04",
                            "explanation": "decision due on 2026-12-04",
                            "evidence": ["6f1c2f0e-8d7a-4a53-9a43-2b1f5d0c7e11"],
                        }
                    ],
                    "next": None,
                    "nextCursor": None,
                    "pageSize": 50,
                }
            ]
        }
    )

    results: list[WorklistItem]
    next: str | None = Field(description="URL of the next page, absent on the last page.")
    next_cursor: str | None = Field(
        default=None, description="The `cursor` of the next page (the same page as `next`)."
    )
    page_size: int


class SampleDrawn(ApiModel):
    """A sample's request as it was drawn: what was asked, the population per stratum, the
    cases drawn per stratum, and the teams the drawing client was limited to."""

    size: int
    from_: date = Field(alias="from")
    to: date
    stratify_by: str
    seed: int
    population: dict[str, int]
    # Samples drawn before these were recorded lack them.
    strata: dict[str, int] | None = Field(default=None, description="Cases drawn per stratum.")
    teams: list[str] | None = Field(
        default=None, description="The drawing client's team limit (null: every team)."
    )


class SampleRequest(ApiModel):
    size: Annotated[int, Field(ge=1, le=10_000), WholeNumber]
    from_: IsoDate = Field(alias="from", description="Trajectories opened from this day...")
    to: IsoDate = Field(description="...up to and including this day.")
    stratify_by: Literal["team", "professional", "district", "domain"] = "team"
    # At most 2^53 - 1: every JSON parser reads it exactly (a larger one may come back as a
    # float that compares equal to the bound).
    seed: Annotated[int, Field(ge=0, le=2**53 - 1), WholeNumber] = Field(
        description="The same request with the same seed draws the same cases."
    )

    @model_validator(mode="after")
    def _ordered(self) -> "SampleRequest":
        if self.from_ > self.to:
            raise ValueError("from is after to")
        return self


class SampleView(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f6d2c1a-9b8e-4d7f-a6c5-1e2d3c4b5a69",
                    "drawnAt": "2026-11-30T10:15:00Z",
                    "drawnBy": "kwaliteitsfunctionaris (b1c2d3e4)",
                    "request": {
                        "size": 2,
                        "from": "2026-01-01",
                        "to": "2026-06-30",
                        "stratifyBy": "team",
                        "seed": 7,
                        "population": {"noord": 210, "zuid": 198},
                    },
                    "trajectoryIds": ["SWT-2026-000123", "SWT-2026-000871"],
                    "reviews": [
                        {
                            "trajectoryId": "SWT-2026-000123",
                            "judgement": "afwijking",
                            "note": "ondersteuningsplan ontbreekt",
                            "reviewedBy": "kwaliteitsfunctionaris (b1c2d3e4)",
                            "reviewedAt": "2026-12-02T14:05:00Z",
                        }
                    ],
                }
            ]
        }
    )

    id: str
    drawn_at: datetime
    drawn_by: str
    request: "SampleDrawn"
    trajectory_ids: list[str]
    reviews: list["ReviewView"] = Field(
        default_factory=list,
        description="Every judgement recorded on the sample's cases, oldest first; a later "
        "judgement of the same case replaces an earlier one in the outcome, both stay here.",
    )


class ReviewView(ApiModel):
    trajectory_id: str
    judgement: Judgement
    note: str | None
    reviewed_by: str
    reviewed_at: datetime


class CalendarDay(ApiModel):
    date: date
    kind: DayKind
    name: str
    source: str = Field(description="Atw art. 3 lid 1, lid 2, or lid 3 with the decree.")


class AtwCalendarView(ApiModel):
    year: int
    declared_days_covered: bool = Field(
        description="Whether a decree under Atw art. 3 lid 3 covers this year; if not, days "
        "the government will declare equal to a feestdag are still missing."
    )
    days: list[CalendarDay] = Field(description="Saturdays and Sundays (Atw art. 1) not listed.")
