"""Operator tasks that touch every trajectory."""

from sqlalchemy import select

from app.db import create_db_engine, create_session_factory, ensure_schema_current
from app.domain.terms import DEFAULT_TERMS, TermPolicy
from app.models import StoredEvent
from app.services.ingest import refold

_CHUNK = 1000


def refold_all(database_url: str, terms: TermPolicy = DEFAULT_TERMS) -> int:
    """Recompute every projection row from the events, a chunk per transaction.

    Needed after an upgrade whose migration adds projection columns, or after a change to
    the legal term lengths; the events are the source of truth, the projection is derived.
    """
    engine = create_db_engine(database_url, pool_size=1)
    ensure_schema_current(engine)
    sessions = create_session_factory(engine)
    with sessions() as session:
        keys = [
            (municipality, trajectory_id)
            for municipality, trajectory_id in session.execute(
                select(StoredEvent.municipality, StoredEvent.trajectory_id).distinct()
            )
        ]
    for start in range(0, len(keys), _CHUNK):
        with sessions.begin() as session:
            refold(session, set(keys[start : start + _CHUNK]), terms)
    engine.dispose()
    return len(keys)
