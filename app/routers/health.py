"""Liveness and readiness for the platform's probes; no authentication."""

from fastapi import APIRouter, Request

from app.routers.route import ContractRoute
from app.schemas.base import ApiModel
from app.services.projection.readiness import check_ready

router = APIRouter(prefix="/health", tags=["health"], route_class=ContractRoute)


class HealthStatus(ApiModel):
    status: str


@router.get("/live", response_model=HealthStatus, summary="The process is up")
def live() -> HealthStatus:
    """The process answers (for a liveness probe); touches no database."""
    return HealthStatus(status="up")


@router.get(
    "/ready",
    response_model=HealthStatus,
    responses={503: {}},
    summary="The database answers, is migrated and its projection is current",
)
def ready(request: Request) -> HealthStatus:
    """The database answers, its schema is current and the projection was built by this version
    (for a readiness probe); 503 with the reason otherwise."""
    state = request.state
    check_ready(state.engine, state.sessions, state.projection_gate)
    return HealthStatus(status="up")
