"""Cache validators: an `ETag` on figures, the catalogue and audit summaries, and `304 Not
Modified` when the client already holds the answer.

The validator is a digest of everything the answer depends on: the municipality's data
version (moved by every write that changes a figure), the caller's municipality and team
limits, the settings a figure depends on, the code's version, today's date (open terms and
re-entry windows are judged on it) and the request itself (path, query, representation).
It is computed before the answer, so a write that lands meanwhile can only make the
validator older than the data, never newer.
"""

import hashlib
from typing import Any

import orjson
from fastapi import Depends, Request, Response

from app import API_VERSION
from app.auth import Auditor, Caller, KpiReader
from app.deps import SessionDep
from app.domain.calendar import local_today
from app.middleware.headers import CACHE_HEADERS
from app.services.storage import data_version


class NotModified(Exception):
    def __init__(self, etag: str) -> None:
        self.etag = etag


def not_modified(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotModified)
    return Response(status_code=304, headers={"ETag": exc.etag, **CACHE_HEADERS})


def validate(
    request: Request, caller: Caller, session: SessionDep, extra: dict[str, Any] | None = None
) -> None:
    """Sets the answer's ETag, or raises NotModified when the client holds it already.
    `extra` names what else the answer depends on (a workbench page: who is signed in)."""
    parts = {
        "version": data_version.current(session, caller.municipality),
        "municipality": caller.municipality,
        "teams": sorted(caller.teams) if caller.teams is not None else None,
        "rounded": caller.rounding(request.state.settings) is not None,
        # Both computed once at start-up, not per request (app state, see app/main.py).
        "settings": request.state.figure_fingerprint,
        "code": [API_VERSION, request.state.projection_gate.version],
        "today": local_today().isoformat(),
        "path": request.url.path,
        "query": sorted(request.query_params.multi_items()),
        "accept": request.headers.get("accept", ""),
        "language": request.headers.get("accept-language", ""),
        **(extra or {}),
    }
    digest = hashlib.sha256(orjson.dumps(parts)).hexdigest()[:32]
    etag = f'"{digest}"'
    request.state.etag = etag
    held = _listed(request.headers.get("if-none-match"))
    if etag in held or "*" in held:
        raise NotModified(etag)


def _listed(header: str | None) -> set[str]:
    """The entity tags of If-None-Match; weak ones compare equal to strong (RFC 9110 §13.1.2)."""
    if not header:
        return set()
    if header.strip() == "*":
        return {"*"}
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def _kpi_validator(request: Request, caller: KpiReader, session: SessionDep) -> None:
    validate(request, caller, session)


def _audit_validator(request: Request, caller: Auditor, session: SessionDep) -> None:
    validate(request, caller, session)


NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {
        "description": "Not modified: the `ETag` sent in `If-None-Match` is still current "
        "(no event, target, reported value or setting has changed the answer since).",
        "headers": {"ETag": {"schema": {"type": "string"}}},
    }
}

# Put after the projection check in a route's dependencies: a 503 is never a 304.
KpiValidated = Depends(_kpi_validator)
AuditValidated = Depends(_audit_validator)
