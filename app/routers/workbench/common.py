"""What every workbench page shares: the templates, who is signed in (authorised by the
API's own ScopeGuard and Caller), the CSRF check of forms, and the default period."""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.templating import Jinja2Templates

from app.auth import Caller, ScopeGuard, caller_from
from app.deps import SessionDep, SettingsDep
from app.domain.calendar import local_today
from app.errors import Forbidden
from app.routers.freshness import validate
from app.routers.workbench import present
from app.schemas.base import CODE_PATTERN, IsoDate
from app.services.access import web_sessions

templates = Jinja2Templates(directory=Path(__file__).resolve().parents[2] / "templates")
templates.env.filters.update(present.filters())

SESSION_COOKIE = "wk_session"
COOKIE_PATH = "/werkbank"


def page_router() -> APIRouter:
    """A router of pages; each carries the full path, so the access log names the page
    (/werkbank/werklijst) and not only its last part."""
    return APIRouter(prefix=COOKIE_PATH, include_in_schema=False)


class SignInRequired(Exception):
    """No (live) session: the browser is sent to the sign-in page."""


@dataclass(frozen=True)
class Visitor:
    caller: Caller
    csrf: str


def _visitor(scope: str | None) -> Callable[..., Visitor]:
    """Who is signed in; with `scope`, the API's guard for that scope decides too."""
    guard = ScopeGuard(scope) if scope else None

    def visitor(request: Request, session: SessionDep, settings: SettingsDep) -> Visitor:
        session_id = request.cookies.get(SESSION_COOKIE)
        resumed = (
            web_sessions.resume(session, session_id, datetime.now(UTC)) if session_id else None
        )
        if resumed is None:
            raise SignInRequired
        principal, csrf = resumed
        # The API's own guard decides, on the principal the session stands for.
        request.state.principal = principal
        if guard is not None:
            guard(request, None)
        return Visitor(caller_from(request, principal, settings), csrf)

    return visitor


KpiVisitor = Annotated[Visitor, Depends(_visitor("kpi:read"))]
AuditVisitor = Annotated[Visitor, Depends(_visitor("audit:read"))]
AdminVisitor = Annotated[Visitor, Depends(_visitor("admin"))]
WriterVisitor = Annotated[Visitor, Depends(_visitor("events:write"))]
SignedIn = Annotated[Visitor, Depends(_visitor(None))]  # any client may sign out


# A code a page filters on (team, wijk, domain), or "" for every one, as a form's
# "alle ..." option sends it.
OptionalCode = Annotated[str, Query(max_length=64, pattern=f"^$|{CODE_PATTERN}")]

# Free text a form takes (notes, comments): tab and newlines, no other control character.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

# The hidden field every form posts back: the session's CSRF token (check_csrf compares it).
CsrfField = Annotated[str, Form(max_length=100)]


def _fresh_page(request: Request, session: SessionDep, visitor: Visitor) -> None:
    """The API's cache validator for a page of figures: a browser that reloads a page whose
    data, settings and day have not changed gets 304 at once. The page also carries who is
    signed in and the session's form token, so those are part of it too."""
    validate(
        request,
        visitor.caller,
        session,
        {
            "client": visitor.caller.principal.client_id,
            "form": hashlib.sha256(visitor.csrf.encode()).hexdigest(),
        },
    )


def _fresh_kpi_page(request: Request, session: SessionDep, visitor: KpiVisitor) -> None:
    _fresh_page(request, session, visitor)


def _fresh_audit_page(request: Request, session: SessionDep, visitor: AuditVisitor) -> None:
    _fresh_page(request, session, visitor)


# After CurrentProjection in a page's dependencies (a 503 is never a 304). Only pages of
# aggregates: a page with case-level data stays no-store and is logged on every view.
FreshKpiPage = Depends(_fresh_kpi_page)
FreshAuditPage = Depends(_fresh_audit_page)


def render(request: Request, visitor: Visitor | None, template: str, **context: Any) -> Response:
    """A page in the workbench's frame (menu, who is signed in, the sign-out form)."""
    frame = {"caller": visitor.caller if visitor else None, "csrf": visitor.csrf if visitor else ""}
    page = templates.TemplateResponse(request, f"workbench/{template}", {**frame, **context})
    page.headers.update(PAGE_HEADERS)
    return page


# Pages load only the service's own stylesheet and their charts as data: images (SVG, drawn
# by the server); no script, no frame, forms post home.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def set_cookie(response: Response, request: Request, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def check_csrf(visitor: Visitor, csrf: str) -> None:
    if not secrets.compare_digest(visitor.csrf, csrf):
        raise Forbidden("this form is no longer valid; reload the page and submit it again")


# A page's period as asked, in the API's own date type: the years the service handles
# (1900-2199), nothing else.
From = Annotated[IsoDate | None, Query(alias="from")]
To = Annotated[IsoDate | None, Query(alias="to")]


def period_or_this_year(start: date | None, end: date | None) -> tuple[date, date]:
    """The period a page shows: as asked (either order), else this year up to today."""
    today = local_today()
    first, last = start or date(today.year, 1, 1), end or today
    return (first, last) if first <= last else (last, first)
