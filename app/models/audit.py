"""Compliance findings per trajectory and rule, and the samples drawn for file review."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.audit import Judgement, Status
from app.models.base import Base, JsonDocument, UtcDateTime, one_of, time_ordered_id


class AuditFinding(Base):
    """A rule's finding as of the last refold; `pending` past its due date counts as `fail`."""

    __tablename__ = "audit_findings"
    __table_args__ = (
        one_of("status", Status),
        Index("ix_audit_findings_rule_status", "municipality", "rule", "status", "due_on"),
    )

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    trajectory_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    rule: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date | None] = mapped_column(Date)
    explanation: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[list[str]] = mapped_column(JsonDocument)


class AuditSample(Base):
    """A reproducible sample of trajectories for dossiercontrole, kept with who drew it."""

    __tablename__ = "audit_samples"

    __table_args__ = (Index("ix_audit_samples_drawn_at", "municipality", "drawn_at"),)

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    drawn_at: Mapped[datetime] = mapped_column(UtcDateTime)
    drawn_by: Mapped[str] = mapped_column(String(100))
    request: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    trajectory_ids: Mapped[list[str]] = mapped_column(JsonDocument)


class SampleReview(Base):
    """A reviewer's judgement of one sampled trajectory. Rows are only added: a changed
    judgement is a new row, so the review's history stays auditable; the latest counts."""

    __tablename__ = "sample_reviews"

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    sample_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # the order judgements were recorded in: the latest counts
    id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, default=time_ordered_id
    )
    trajectory_id: Mapped[str] = mapped_column(String(64))
    judgement: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(1000))
    reviewed_by: Mapped[str] = mapped_column(String(100))
    reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (one_of("judgement", Judgement),)
