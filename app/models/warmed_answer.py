"""Answers a batch computed for the data version it committed, handed to every process."""

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class WarmedAnswer(Base):
    """A figure or audit summary computed in a batch's transaction, under its cache key
    (app/services/figure_cache.py). Written with the batch, so it is there the moment the
    batch's data version is; a reader that misses its cache looks here before computing.
    Only the latest batch's answers of a municipality are kept: aggregates after
    small-number protection, never a person's data."""

    __tablename__ = "warmed_answers"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    municipality: Mapped[str] = mapped_column(String(4), index=True)
    answer: Mapped[bytes] = mapped_column(LargeBinary)
