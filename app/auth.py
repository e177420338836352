"""Who is calling: bearer tokens of known clients, and the scope each route needs."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.deps import SettingsDep
from app.domain.kpis.rounding import Rounding
from app.errors import Forbidden, Unauthorized
from app.services.access.access_log import record_access
from app.services.access.clients import Principal
from app.settings import Settings

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
                max_length=4,
                pattern=r"^[0-9]{4}$",
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


@dataclass(frozen=True)
class Caller:
    """The client behind a request, the municipality it reads, and the route it called (the
    template, as the access log records it)."""

    principal: Principal
    municipality: str
    method: str
    route: str
    query: dict[str, str]

    @property
    def teams(self) -> tuple[str, ...] | None:
        return self.principal.teams

    @property
    def reads_cases(self) -> bool:
        """Whether it may read case-level data (audit:read): trajectories, drill-downs."""
        return "audit:read" in self.principal.scopes

    def rounding(self, settings: Settings) -> Rounding | None:
        """How this client's figures are rounded: not at all for a reader of cases (it sees
        them anyway), keyed random rounding for a reader of figures only."""
        return None if self.reads_cases else settings.rounding()

    @property
    def signature(self) -> str:
        """Who did it, as samples and review judgements record it."""
        return f"{self.principal.name} ({self.principal.client_id})"

    def log_read(
        self, session: Session, trajectory_ids: Iterable[str], *, with_query: bool = False
    ) -> None:
        """Every read of case-level data lands in the access log, in the request's transaction."""
        query = self.query if with_query else None
        record_access(
            session,
            self.principal,
            self.municipality,
            self.method,
            self.route,
            trajectory_ids,
            query,
        )


def _caller(guard: ScopeGuard) -> Callable[..., Caller]:
    def caller(
        request: Request,
        principal: Annotated[Principal, Depends(guard)],
        settings: SettingsDep,
    ) -> Caller:
        return caller_from(request, principal, settings)

    return caller


def caller_from(request: Request, principal: Principal, settings: SettingsDep) -> Caller:
    # Routers are mounted under the base path, so the route's own path is the template
    # without it: "/trajectories/{trajectoryId}".
    return Caller(
        principal=principal,
        municipality=_municipality_of(principal, settings),
        method=request.method,
        route=request.scope["route"].path,
        query=dict(request.query_params),
    )


def _municipality_of(principal: Principal, settings: SettingsDep) -> str:
    """The municipality a client reads: its own, the one it named, or the service's default."""
    return principal.municipality or principal.reading or settings.default_municipality


EventWriter = Annotated[Caller, Depends(_caller(ScopeGuard("events:write")))]
KpiReader = Annotated[Caller, Depends(_caller(ReadGuard("kpi:read")))]
Auditor = Annotated[Caller, Depends(_caller(ReadGuard("audit:read")))]
Admin = Annotated[Caller, Depends(_caller(ScopeGuard("admin")))]
LogReader = Annotated[Caller, Depends(_caller(ReadGuard("audit:read", "admin")))]
