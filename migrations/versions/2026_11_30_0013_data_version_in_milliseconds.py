"""data version in milliseconds: never handed out twice, not even after a restore

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 15:50:38.964354
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("data_versions", schema=None) as batch_op:
        batch_op.alter_column(
            "version", existing_type=sa.INTEGER(), type_=sa.BigInteger(), existing_nullable=False
        )


def downgrade() -> None:
    # Millisecond versions do not fit the old column: the counters start again at 1 (a
    # downgrade is a deliberate step; validators from before the upgrade may match again).
    op.execute("UPDATE data_versions SET version = 1")
    with op.batch_alter_table("data_versions", schema=None) as batch_op:
        batch_op.alter_column(
            "version", existing_type=sa.BigInteger(), type_=sa.INTEGER(), existing_nullable=False
        )
