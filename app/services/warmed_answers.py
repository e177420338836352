"""The hand-over of a batch's warmed answers (figure_warmer.warm_in_batch) to every
serving process: written in the batch's transaction, so they become visible together with
its data version, and read by a reader whose cache misses before it computes."""

from collections.abc import Collection, Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.models import WarmedAnswer
from app.services.sql_functions import among


def hand_over(
    session: Session, municipalities: Collection[str], answers: Sequence[tuple[str, str, bytes]]
) -> None:
    """Replace what earlier batches left for `municipalities` (under versions that have
    passed) by `answers`: (municipality, cache key, answer)."""
    session.execute(
        delete(WarmedAnswer).where(among(session, WarmedAnswer.municipality, list(municipalities)))
    )
    if answers:
        rows = [{"municipality": m, "key": k, "answer": a} for m, k, a in answers]
        session.execute(insert(WarmedAnswer), rows)


def find(session: Session, key: str) -> bytes | None:
    found = session.execute(select(WarmedAnswer.answer).where(WarmedAnswer.key == key))
    return found.scalar_one_or_none()
