"""Logging: one JSON object per line, each carrying the id of the request it belongs to
(the request's own line is written by `app/middleware/request_log.py`).

The request id is accepted from `X-Request-ID` (when it looks like an id, and never a
BSN), else made up, and echoed in the response (asgi-correlation-id). Every log record
written while a request runs carries it, so one request's lines can be found together.
"""

import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from asgi_correlation_id import CorrelationIdFilter, correlation_id
from pythonjsonlogger.json import JsonFormatter

from app.domain.bsn import contains_bsn

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def acceptable_request_id(value: str) -> bool:
    return bool(_REQUEST_ID.match(value)) and not contains_bsn(value)


class _ServiceHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The service's own handler: replaced on reconfiguration, others' handlers are kept."""


class _UtcJsonFormatter(JsonFormatter):
    """Times as RFC 3339 in UTC (2026-12-06T13:07:54.123Z), as log collectors read them,
    whatever the server's zone; uvicorn's `color_message` (ANSI codes) left out."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = datetime.fromtimestamp(record.created, UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data.pop("color_message", None)


def log_handler(stream: TextIO, style: str) -> logging.Handler:
    handler = _ServiceHandler(stream)
    handler.addFilter(CorrelationIdFilter(default_value="-"))
    if style == "json":
        handler.setFormatter(
            _UtcJsonFormatter(
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


def current_request_id() -> str | None:
    """The id of the request this code runs for, if any."""
    return correlation_id.get()


def carry_request_id(request_id: str | None) -> None:
    """Work done elsewhere for a request (the ingest worker) logs under that request's id."""
    correlation_id.set(request_id)


# For asgi_correlation_id.CorrelationIdMiddleware: echo an acceptable incoming id.
REQUEST_ID_OPTIONS: dict[str, Any] = {
    "header_name": "X-Request-ID",
    "validator": acceptable_request_id,
}
