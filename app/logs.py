"""Logging: one JSON object per line, each carrying the id of the request it belongs to.

The request id is accepted from `X-Request-ID` (when it looks like an id, and never a
BSN), else made up, and echoed in the response (asgi-correlation-id). Every log record
written while a request runs carries it, so one request's lines can be found together.
"""

import logging
import re
import sys
import time
from typing import Any, TextIO

from asgi_correlation_id import CorrelationIdFilter
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.domain.bsn import contains_bsn

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
access_logger = logging.getLogger("wijkteam_kpi.requests")


def acceptable_request_id(value: str) -> bool:
    return bool(_REQUEST_ID.match(value)) and not contains_bsn(value)


class _ServiceHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The service's own handler: replaced on reconfiguration, others' handlers are kept."""


def log_handler(stream: TextIO, style: str) -> logging.Handler:
    handler = _ServiceHandler(stream)
    handler.addFilter(CorrelationIdFilter(default_value="-"))
    if style == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
                rename_fields={
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                    "correlation_id": "request_id",
                },
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"
            )
        )
    return handler


def configure_logging(level: str, style: str) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    for handler in [h for h in root.handlers if isinstance(h, _ServiceHandler)]:
        root.removeHandler(handler)
    root.addHandler(log_handler(sys.stderr, style))
    # uvicorn's own access line knows no request id or route: RequestLogMiddleware's replaces it.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


class RequestLogMiddleware:
    """One line per request: method, route template (never the path: it may hold ids),
    status and duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "(no route)"
            access_logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )


# For asgi_correlation_id.CorrelationIdMiddleware: echo an acceptable incoming id.
REQUEST_ID_OPTIONS: dict[str, Any] = {
    "header_name": "X-Request-ID",
    "validator": acceptable_request_id,
}
