"""The trajectory projection: one row per trajectory, refolded on ingest.

Wide on purpose: KPI queries filter, group and subtract on plain columns (local dates,
dimensions, outcomes) without joins or JSON. The full state a client reads for one
trajectory is folded from its events on read (GET /trajectories/{id}), not stored.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.vocabulary import Channel, CloseReason, LawDomain, Step, TrajectoryStatus
from app.models.base import Base, UtcDateTime, one_of


def _period_index(name: str, *columns: str, reads: tuple[str, ...] = ()) -> Index:
    """An index on a KPI's period day that also holds the team and what its KPIs read
    (`reads`), so a quarter's figure is read from the index alone (PostgreSQL)."""
    return Index(name, "municipality", *columns, postgresql_include=["team", *reads])


def interval_range(start: str, end: str) -> str:
    """A duration's days as a date range, as its GiST index and the KPI query write it.

    Empty without a start (NULL would be unbounded: every trajectory without a provision
    granted would hold every day while waiting for support). An end before the start (a
    step backdated before the melding) is empty too, not an error that refuses the row."""
    days = f"daterange({start}, CASE WHEN {end} < {start} THEN {start} ELSE {end} END, '[)')"
    return f"(CASE WHEN {start} IS NULL THEN 'empty'::daterange ELSE {days} END)"


# (start, end) of the intervals each range index holds; tests/test_migrations.py checks
# that every Duration KPI of the catalogue has one, and that its query uses it.
OPEN_INTERVAL_INDEXES: dict[str, tuple[str, str]] = {}


def _open_interval_index(name: str, start: str, end: str) -> Index:
    """PostgreSQL only: which of a duration's intervals are still open on a day (the
    `openIntervals` of a Duration KPI), from the index and its range statistics."""
    OPEN_INTERVAL_INDEXES[name] = (start, end)
    # Not a partial index (WHERE start IS NOT NULL): ANALYZE keeps no statistics for the
    # expression of a partial index, and without them the planner misjudged again.
    index = Index(name, text(interval_range(start, end)), postgresql_using="gist")
    return index.ddl_if(dialect="postgresql")


def compared_by_autogenerate(
    _object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    """Alembic's `include_object`: not the range indexes, whose expression PostgreSQL
    writes back in its own words (autogenerate would take that for a change)."""
    return not (type_ == "index" and name in OPEN_INTERVAL_INDEXES)


class Trajectory(Base):
    __tablename__ = "trajectories"
    __table_args__ = (
        one_of("status", TrajectoryStatus),
        one_of("domain", LawDomain),
        one_of("channel", Channel),
        one_of("close_reason", CloseReason),
        one_of("resolution_step", Step),
        _period_index("ix_trajectories_opened", "opened_on"),
        # The days a KPI's period filters on (see the catalogue): a quarter reads its own
        # rows, not the whole table. Where a duration ends, the index holds its start day;
        # each holds the team and the columns its KPIs count or sum, so a figure, by team
        # or not, is read from the index alone (PostgreSQL; at 1,000,000 trajectories a
        # quarter's efficiency went from 0.31 to 0.03 s: scripts/benchmark_kpis.py).
        _period_index(
            "ix_trajectories_closed",
            "closed_on",
            "opened_on",
            reads=(
                "resolution_step",  # involvement_duration's population
                "own_input_minutes",  # efficiency
                "audit_failures",  # process_quality
                "audit_pending_due_on",
            ),
        ),
        _period_index(
            "ix_trajectories_resolution",
            "resolution_on",
            "opened_on",
            reads=("resolution_step", "resolution_outcome"),  # the three outcome ratios
        ),
        _period_index("ix_trajectories_request", "step_request_on", "opened_on"),
        _period_index(
            "ix_trajectories_support_started", "support_started_on", "provision_granted_on"
        ),
        # One per Duration KPI's (start, end) in the catalogue (tests/test_migrations.py).
        _open_interval_index("ix_trajectories_open_request", "opened_on", "step_request_on"),
        _open_interval_index("ix_trajectories_open_resolution", "opened_on", "resolution_on"),
        _open_interval_index("ix_trajectories_open_closed", "opened_on", "closed_on"),
        _open_interval_index(
            "ix_trajectories_open_support", "provision_granted_on", "support_started_on"
        ),
        _period_index(
            "ix_trajectories_assessment_done",
            "assessment_done_on",
            reads=("domain", "assessment_due_on"),  # statutory_assessment_within_term
        ),
        _period_index(
            "ix_trajectories_goals_evaluated",
            "goals_evaluated_on",
            reads=("goals_achieved", "goals_partly", "goals_not_achieved"),
        ),
        # client + opening date: re-entry looks for a client's later openings
        Index("ix_trajectories_client", "municipality", "client_ref", "opened_on"),
    )

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    trajectory_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(8))
    client_ref: Mapped[str | None] = mapped_column(String(128))
    domain: Mapped[str | None] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(32))
    team: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(16))
    age_band: Mapped[str | None] = mapped_column(String(8))
    professional_ref: Mapped[str | None] = mapped_column(String(128))
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(String(24))
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    step_request_on: Mapped[date | None] = mapped_column(Date)
    step_request_outcome: Mapped[str | None] = mapped_column(String(16))
    step_problems_on: Mapped[date | None] = mapped_column(Date)
    step_problems_outcome: Mapped[str | None] = mapped_column(String(16))
    step_need_on: Mapped[date | None] = mapped_column(Date)
    step_need_outcome: Mapped[str | None] = mapped_column(String(16))
    step_own_network_on: Mapped[date | None] = mapped_column(Date)
    step_own_network_outcome: Mapped[str | None] = mapped_column(String(16))
    step_own_input_on: Mapped[date | None] = mapped_column(Date)
    step_own_input_outcome: Mapped[str | None] = mapped_column(String(16))
    step_provision_on: Mapped[date | None] = mapped_column(Date)
    step_provision_outcome: Mapped[str | None] = mapped_column(String(16))
    resolution_step: Mapped[str | None] = mapped_column(String(16))
    resolution_outcome: Mapped[str | None] = mapped_column(String(16))
    resolution_on: Mapped[date | None] = mapped_column(Date)
    # Whole minutes, so sums are exact whatever order the rows are added in.
    own_input_minutes: Mapped[int] = mapped_column(Integer, default=0)
    provision_category: Mapped[str | None] = mapped_column(String(64))
    expert_advice_required: Mapped[bool | None] = mapped_column(Boolean)
    expert_advice_requested_on: Mapped[date | None] = mapped_column(Date)
    expert_advice_received_on: Mapped[date | None] = mapped_column(Date)
    application_on: Mapped[date | None] = mapped_column(Date)
    decision_on: Mapped[date | None] = mapped_column(Date)
    decision_result: Mapped[str | None] = mapped_column(String(16))
    support_started_on: Mapped[date | None] = mapped_column(Date)
    support_ended_on: Mapped[date | None] = mapped_column(Date)
    support_kind: Mapped[str | None] = mapped_column(String(16))
    plan_on: Mapped[date | None] = mapped_column(Date)
    case_lead: Mapped[str | None] = mapped_column(String(16))
    goals_total: Mapped[int] = mapped_column(Integer, default=0)
    goals_achieved: Mapped[int] = mapped_column(Integer, default=0)
    goals_partly: Mapped[int] = mapped_column(Integer, default=0)
    goals_not_achieved: Mapped[int] = mapped_column(Integer, default=0)
    satisfaction_on: Mapped[date | None] = mapped_column(Date)
    satisfaction_overall: Mapped[int | None] = mapped_column(SmallInteger)
    satisfaction_listened_to: Mapped[int | None] = mapped_column(SmallInteger)
    satisfaction_knew_where_to_go: Mapped[int | None] = mapped_column(SmallInteger)
    satisfaction_helped_quickly: Mapped[int | None] = mapped_column(SmallInteger)
    satisfaction_taken_seriously: Mapped[int | None] = mapped_column(SmallInteger)
    satisfaction_searched_together: Mapped[int | None] = mapped_column(SmallInteger)
    satisfaction_quality_good: Mapped[int | None] = mapped_column(SmallInteger)
    satisfaction_fits_request: Mapped[int | None] = mapped_column(SmallInteger)
    satisfaction_better_do_things: Mapped[int | None] = mapped_column(SmallInteger)
    satisfaction_better_cope: Mapped[int | None] = mapped_column(SmallInteger)
    satisfaction_better_quality_of_life: Mapped[int | None] = mapped_column(SmallInteger)
    complaints_received: Mapped[int] = mapped_column(Integer, default=0)
    complaints_resolved: Mapped[int] = mapped_column(Integer, default=0)
    assessment_suspended_days: Mapped[int] = mapped_column(Integer, default=0)
    decision_suspended_days: Mapped[int] = mapped_column(Integer, default=0)
    goals_evaluated_on: Mapped[date | None] = mapped_column(Date)
    # The first opening of another trajectory of the same client after this one closed:
    # kept up to date for every trajectory of a client whenever one of them changes.
    next_opened_on: Mapped[date | None] = mapped_column(Date)
    assessment_done_on: Mapped[date | None] = mapped_column(Date)
    assessment_completed_on: Mapped[date | None] = mapped_column(Date)
    assessment_due_on: Mapped[date | None] = mapped_column(Date)
    decision_due_on: Mapped[date | None] = mapped_column(Date)
    provision_granted_on: Mapped[date | None] = mapped_column(Date)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    # Compliance, for the process_quality KPI: definite failures, and the earliest due
    # date of a pending finding (it fails if that date passes with nothing done).
    audit_failures: Mapped[int] = mapped_column(Integer, default=0)
    audit_pending_due_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TrajectoryPeriod(Base):
    """One open period of a trajectory: from its opening (or a reopening) to the closure
    that ended it. Point-in-time figures read these, so a later reopening never changes
    what the trajectory was on an earlier day."""

    __tablename__ = "trajectory_periods"
    __table_args__ = (Index("ix_trajectory_periods_closed", "municipality", "closed_on"),)

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    trajectory_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(String(32))


class Application(Base):
    """One aanvraag and its own decision term: each counts once in the decision KPI."""

    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_decided", "municipality", "decided_on"),)

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    trajectory_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)  # None while suspended, or no term
    decided_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(16))


class SupportSpell(Base):
    """One spell of support; `ends_on` is excluded: its support.ended, else the closure,
    else None (still running)."""

    __tablename__ = "supports"

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    trajectory_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(16))
    provider: Mapped[str | None] = mapped_column(String(64))
    started_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)


class StepCompletion(Base):
    """Who completed a step when: a trajectory belongs, on a day, to the professional of
    its most recent step completion on or before that day."""

    __tablename__ = "step_completions"

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    trajectory_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    completed_on: Mapped[date] = mapped_column(Date)
    professional_ref: Mapped[str] = mapped_column(String(128))


class Complaint(Base):
    """One row per complaint, refolded with its trajectory: complaints can be several."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_received", "municipality", "received_on"),)

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    trajectory_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str | None] = mapped_column(String(64))
    received_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
