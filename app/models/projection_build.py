"""Which version of the fold, audit and projection the stored projection rows were built with."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime


class ProjectionBuild(Base):
    """One row: the version the projection is built with, and a rebuild under way.

    `version` is set when a full build finished; `building` and `resume_after` record a
    rebuild in progress, so an interrupted one continues where it stopped.
    """

    __tablename__ = "projection_build"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[str | None] = mapped_column(String(80))
    building: Mapped[str | None] = mapped_column(String(80))
    resume_after: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
