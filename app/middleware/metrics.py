"""`/metrics`: HTTP traffic by route template and status (prometheus-fastapi-instrumentator)
beside the service's own metrics (`app/metrics.py`)."""

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_fastapi_instrumentator import Instrumentator


def instrument(app: FastAPI) -> None:
    """Count and time every request by route template; serve `/metrics`.

    The HTTP metrics live in a registry of this app (a test process makes many apps);
    `/metrics` shows them with the process-wide ones above.
    """
    http = CollectorRegistry()
    Instrumentator(
        should_group_status_codes=False, excluded_handlers=["/metrics"], registry=http
    ).instrument(app)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(
            generate_latest(http) + generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST
        )
