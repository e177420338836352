"""What the municipality stores about KPIs: targets and reported values."""

from datetime import date, datetime

from sqlalchemy import Date, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime


class KpiTarget(Base):
    """A streefwaarde, set directly or derived from a baseline period (0-meting)."""

    __tablename__ = "kpi_targets"

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    kpi_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    baseline_from: Mapped[date | None] = mapped_column(Date)
    baseline_to: Mapped[date | None] = mapped_column(Date)
    baseline_value: Mapped[float | None] = mapped_column(Float)
    change: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(String(500))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReportedValue(Base):
    """A KPI value no case event can show, posted per period (and group) by its source."""

    __tablename__ = "kpi_reported_values"

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    kpi_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period_from: Mapped[date] = mapped_column(Date, primary_key=True)
    period_to: Mapped[date] = mapped_column(Date, primary_key=True)
    # The group as "team=noord&district=holtenbroek" (sorted); "" for the whole municipality.
    group_key: Mapped[str] = mapped_column(String(200), primary_key=True, default="")
    value: Mapped[float] = mapped_column(Float)
    n: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(100))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReportComment(Base):
    """What the quality officer writes about a KPI in a period's report, kept with it."""

    __tablename__ = "report_comments"

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)  # "2026-T1", "2026"
    kpi_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(String(2000))
    written_by: Mapped[str] = mapped_column(String(160))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)
