"""How far `wijkteam-kpi import` got with a file, kept in the database it loads into."""

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime


class EventImport(Base):
    """One file's import into this database, by the SHA-256 of its content.

    Kept here, not beside the file: the same export loaded into staging and then into
    production is two imports, and each database knows its own. Written in the
    transaction of each batch, so the progress never runs ahead of what was stored.
    """

    __tablename__ = "event_imports"

    file_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(BigInteger)  # bytes (NDJSON) or items (array)
    items: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
