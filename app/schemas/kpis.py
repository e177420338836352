"""KPI catalogue entries, figures, targets and reported values on the wire."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.spec import Direction, KpiType
from app.schemas.base import ApiModel, Code, FreeText, IsoDate, Number, WholeNumber


class TargetView(ApiModel):
    value: float
    baseline_from: date | None = None
    baseline_to: date | None = None
    baseline_value: float | None = None
    change: float | None = None
    note: str | None = None
    set_at: datetime


def _one_of(values: Iterable[str]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": sorted(set(values))})


# Fixed sets, read from the catalogue: the document names them so a client gets enums.
Unit = Annotated[str, _one_of(k.unit for k in CATALOGUE)]
ValueIs = Annotated[str, _one_of(k.value_is for k in CATALOGUE)]
Frequency = Annotated[str, _one_of(k.frequency for k in CATALOGUE)]


class KpiDefinition(ApiModel):
    id: str
    name_nl: str
    name_en: str
    type: KpiType
    name: str = Field(description="The name in the language of the answer (Content-Language).")
    definition: str = Field(
        description="The definition in the language of the answer: Dutch unless "
        "`Accept-Language` prefers English."
    )
    definition_nl: str
    definition_en: str
    unit: Unit
    value_is: ValueIs = Field(
        description="Which statistic `value` holds (e.g. median for durations)."
    )
    direction: Direction
    source_events: list[str]
    procedure: str
    frequency: Frequency
    owner: str
    derived: bool = Field(
        description="False for KPIs posted by a source (POST /kpis/{kpiId}/values)."
    )
    breakdowns: list[str]
    time_series: bool
    target: TargetView | None


class DurationSummary(ApiModel):
    n: int
    mean: float | None
    median: float | None
    p90: float | None


class ItemFigures(ApiModel):
    """One satisfaction question's figures."""

    n: int | None
    mean: float | None
    share_agree: float | None
    response_rate: float | None
    suppressed: bool


class DurationFigures(ApiModel):
    n: int | None
    mean: float | None
    median: float | None
    p90: float | None
    suppressed: bool


class FigureDetails(ApiModel):
    """The measure-specific figures of a group: each measure fills its own fields and
    leaves the others out (not null)."""

    breakdown: dict[str, int | None] | None = Field(
        default=None, description="outflow: closures by reason"
    )
    partly: int | None = Field(default=None, description="goal_attainment: goals partly met")
    partly_share: float | None = Field(default=None, description="goal_attainment")
    items: dict[str, ItemFigures] | None = Field(
        default=None, description="satisfaction: per question"
    )
    closed: int | None = Field(default=None, description="satisfaction: closures asked")
    response_rate: float | None = Field(default=None, description="satisfaction")
    resolution: DurationFigures | None = Field(
        default=None, description="complaints: days to resolution"
    )
    pending: int | None = Field(
        default=None, description="reentry_rate: closures whose window has not passed"
    )
    source: str | None = Field(default=None, description="reported KPIs: who reported it")


class KpiGroup(ApiModel):
    key: dict[str, str | None]
    n: int | None = Field(
        description="Trajectories (clients for stacking) the cell rests on; null when suppressed."
    )
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    mean: float | None = None
    median: float | None = None
    p90: float | None = None
    target: float | None = None
    target_met: bool | None = None
    suppressed: bool
    details: FigureDetails = Field(
        default_factory=FigureDetails,
        description=(
            "Measure-specific figures: `breakdown` (outflow by reason), `partly`/`partlyShare` "
            "(goals), `items`/`closed`/`responseRate` (satisfaction), `resolution` (complaints), "
            "`pending` (re-entry), `source` (reported)."
        ),
    )

    @field_serializer("details")
    def _only_its_own(self, details: FigureDetails) -> dict[str, Any]:
        return details.model_dump(by_alias=True, exclude_unset=True)


class KpiFigure(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kpi": "waiting_time_intake",
                    "name": "Wachttijd en intake",
                    "unit": "days",
                    "valueIs": "median",
                    "from": "2026-01-01",
                    "to": "2026-03-31",
                    "groupBy": ["team"],
                    "openIntervals": 4,
                    "minCellSize": 5,
                    "target": None,
                    "groups": [
                        {
                            "key": {"team": "noord"},
                            "n": 41,
                            "value": 3.0,
                            "mean": 3.8,
                            "median": 3.0,
                            "p90": 8.0,
                            "suppressed": False,
                            "details": {},
                        },
                        {
                            "key": {"team": "zuid"},
                            "n": None,
                            "value": None,
                            "suppressed": True,
                        },
                    ],
                }
            ]
        }
    )

    kpi: str
    name: str
    unit: Unit
    value_is: ValueIs
    from_: date = Field(alias="from")
    to: date
    group_by: list[str]
    open_intervals: int | None = Field(
        default=None,
        description="Durations only: intervals begun by `to`, not ended by then, of trajectories "
        "open at `to` (not in n).",
    )
    min_cell_size: int
    target: TargetView | None
    groups: list[KpiGroup]


class TargetRequest(ApiModel):
    """Either `value`, or `baselineFrom`/`baselineTo` (a 0-meting) plus `change`."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["value"],
                    "not": {
                        "anyOf": [{"required": ["baselineFrom"]}, {"required": ["baselineTo"]}]
                    },
                },
                {
                    "required": ["baselineFrom", "baselineTo"],
                    "properties": {
                        "baselineFrom": {"type": "string", "format": "date", "maxLength": 10},
                        "baselineTo": {"type": "string", "format": "date", "maxLength": 10},
                    },
                    "not": {"required": ["value"]},
                },
            ]
        }
    )

    value: Annotated[Number | None, WithJsonSchema({"type": "number"})] = None
    baseline_from: IsoDate | None = None
    baseline_to: IsoDate | None = None
    change: Number = Field(
        default=0.0, description="Added to the baseline value (same unit as the KPI)."
    )
    note: FreeText | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _no_null(cls, value: Any) -> Any:
        if value is None:  # only when sent explicitly: leave it out instead
            raise PydanticCustomError(
                "number_type", "a JSON number (leave value out for a baseline)"
            )
        return value

    @model_validator(mode="after")
    def _one_way(self) -> "TargetRequest":
        has_baseline = self.baseline_from is not None or self.baseline_to is not None
        if (self.value is None) == (not has_baseline):
            raise ValueError("give either value, or baselineFrom and baselineTo (with change)")
        if has_baseline and (self.baseline_from is None or self.baseline_to is None):
            raise ValueError("a baseline needs both baselineFrom and baselineTo")
        if has_baseline and self.baseline_from > self.baseline_to:  # type: ignore[operator]
            raise ValueError("baselineFrom is after baselineTo")
        return self


GroupDimension = Literal[
    "team", "district", "domain", "channel", "ageBand", "provisionCategory", "professional"
]


class ReportedValueRequest(ApiModel):
    from_: IsoDate = Field(alias="from")
    to: IsoDate
    value: Number
    n: Annotated[int, Field(ge=0, le=2**31 - 1), WholeNumber] | None = Field(
        default=None, description="Observations behind the value (respondents, calls)."
    )
    group: dict[GroupDimension, Code] = Field(
        default_factory=dict,
        description='e.g. {"team": "noord"}; empty for the whole municipality.',
    )
    source: Code

    @model_validator(mode="after")
    def _ordered(self) -> "ReportedValueRequest":
        if self.from_ > self.to:
            raise ValueError("from is after to")
        return self


class ReportedValueView(ApiModel):
    kpi: str
    from_: date = Field(alias="from")
    to: date
    group: dict[str, str]
    value: float
    n: int | None
    source: str
    reported_at: datetime


class FigureRow(ApiModel):
    """One cell of one KPI in the long table: the same columns for every KPI."""

    kpi: str
    unit: Unit
    value_is: ValueIs
    period_start: date
    period_end: date
    period: str | None = Field(
        default=None, description="The time-grain label (2026-03, 2026-Q1, 2026-T1, 2026)."
    )
    group: dict[str, str | None] = Field(
        description="The value of each dimension asked for in groupBy."
    )
    n: int | None
    value: float | None
    mean: float | None
    median: float | None
    p90: float | None
    target: float | None
    suppressed: bool


class FigureTable(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "from": "2026-01-01",
                    "to": "2026-12-31",
                    "groupBy": ["tertial"],
                    "rows": [
                        {
                            "kpi": "inflow",
                            "unit": "trajectories",
                            "valueIs": "value",
                            "periodStart": "2026-01-01",
                            "periodEnd": "2026-04-30",
                            "period": "2026-T1",
                            "group": {},
                            "n": 512,
                            "value": 512.0,
                            "mean": None,
                            "median": None,
                            "p90": None,
                            "target": None,
                            "suppressed": False,
                        }
                    ],
                    "omitted": ["complaints", "caseload", "provision_stacking"],
                }
            ]
        }
    )

    from_: date = Field(alias="from")
    to: date
    group_by: list[str]
    rows: list[FigureRow]
    omitted: list[str] = Field(
        description="KPIs that have no such breakdown or time series, left out of the rows."
    )
