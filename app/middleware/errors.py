"""Whatever escapes the routers still leaves as problem+json, inside the header middleware.

A database that does not answer is 503 with Retry-After (clients retry); anything else is
500. Starlette's own last-resort handler sits outside every middleware, so its responses
would miss the standard headers: this one catches first.
"""

import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import is_unavailable
from app.errors import database_away
from app.problems import problem_response, service_error_response

logger = logging.getLogger("wijkteam_kpi")


class ErrorResponseMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            request = Request(scope)
            if is_unavailable(exc):
                logger.warning(
                    "database unavailable on %s %s: %s",
                    scope["method"],
                    scope["path"],
                    exc.__class__.__name__,
                )
                response = service_error_response(request, database_away())
            else:
                logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
                response = problem_response(
                    request, 500, "an unexpected error occurred; it has been logged"
                )
            await response(scope, receive, send)
