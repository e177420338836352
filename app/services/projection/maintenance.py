"""Operator tasks that touch every trajectory."""

from tqdm import tqdm

from app.db import create_db_engine, create_session_factory, ensure_schema_current
from app.domain.terms import TermPolicy
from app.services.projection.build import rebuild


def refold_all(
    database_url: str, terms: TermPolicy, *, force: bool = True, show: bool = False
) -> int:
    """Rebuild the projection from the events (all of it, or only if it is stale).

    The events are the source of truth, the projection is derived: after an upgrade that
    changes what the fold or audit computes, or a change to the legal terms, it is rebuilt
    (`wijkteam-kpi migrate` does it when the stored version differs from the code's).
    """
    engine = create_db_engine(database_url, pool_size=1)
    ensure_schema_current(engine)
    sessions = create_session_factory(engine)
    bar = tqdm(desc="rebuilding the projection", unit=" trajectories", disable=not show)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        return rebuild(sessions, terms, force=force, progress=progress)
    finally:
        bar.close()
        engine.dispose()
