"""How a KPI is measured, declared as data.

A KPI's measure is a small declaration over projection columns (all local dates). Two
interpreters read the same declaration: `reference.py` in plain Python (the meaning)
and `app/services/figures/kpi_sql.py` in SQL (what is served). A property test proves they agree.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from app.domain.vocabulary import SatisfactionItem

# --- conditions over one projection row -----------------------------------------------


# The projection column of each satisfaction item (`listenedTo` -> satisfaction_listened_to).
SATISFACTION_COLUMNS = {
    item.value: "satisfaction_" + "".join("_" + c.lower() if c.isupper() else c for c in item.value)
    for item in SatisfactionItem
}


@dataclass(frozen=True)
class NotNull:
    column: str


@dataclass(frozen=True)
class IsNull:
    column: str


@dataclass(frozen=True)
class OneOf:
    column: str
    values: tuple[str | int, ...]


@dataclass(frozen=True)
class DueNotPassed:
    """A due date that is absent or not yet past on the query's `asOf` day."""

    column: str


@dataclass(frozen=True)
class NotAfter:
    """column <= limit (another date column); false where either is unknown."""

    column: str
    limit: str


@dataclass(frozen=True)
class All:
    parts: tuple["Condition", ...]


Condition = NotNull | IsNull | OneOf | NotAfter | DueNotPassed | All


def all_of(*parts: Condition) -> All:
    return All(tuple(parts))


# --- measures -------------------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    """Days from `start` to `end`; the period is that of `end` (the event ending the interval)."""

    start: str
    end: str
    population: Condition | None = None

    @property
    def period(self) -> str:
        return self.end


@dataclass(frozen=True)
class Share:
    """numerator / population, over trajectories whose `period` date falls in the period.

    `over_applications`: one row per aanvraag instead, its `application_on`, `decision_on`,
    `decision_due_on` and `decision_result` those of that aanvraag.
    """

    period: str
    population: Condition
    numerator: Condition
    over_applications: bool = False


@dataclass(frozen=True)
class Count:
    """How many trajectories have their `period` date in the period, optionally by a column.

    `over_periods`: count open periods instead (their `closed_on`/`close_reason`), so each
    closure counts in its own period and a later reopening changes no earlier count.
    """

    period: str
    population: Condition | None = None
    breakdown: str | None = None
    over_periods: bool = False


@dataclass(frozen=True)
class OpenAt:
    """Trajectories open at the end of the period by the state as of that day: one of their
    open periods began on or before it and had not been closed by then."""


@dataclass(frozen=True)
class PerTrajectory:
    """sum(total) / count over trajectories with `period` in the period (e.g. hours per case).

    `total` is a whole-number column (exact sums in any row order); `divisor` turns it into
    the KPI's unit (minutes / 60 = hours).
    """

    period: str
    total: str
    population: Condition | None = None
    divisor: int = 1


@dataclass(frozen=True)
class GoalAttainment:
    """Evaluated goals achieved / evaluated, partly counted apart; period: last evaluation."""

    period: str = "goals_evaluated_on"


@dataclass(frozen=True)
class Satisfaction:
    """Per CEO item over the trajectories closed in the period that answered: n, mean score,
    share scoring 4 or 5; response rate = answering closed trajectories / closed ones."""

    period: str = "closed_on"


@dataclass(frozen=True)
class Complaints:
    """Complaints received per 100 trajectories active in the period, and days to resolve.

    Each complaint counts on its own dates (received, resolved), not on one trajectory date.
    """


@dataclass(frozen=True)
class Reentry:
    """Closed trajectories whose client opens a new one within `window_days` of the closure."""

    window_days: int = 365


@dataclass(frozen=True)
class Stacking:
    """Clients with provisions in two or more domains at the same time, among clients with one.

    Measured on the overlap of provision spells with the period, per client.
    """


@dataclass(frozen=True)
class Reported:
    """Posted by an authorised source per period (survey, telephony, finance)."""


Measure = (
    Duration
    | Share
    | Count
    | OpenAt
    | PerTrajectory
    | GoalAttainment
    | Satisfaction
    | Complaints
    | Reentry
    | Stacking
    | Reported
)

# Measures whose unit of observation is not one trajectory per period column, so a
# breakdown by trajectory dimensions or by month would not mean what it says.
NO_BREAKDOWN = (Stacking, Reported)
NO_TIME_SERIES = (OpenAt, Complaints, Stacking, Reported)


class KpiType(StrEnum):
    OUTCOME = "outcome"
    OUTPUT = "output"
    PROCESS = "process"
    INPUT = "input"


class Direction(StrEnum):
    """Which way is better, so a target can be judged met or not."""

    HIGHER = "higher_is_better"
    LOWER = "lower_is_better"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Kpi:
    id: str
    name_nl: str
    name_en: str
    type: KpiType
    definition: str  # English
    definition_nl: str
    unit: str
    measure: Measure
    source_events: tuple[str, ...]
    procedure: str
    direction: Direction = Direction.NEUTRAL
    frequency: str = "monthly"
    owner: str = "teamleider sociaal wijkteam"
    value_is: str = "value"
    notes: tuple[str, ...] = field(default_factory=tuple)
