"""keys lead with the municipality: ready for a distributed PostgreSQL

Every table that holds a municipality's data now has a primary key and indexes that start
with `municipality`, so Citus (distribution column = gemeentecode) can take the schema
unchanged: `access_log`, `audit_samples`, `sample_reviews` (which gains `municipality`,
filled from its sample) and `kpi_reported_values` (its natural key becomes the primary
key; the surrogate id goes), and the outbox's due index. The access log's and the
reviews' ids become time-ordered 63-bit numbers made by the service (existing ids keep
their value and sort before the new ones). The downgrade restores the old keys; the
reported values get new surrogate ids.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("access_log", recreate="always") as batch:
        batch.drop_index("ix_access_log_at")
        batch.drop_index("ix_access_log_client_id")
        batch.drop_constraint("pk_access_log", type_="primary")
        batch.alter_column("id", type_=sa.BigInteger(), existing_nullable=False)
        batch.create_primary_key("pk_access_log", ["municipality", "id"])
        batch.create_index("ix_access_log_at", ["municipality", "at"])
        batch.create_index("ix_access_log_client_id", ["municipality", "client_id"])

    with op.batch_alter_table("audit_samples", recreate="always") as batch:
        batch.drop_index("ix_audit_samples_municipality")
        batch.drop_constraint("pk_audit_samples", type_="primary")
        batch.create_primary_key("pk_audit_samples", ["municipality", "id"])
        batch.create_index("ix_audit_samples_drawn_at", ["municipality", "drawn_at"])

    op.add_column("sample_reviews", sa.Column("municipality", sa.String(length=4)))
    op.execute(
        "UPDATE sample_reviews SET municipality = (SELECT audit_samples.municipality "
        "FROM audit_samples WHERE audit_samples.id = sample_reviews.sample_id)"
    )
    with op.batch_alter_table("sample_reviews", recreate="always") as batch:
        batch.drop_index("ix_sample_reviews_sample_id")
        batch.drop_constraint("pk_sample_reviews", type_="primary")
        batch.alter_column("municipality", existing_type=sa.String(length=4), nullable=False)
        batch.alter_column("id", type_=sa.BigInteger(), existing_nullable=False)
        batch.create_primary_key("pk_sample_reviews", ["municipality", "sample_id", "id"])

    with op.batch_alter_table("kpi_reported_values", recreate="always") as batch:
        batch.drop_index("ix_kpi_reported_values_period")
        batch.drop_constraint("uq_kpi_reported_values_municipality", type_="unique")
        batch.drop_constraint("pk_kpi_reported_values", type_="primary")
        batch.drop_column("id")
        batch.create_primary_key(
            "pk_kpi_reported_values",
            ["municipality", "kpi_id", "period_from", "period_to", "group_key"],
        )

    with op.batch_alter_table("notification_outbox") as batch:
        batch.drop_index("ix_notification_outbox_due")
        batch.create_index(
            "ix_notification_outbox_due", ["municipality", "state", "next_attempt_at"]
        )


def downgrade() -> None:
    # SQLite numbers a key of its own only on an INTEGER PRIMARY KEY (and holds 64 bits in
    # one); PostgreSQL keeps the column's sequence, and its integer would not hold the ids.
    sqlite = op.get_bind().dialect.name == "sqlite"
    id_type = sa.Integer() if sqlite else sa.BigInteger()
    with op.batch_alter_table("notification_outbox") as batch:
        batch.drop_index("ix_notification_outbox_due")
        batch.create_index("ix_notification_outbox_due", ["state", "next_attempt_at"])

    with op.batch_alter_table("kpi_reported_values", recreate="always") as batch:
        batch.drop_constraint("pk_kpi_reported_values", type_="primary")
    if sqlite:
        op.add_column("kpi_reported_values", sa.Column("id", sa.Integer(), nullable=True))
        op.execute("UPDATE kpi_reported_values SET id = rowid")
    else:  # an identity numbers the existing rows as it is added
        op.add_column(
            "kpi_reported_values", sa.Column("id", sa.Integer(), sa.Identity(), nullable=False)
        )
    with op.batch_alter_table("kpi_reported_values", recreate="always") as batch:
        batch.alter_column("id", existing_type=sa.Integer(), nullable=False)
        batch.create_primary_key("pk_kpi_reported_values", ["id"])
        batch.create_unique_constraint(
            "uq_kpi_reported_values_municipality",
            ["municipality", "kpi_id", "period_from", "period_to", "group_key"],
        )
        batch.create_index(
            "ix_kpi_reported_values_period", ["municipality", "kpi_id", "period_from"]
        )

    with op.batch_alter_table("sample_reviews", recreate="always") as batch:
        batch.drop_constraint("pk_sample_reviews", type_="primary")
        batch.alter_column("id", type_=id_type, existing_nullable=False)
        batch.create_primary_key("pk_sample_reviews", ["id"])
        batch.drop_column("municipality")
        batch.create_index("ix_sample_reviews_sample_id", ["sample_id"])

    with op.batch_alter_table("audit_samples", recreate="always") as batch:
        batch.drop_index("ix_audit_samples_drawn_at")
        batch.drop_constraint("pk_audit_samples", type_="primary")
        batch.create_primary_key("pk_audit_samples", ["id"])
        batch.create_index("ix_audit_samples_municipality", ["municipality"])

    with op.batch_alter_table("access_log", recreate="always") as batch:
        batch.drop_index("ix_access_log_at")
        batch.drop_index("ix_access_log_client_id")
        batch.drop_constraint("pk_access_log", type_="primary")
        batch.alter_column("id", type_=id_type, existing_nullable=False)
        batch.create_primary_key("pk_access_log", ["id"])
        batch.create_index("ix_access_log_at", ["at"])
        batch.create_index("ix_access_log_client_id", ["client_id"])
