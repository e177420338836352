"""Who is calling: bearer tokens of known clients, and the scope each route needs."""

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.deps import SettingsDep
from app.errors import Forbidden, Unauthorized
from app.services.clients import Principal

bearer = HTTPBearer(auto_error=False, description="The token of an API client (`wk_...`).")


class ScopeGuard:
    """A dependency that admits a client holding any of `scopes`; kept inspectable for tests."""

    def __init__(self, *scopes: str) -> None:
        self.scopes = scopes

    def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        # The authentication middleware has found the client before anything was parsed;
        # `credentials` is here so the OpenAPI document shows the bearer scheme.
        principal: Principal | None = getattr(request.state, "principal", None)
        if principal is None:
            raise Unauthorized("send `Authorization: Bearer <token>` of an API client")
        if not principal.scopes.intersection(self.scopes):
            raise Forbidden(f"this operation needs the scope {' or '.join(self.scopes)}")
        return principal


class ReadGuard(ScopeGuard):
    """A ScopeGuard for reads, where a regional client may name the municipality it reads."""

    def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        municipality: Annotated[
            str | None,
            Query(
                pattern=r"^\d{4}$",
                description="Gemeentecode to read, for clients serving several municipalities.",
            ),
        ] = None,
    ) -> Principal:
        principal = super().__call__(request, credentials)
        if municipality is None:
            return principal
        if principal.municipality is not None and municipality != principal.municipality:
            raise Forbidden(f"this client reads municipality {principal.municipality} only")
        return replace(principal, reading=municipality)


EventWriter = Annotated[Principal, Depends(ScopeGuard("events:write"))]
KpiReader = Annotated[Principal, Depends(ReadGuard("kpi:read"))]
Auditor = Annotated[Principal, Depends(ReadGuard("audit:read"))]
Admin = Annotated[Principal, Depends(ScopeGuard("admin"))]
LogReader = Annotated[Principal, Depends(ReadGuard("audit:read", "admin"))]


def municipality_of(principal: Principal, settings: SettingsDep) -> str:
    """The municipality a client reads: its own, the one it named, or the service's default."""
    return principal.municipality or principal.reading or settings.default_municipality
