"""Signing in with an API client's token (exchanged for a session cookie) and out."""

import secrets
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.deps import SessionDep
from app.middleware.rate_limit import Budget, address_key
from app.routers.workbench.common import (
    COOKIE_PATH,
    SESSION_COOKIE,
    CsrfField,
    SignedIn,
    page_router,
    render,
    set_cookie,
)
from app.services.access import web_sessions

router = page_router()

LOGIN_CSRF_COOKIE = "wk_login_csrf"


def to_sign_in(request: Request, exc: Exception) -> Response:
    return RedirectResponse(f"{COOKIE_PATH}/inloggen", status_code=303)


@router.get("/inloggen", response_class=HTMLResponse)
def sign_in_page(request: Request) -> Response:
    return _login_page(request)


def _login_page(request: Request, message: str | None = None, status: int = 200) -> Response:
    """The form, with a fresh CSRF token for the double submit (cookie and field)."""
    csrf = secrets.token_urlsafe(32)
    page = render(request, None, "login.html", csrf=csrf, message=message)
    page.status_code = status
    set_cookie(page, request, LOGIN_CSRF_COOKIE, csrf, 600)
    return page


@router.post("/inloggen", response_class=HTMLResponse)
def sign_in(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form(max_length=200)],
    csrf: CsrfField,
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf):
        return _login_page(request, "De sessie van dit formulier is verlopen; probeer opnieuw.")
    started = web_sessions.sign_in(session, token.strip(), datetime.now(UTC))
    if started is None:
        return _refused(request)
    session_id, principal = started
    answer = RedirectResponse(landing_page(principal.scopes), status_code=303)
    set_cookie(answer, request, SESSION_COOKIE, session_id, int(web_sessions.IDLE.total_seconds()))
    answer.delete_cookie(LOGIN_CSRF_COOKIE, path=COOKIE_PATH)
    return answer


# The first page a client may see, by the first scope it holds.
LANDING = {
    "kpi:read": f"{COOKIE_PATH}/",
    "audit:read": f"{COOKIE_PATH}/werklijst",
    "admin": f"{COOKIE_PATH}/beheer/clients",
    "events:write": f"{COOKIE_PATH}/beheer/waarden",
}


def landing_page(scopes: Collection[str]) -> str:
    return next((page for scope, page in LANDING.items() if scope in scopes), LANDING["kpi:read"])


def _refused(request: Request) -> Response:
    """As the API answers a wrong token: 401, or 429 once this address has spent the budget
    of failed authentications it shares with the API (a guesser gains nothing by switching
    between the form and the bearer header). A valid token is never refused for another's
    failures."""
    failures: Budget = request.app.state.failed_authentications
    address = address_key(request)
    if failures.exhausted(address):
        wait = failures.retry_after(address)
        message = f"Te veel mislukte pogingen; probeer het over {wait} seconden opnieuw."
        page = _login_page(request, message, 429)
        page.headers["Retry-After"] = str(wait)
        return page
    failures.hit(address)
    return _login_page(request, "Dit token is onbekend of ingetrokken.", 401)


@router.post("/uitloggen")
def sign_out(
    request: Request,
    session: SessionDep,
    visitor: SignedIn,
    csrf: CsrfField,
) -> Response:
    # Whatever the form token: the cookie is deleted, so the server's session must end with
    # it, or the old cookie would still sign in. A forged sign-out (the cookie is
    # SameSite=Strict, so hardly possible) costs a sign-in; a sign-out that leaves the
    # session alive costs its protection.
    del csrf
    web_sessions.sign_out(session, request.cookies.get(SESSION_COOKIE, ""))
    answer = RedirectResponse(f"{COOKIE_PATH}/inloggen", status_code=303)
    answer.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return answer
