"""Request-scoped dependencies: the session (committed before the response) and settings."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.services.figures.cache import FigureCache
from app.services.ingestion.worker import BatchIngest
from app.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    # scope="function" below: the commit happens before the response is sent, so a
    # client that reads right after a 201 sees what it wrote.
    with request.state.sessions() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def require_current_projection(request: Request, session: SessionDep) -> None:
    """Figures, audit summaries, worklists and trajectory reads rest on the projection: never
    from rows an older version of the service built (503 until it is rebuilt)."""
    request.state.projection_gate.check(session)


CurrentProjection = Depends(require_current_projection)


def get_figure_cache(request: Request) -> FigureCache | None:
    cache: FigureCache | None = request.state.figure_cache
    return cache


# Where computed figures are kept until their data changes (None: FIGURE_CACHE=none).
FigureCacheDep = Annotated[FigureCache | None, Depends(get_figure_cache)]


def get_batch_ingest(request: Request) -> BatchIngest:
    batches: BatchIngest = request.state.batch_ingest
    return batches


BatchIngestDep = Annotated[BatchIngest, Depends(get_batch_ingest)]
