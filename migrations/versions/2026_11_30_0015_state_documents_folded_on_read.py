"""the state document of a trajectory is folded from its events on read, not stored

Every refold wrote a JSON document per touched trajectory that only GET
/trajectories/{id} read, and that request reads the trajectory's events anyway.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("trajectory_documents")


def downgrade() -> None:
    op.create_table(
        "trajectory_documents",
        sa.Column("municipality", sa.String(length=4), nullable=False),
        sa.Column("trajectory_id", sa.String(length=64), nullable=False),
        sa.Column(
            "state", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.PrimaryKeyConstraint(
            "municipality", "trajectory_id", name=op.f("pk_trajectory_documents")
        ),
    )
    # The older code reads documents this revision never wrote: it rebuilds the projection
    # (`wijkteam-kpi migrate`) before serving, as after any change of projection version.
    op.execute("UPDATE projection_build SET version = NULL, building = NULL, resume_after = NULL")
