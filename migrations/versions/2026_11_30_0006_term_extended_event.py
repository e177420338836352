"""term.extended events (verdaging, Awb 4:14)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:00:00

The event type CHECK admits `term.extended`. Due dates now follow the Atw calendar with
declared days (art. 3 lid 3), art. 2 and the suspension rules; `wijkteam-kpi migrate`
rebuilds the projection (0007 records its version) so stored due dates and findings follow.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TYPES = (
    "trajectory.opened", "step.completed", "application.received", "expert_advice.requested",
    "expert_advice.received", "decision.issued", "support.started", "support.ended",
    "plan.recorded", "goal.evaluated", "satisfaction.recorded", "term.suspended",
    "term.resumed", "complaint.received", "complaint.resolved", "trajectory.closed",
    "trajectory.reopened", "event.retracted",
)  # fmt: skip


def _replace_check(types: Sequence[str]) -> None:
    allowed = ", ".join(f"'{t}'" for t in types)
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_constraint(op.f("ck_events_type_allowed"), type_="check")
        batch_op.create_check_constraint("type_allowed", f"type IN ({allowed})")


def upgrade() -> None:
    _replace_check((*_TYPES, "term.extended"))


def downgrade() -> None:
    op.execute("DELETE FROM events WHERE type = 'term.extended'")
    _replace_check(_TYPES)
