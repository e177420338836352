"""Who is calling, decided before any body or query is parsed.

Every route under the API base path but the public ones (health probes, the OpenAPI
document and its docs page) needs a bearer token of a known, unrevoked client; without
one the answer is 401 at once, the body unread. Failed attempts are counted per address
on a budget of their own, so guessing tokens is throttled without touching the budget of
clients that authenticate. The principal found is handed to the routers' guards, which
only check scopes and limits.
"""

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import PROBLEM_BASE
from app.middleware.rate_limit import Budget, address_key, too_many
from app.problems import problem_response
from app.services.access.clients import Principal, authenticate

API_PREFIX = "/api/v1/"
PUBLIC_PATHS = frozenset(
    {
        "/api/v1/health/live",
        "/api/v1/health/ready",
        "/api/v1/openapi.json",
        "/api/v1/docs",
        "/api/v1/docs/oauth2-redirect",
        "/api/v1/redoc",
        "/api/v1/redoc.js",
    }
)
DOCS_ASSETS = "/api/v1/docs/assets"


def needs_token(scope: Scope) -> bool:
    path: str = scope["path"]
    public = path in PUBLIC_PATHS or path.startswith(DOCS_ASSETS + "/")
    return path.startswith(API_PREFIX) and not public and scope["method"] != "OPTIONS"


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return token


def _lookup(sessions: sessionmaker[Session], token: str) -> Principal | None:
    with sessions() as session:
        return authenticate(session, token)


class AuthenticationMiddleware:
    def __init__(self, app: ASGIApp, failures: Budget) -> None:
        self.app = app
        self.failures = failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not needs_token(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = bearer_token(request.headers.get("authorization"))
        principal = None
        if token is not None:
            principal = await run_in_threadpool(_lookup, scope["state"]["sessions"], token)
        if principal is None:
            # Only failures spend this budget: valid clients behind the same proxy address
            # are never refused because another guessed.
            address = address_key(request)
            if self.failures.exhausted(address):
                response = too_many(request, self.failures, address, "failed authentications")
            else:
                self.failures.hit(address)
                response = problem_response(
                    request,
                    401,
                    "send `Authorization: Bearer <token>` of an API client"
                    if token is None
                    else "the token is unknown or revoked",
                    title="Unauthorized",
                    type_uri=PROBLEM_BASE + "unauthorized",
                    headers={"WWW-Authenticate": "Bearer", **self.failures.headers(address)},
                )
            await response(scope, receive, send)
            return
        scope["state"]["principal"] = principal
        await self.app(scope, receive, send)
