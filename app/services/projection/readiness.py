"""Readiness: the database answers, is migrated, and its projection is current."""

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from app.db import DatabaseBehind, ensure_schema_current
from app.errors import ServiceUnavailable
from app.services.projection.build import ProjectionGate


def check_ready(engine: Engine, sessions: sessionmaker[Session], gate: ProjectionGate) -> None:
    """Raises ServiceUnavailable with the reason when the service cannot answer yet."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        ensure_schema_current(engine)
    except DatabaseBehind as exc:
        raise ServiceUnavailable(str(exc)) from exc
    except Exception as exc:
        raise ServiceUnavailable("the database does not answer") from exc
    with sessions.begin() as session:
        gate.check(session)  # 503 while the projection is being rebuilt
