"""Liveness and readiness for the platform's probes; no authentication."""

from fastapi import APIRouter, Request
from sqlalchemy import text

from app.db import DatabaseBehind, ensure_schema_current
from app.errors import ServiceUnavailable
from app.routers.route import ContractRoute
from app.schemas.base import ApiModel

router = APIRouter(prefix="/api/v1/health", tags=["health"], route_class=ContractRoute)


class HealthStatus(ApiModel):
    status: str


@router.get("/live", response_model=HealthStatus, summary="The process is up")
def live() -> HealthStatus:
    return HealthStatus(status="up")


@router.get(
    "/ready",
    response_model=HealthStatus,
    responses={503: {}},
    summary="The database answers, is migrated and its projection is current",
)
def ready(request: Request) -> HealthStatus:
    engine = request.state.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        ensure_schema_current(engine)
    except DatabaseBehind as exc:
        raise ServiceUnavailable(str(exc)) from exc
    except Exception as exc:
        raise ServiceUnavailable("the database does not answer") from exc
    with request.state.sessions.begin() as session:
        request.state.projection_gate.check(session)  # 503 while it is being rebuilt
    return HealthStatus(status="up")
