"""A counter per municipality that moves with every write that can change a figure."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class DataVersion(Base):
    """Bumped in the same transaction as the write, so a reader that saw version N saw
    every write up to N: the cache validator of figures, catalogue and audit summaries."""

    __tablename__ = "data_versions"

    municipality: Mapped[str] = mapped_column(String(4), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
