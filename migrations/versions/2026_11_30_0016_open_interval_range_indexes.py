"""PostgreSQL: a GiST index per duration on its days as a date range

A Duration KPI counts the intervals still open at its period's end. As two bounds
(start <= day, end NULL or after it) the planner misjudged how few rows match and scanned
the whole table; a range index answers `range @> day` from the index, with estimates from
the range statistics. SQLite keeps the two bounds (no range type, no such index).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 20:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# index: (the day a duration starts, the day it ends), as in app/models/trajectory.py
INTERVALS = {
    "ix_trajectories_open_request": ("opened_on", "step_request_on"),
    "ix_trajectories_open_resolution": ("opened_on", "resolution_on"),
    "ix_trajectories_open_closed": ("opened_on", "closed_on"),
    "ix_trajectories_open_support": ("provision_granted_on", "support_started_on"),
}


def _range(start: str, end: str) -> str:
    # Written out here, not imported: a migration keeps the schema of its own day. Empty
    # without a start (NULL would be unbounded) or with an end before it.
    days = f"daterange({start}, CASE WHEN {end} < {start} THEN {start} ELSE {end} END, '[)')"
    return f"(CASE WHEN {start} IS NULL THEN 'empty'::daterange ELSE {days} END)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (start, end) in INTERVALS.items():
        op.execute(f"CREATE INDEX {name} ON trajectories USING gist ({_range(start, end)})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INTERVALS:
        op.execute(f"DROP INDEX {name}")
