"""A counter per municipality that moves with every write that can change a figure."""

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class DataVersion(Base):
    """Bumped in the same transaction as the write, so a reader that saw version N saw
    every write up to N: the cache validator of figures, catalogue and audit summaries."""

    __tablename__ = "data_versions"

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    # Milliseconds since the epoch, or one more than before where writes come faster: a
    # version is never handed out twice, not even after the database is restored from a
    # backup (a plain counter would start again where the backup left it, and a client's
    # ETag or a shared figure cache would take the new data for the old).
    version: Mapped[int] = mapped_column(BigInteger)
