"""Scheduled work that runs once per cluster: which process claimed which run."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime


class JobRun(Base):
    """One run of a scheduled job (`figure-warming` of 2026-12-07, ...). The primary key is
    the claim: of several replicas reaching the same run, the first insert wins and the
    others leave it. Cluster-wide, not per municipality (a reference table in a
    distributed database)."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(160))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
