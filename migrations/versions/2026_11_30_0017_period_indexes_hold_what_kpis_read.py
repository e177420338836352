"""PostgreSQL: the indexes on a KPI's period day also hold what its KPIs read

A quarter's efficiency, process quality, goal attainment, outcome ratios and statutory
assessment term read a few columns of the trajectories closed (resolved, evaluated...) in
the period; with those columns INCLUDEd the figure is an index-only scan instead of one
heap read per trajectory. SQLite has no INCLUDE: nothing changes there.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 21:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# index: (its key columns after municipality, what it holds before, what it holds now)
CHANGED = {
    "ix_trajectories_opened": (("opened_on",), (), ("team",)),
    "ix_trajectories_closed": (
        ("closed_on", "opened_on"),
        ("team",),
        ("team", "resolution_step", "own_input_minutes", "audit_failures", "audit_pending_due_on"),
    ),
    "ix_trajectories_resolution": (
        ("resolution_on", "opened_on"),
        ("team",),
        ("team", "resolution_step", "resolution_outcome"),
    ),
    "ix_trajectories_assessment_done": (
        ("assessment_done_on",),
        (),
        ("team", "domain", "assessment_due_on"),
    ),
    "ix_trajectories_goals_evaluated": (
        ("goals_evaluated_on",),
        (),
        ("team", "goals_achieved", "goals_partly", "goals_not_achieved"),
    ),
}


def _recreate(holds: int) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (columns, *held) in CHANGED.items():
        op.drop_index(name, table_name="trajectories")
        op.create_index(
            name,
            "trajectories",
            ["municipality", *columns],
            postgresql_include=list(held[holds]) or None,
        )


def upgrade() -> None:
    _recreate(holds=1)


def downgrade() -> None:
    _recreate(holds=0)
