"""The application factory: one FastAPI app, its lifespan owning engine and sessions."""

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from sqlalchemy.orm import Session, sessionmaker

from app import API_VERSION
from app.db import (
    create_db_engine,
    create_session_factory,
    ensure_schema_current,
    is_unavailable,
)
from app.docs_pages import add_redoc
from app.domain.calendar import local_today
from app.logs import REQUEST_ID_OPTIONS, configure_logging
from app.metrics import watch_pool
from app.middleware.authentication import DOCS_ASSETS, AuthenticationMiddleware
from app.middleware.body_limit import BodyLimitMiddleware
from app.middleware.errors import ErrorResponseMiddleware
from app.middleware.headers import StandardHeadersMiddleware
from app.middleware.metrics import instrument
from app.middleware.rate_limit import Budget, RateLimitMiddleware, make_storage
from app.middleware.request_log import RequestLogMiddleware
from app.openapi import BASE_PATH, build_openapi
from app.problems import install_problem_handlers
from app.routers import (
    audit,
    clients,
    events,
    figures,
    foresight,
    health,
    kpis,
    subscriptions,
    trajectories,
    workbench,
)
from app.routers.freshness import NotModified, not_modified
from app.routers.params import screen_parameters
from app.services.access.clients import SCOPES, create_client, has_clients
from app.services.figures import cache as figure_cache
from app.services.figures.warmer import DailyWarmer
from app.services.ingestion.worker import BatchIngest
from app.services.notifications.delivery import DeliveryWorker
from app.services.notifications.terms import DailyTermNotices
from app.services.projection.build import ProjectionGate, code_version, is_current
from app.settings import Settings, get_settings

logger = logging.getLogger("wijkteam_kpi")

DESCRIPTION = """\
Records the support trajectories of the sociaal wijkteam through the six steps of the
Centrale Raad van Beroep (request, problems, need, own_network, own_input, provision),
derives the team's KPIs and audits step compliance. Events are idempotent on `eventId`;
state depends on `occurredAt`, never on arrival order. Every error is
`application/problem+json` (RFC 9457).
"""

TAGS = [
    {"name": "events", "description": "Posting events, singly or in batches."},
    {"name": "trajectories", "description": "State and timeline of trajectories."},
    {"name": "kpis", "description": "The KPI catalogue, figures, targets and reported values."},
    {"name": "audit", "description": "Step compliance: rules, findings, pass rates, samples."},
    {"name": "administration", "description": "API clients and the access log."},
    {
        "name": "notifications",
        "description": "Subscriptions of other systems: CloudEvents signed as Standard Webhooks.",
    },
    {"name": "health", "description": "Liveness and readiness probes."},
]


def announce_development_client(sessions: sessionmaker[Session], public_url: str) -> None:
    """On a fresh development database, create an all-scopes client and print its token.

    A newcomer running scripts/run.sh gets a working token without reading further;
    production and test settings never do this.
    """
    with sessions.begin() as session:
        if has_clients(session):
            return
        client, token = create_client(session, "development", SCOPES, None)
    logger.warning(
        "development client %s created with all scopes; its token (shown once): %s",
        client.id,
        token,
    )
    # Also as a box on stderr, easy to find after the install's output.
    lines = [
        "Development token (all scopes, shown once):",
        f"  {token}",
        "Try:",
        f'  curl -H "Authorization: Bearer {token}" {public_url}{BASE_PATH}/kpis',
        f"API docs: {public_url}{BASE_PATH}/docs",
        f"Werkbank (browser; sign in with the token): {public_url}/werkbank/",
    ]
    width = max(len(line) for line in lines) + 2
    box = ["+" + "-" * width + "+", *(f"| {line:<{width - 1}}|" for line in lines)]
    print("\n".join([*box, box[0]]), file=sys.stderr, flush=True)


def warn_if_calendar_runs_out(settings: Settings) -> None:
    """Terms due next year need next year's declared days (Atw art. 3 lid 3)."""
    coming = local_today().year + 1
    if not settings.terms().calendar.covers(coming):
        logger.warning(
            "no decree under Algemene termijnenwet art. 3 lid 3 is known for %s: days the "
            "government declares equal to a feestdag are missing; add the decree to "
            "ATW_DECLARED_DAYS and run `wijkteam-kpi migrate`",
            coming,
        )


def projection_current_at_start(sessions: sessionmaker[Session], version: str) -> bool:
    """At start-up only a warning: a database that is away now is judged per request."""
    try:
        with sessions.begin() as session:
            return is_current(session, version)
    except Exception as exc:
        if is_unavailable(exc):
            return True
        raise


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    warn_if_calendar_runs_out(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, Any]]:
        engine = create_db_engine(settings.database_url, settings.db_pool_size)
        unwatch = watch_pool(engine)
        # Starts no process until the first batch arrives.
        batches = BatchIngest(
            settings.database_url,
            settings.ingest_processes,
            settings.log_level,
            settings.log_format,
        )
        warmer: DailyWarmer | None = None
        sender: DeliveryWorker | None = None
        notices: DailyTermNotices | None = None
        try:
            ensure_schema_current(engine)
            sessions = create_session_factory(engine)
            if settings.environment == "development":
                announce_development_client(sessions, settings.public_url)
            gate = ProjectionGate(code_version(settings.terms()))
            if not projection_current_at_start(sessions, gate.version):
                logger.warning(
                    "the projection was built by another version of the service; figure, "
                    "audit and worklist requests answer 503 until `wijkteam-kpi migrate` "
                    "has rebuilt it for %s",
                    gate.version,
                )
            fingerprint = settings.figure_fingerprint()
            cache = figure_cache.from_setting(
                settings.figure_cache,
                f"{API_VERSION}:{gate.version}:{fingerprint}",
                settings.disclosure_key.get_secret_value().encode(),
            )
            warm_at = settings.figure_warm_time()
            if cache is not None and warm_at is not None:
                warmer = DailyWarmer(sessions, cache, warm_at)  # once per cluster if shared
                warmer.start()
            if settings.notify_poll_seconds > 0:
                sender = DeliveryWorker(
                    sessions, settings.delivery_policy(), settings.notify_poll_seconds
                )
                sender.start()
            terms_at = settings.notify_terms_time()
            if terms_at is not None:
                notices = DailyTermNotices(
                    sessions,
                    settings.terms().calendar,
                    terms_at,
                    settings.public_url,
                    settings.foresight,
                )
                notices.start()
            yield {
                "settings": settings,
                "engine": engine,
                "sessions": sessions,
                "projection_gate": gate,
                "figure_fingerprint": fingerprint,
                "batch_ingest": batches,
                "figure_cache": cache,
            }
        finally:
            if warmer is not None:
                warmer.stop()
            if sender is not None:
                sender.stop()
            if notices is not None:
                notices.stop()
            batches.close()
            unwatch()
            engine.dispose()

    # Swagger UI and ReDoc from assets the service ships (fastapi-offline): the docs work on
    # a machine without internet, and a government page loads nothing from a CDN.
    app = FastAPIOffline(
        title="wijkteam-kpi",
        version=API_VERSION,
        description=DESCRIPTION,
        openapi_url=f"{BASE_PATH}/openapi.json",
        docs_url=f"{BASE_PATH}/docs",
        redoc_url=None,  # ours, below: the bundle's one CDN reference taken out
        static_url=DOCS_ASSETS,
        swagger_ui_oauth2_redirect_url=f"{BASE_PATH}/docs/oauth2-redirect",
        openapi_tags=TAGS,
        lifespan=lifespan,
        redirect_slashes=False,  # /kpis/ is not /kpis: 404, never a redirect
        dependencies=[Depends(screen_parameters)],
    )
    app.openapi = lambda: build_openapi(app, settings.public_url, settings.environment)  # type: ignore[method-assign]
    add_redoc(
        app,
        page=f"{BASE_PATH}/redoc",
        script=f"{BASE_PATH}/redoc.js",
        openapi_url=f"{BASE_PATH}/openapi.json",
        favicon=f"{DOCS_ASSETS}/favicon.png",
    )
    install_problem_handlers(app)
    app.add_exception_handler(NotModified, not_modified)
    # add_middleware wraps: the last added is the outermost.
    storage = make_storage(settings.rate_limit_storage)
    per_client = Budget(storage, settings.rate_limit_per_minute, "clients", "per-client")
    app.add_middleware(RateLimitMiddleware, budget=per_client)
    # One budget of failed authentications per address for the API and the workbench's
    # sign-in form alike.
    app.state.failed_authentications = Budget(
        storage, settings.failed_auth_per_minute, "failed-auth", "failed-authentication"
    )
    app.add_middleware(AuthenticationMiddleware, failures=app.state.failed_authentications)
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes_single,
        limits={f"{BASE_PATH}/events/batch": settings.max_body_bytes},
    )
    # Outside authentication, rate limit and body limit, so their 401, 429 and 413 are
    # counted with the rest (they answer before any route runs).
    instrument(app)
    app.add_middleware(ErrorResponseMiddleware)
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "PUT"],
        allow_headers=["Authorization", "Content-Type", "Accept", "If-None-Match", "X-Request-ID"],
        expose_headers=[
            "API-Version",
            "Retry-After",
            "Location",
            "ETag",
            "X-Request-ID",
            "RateLimit",
            "RateLimit-Policy",
        ],
    )
    app.add_middleware(StandardHeadersMiddleware)
    app.add_middleware(CorrelationIdMiddleware, **REQUEST_ID_OPTIONS)
    routers = (
        events,
        trajectories,
        kpis,
        figures,
        foresight,
        audit,
        clients,
        subscriptions,
        health,
    )
    for module in routers:
        app.include_router(module.router, prefix=BASE_PATH)
    app.include_router(workbench.router)
    app.mount(workbench.STATIC_PATH, workbench.static_files, name="workbench-static")
    app.add_exception_handler(workbench.SignInRequired, workbench.to_sign_in)
    app.state.problem_page = workbench.problem_page
    return app
