"""Who is calling: bearer tokens of known clients, and the scope each route needs."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.deps import SessionDep, SettingsDep
from app.errors import Forbidden, Unauthorized
from app.services.clients import Principal, authenticate

bearer = HTTPBearer(auto_error=False, description="The token of an API client (`wk_...`).")


class ScopeGuard:
    """A dependency that admits a client holding any of `scopes`; kept inspectable for tests."""

    def __init__(self, *scopes: str) -> None:
        self.scopes = scopes

    def __call__(
        self,
        request: Request,
        session: SessionDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        if credentials is None:
            raise Unauthorized("send `Authorization: Bearer <token>` of an API client")
        principal = authenticate(session, credentials.credentials)
        if principal is None:
            raise Unauthorized("the token is unknown or revoked")
        if not principal.scopes.intersection(self.scopes):
            raise Forbidden(f"this operation needs the scope {' or '.join(self.scopes)}")
        request.state.principal = principal
        return principal


EventWriter = Annotated[Principal, Depends(ScopeGuard("events:write"))]
KpiReader = Annotated[Principal, Depends(ScopeGuard("kpi:read"))]
Auditor = Annotated[Principal, Depends(ScopeGuard("audit:read"))]
Admin = Annotated[Principal, Depends(ScopeGuard("admin"))]
LogReader = Annotated[Principal, Depends(ScopeGuard("audit:read", "admin"))]


def municipality_of(principal: Principal, settings: SettingsDep) -> str:
    """The municipality a client reads: its own, or the service's default for regional clients."""
    return principal.municipality or settings.default_municipality
