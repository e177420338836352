"""the indexes of the days a duration ends on also hold its start day and the team

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 17:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# index: (the day a duration ends, the day it starts)
WIDENED = {
    "ix_trajectories_closed": ("closed_on", "opened_on"),
    "ix_trajectories_resolution": ("resolution_on", "opened_on"),
    "ix_trajectories_request": ("step_request_on", "opened_on"),
    "ix_trajectories_support_started": ("support_started_on", "provision_granted_on"),
}


def upgrade() -> None:
    for name, (end, start) in WIDENED.items():
        op.drop_index(name, table_name="trajectories")
        op.create_index(
            name, "trajectories", ["municipality", end, start], postgresql_include=["team"]
        )


def downgrade() -> None:
    for name, (end, _) in WIDENED.items():
        op.drop_index(name, table_name="trajectories")
        op.create_index(name, "trajectories", ["municipality", end])
