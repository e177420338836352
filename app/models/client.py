"""API clients (sending systems, BI tools, officers) and the log of case-level reads."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JsonDocument, UtcDateTime, time_ordered_id


class ApiClient(Base):
    """A known client. Its bearer token is stored only as a SHA-256 hash."""

    __tablename__ = "api_clients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    scopes: Mapped[list[str]] = mapped_column(JsonDocument)
    # Limited to one gemeentecode, or None: may name any municipality in its events.
    municipality: Mapped[str | None] = mapped_column(String(4))
    # Limited to these teams' trajectories and figures, or None: every team.
    teams: Mapped[list[str] | None] = mapped_column(JsonDocument)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AccessLogEntry(Base):
    """Who read which case-level data, and when. Written by the service, never by clients."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_at", "municipality", "at"),
        Index("ix_access_log_client_id", "municipality", "client_id"),
    )

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    # newest first is the order the log is read in (keyset paging on it)
    id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, default=time_ordered_id
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    client_id: Mapped[str] = mapped_column(String(36))
    client_name: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(Integer)
    trajectory_ids: Mapped[list[str]] = mapped_column(JsonDocument)
    query: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
