"""Administering API clients (scope admin), and reading the access log (audit:read or admin)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from app.auth import Admin, LogReader
from app.deps import SessionDep, SettingsDep
from app.routers.params import ClientIdPath
from app.routers.route import ContractRoute
from app.schemas.base import IsoDate
from app.schemas.clients import (
    AccessLogPage,
    AccessLogView,
    ClientRequest,
    ClientView,
    ClientWithToken,
)
from app.services.access import clients
from app.services.access.access_log import AccessLogFilter, read_access_log

router = APIRouter(tags=["administration"], route_class=ContractRoute)


def _view(client: object) -> ClientView:
    return ClientView.model_validate(client, from_attributes=True)


def _with_token(client: object, token: str) -> ClientWithToken:
    return ClientWithToken(**_view(client).model_dump(), token=token)


@router.post(
    "/clients",
    response_model=ClientWithToken,
    status_code=status.HTTP_201_CREATED,
    summary="Create an API client; its token is shown once",
)
def create_client(body: ClientRequest, caller: Admin, session: SessionDep) -> ClientWithToken:
    """Create an API client with scopes and optional municipality and team limits; its token is
    in this answer only (the service keeps a hash). An admin grants only what it holds
    itself."""
    client, token = clients.create_client(
        session, body.name, body.scopes, body.municipality, body.teams, caller.principal.reach
    )
    return _with_token(client, token)


@router.get("/clients", response_model=list[ClientView], summary="All API clients")
def list_clients(caller: Admin, session: SessionDep) -> list[ClientView]:
    """The API clients this admin can manage (its reach): name, scopes, municipality, teams,
    state, never a token."""
    return [_view(c) for c in clients.list_clients(session, caller.principal.reach)]


@router.post(
    "/clients/{clientId}/rotate",
    response_model=ClientWithToken,
    responses={404: {}},
    summary="Issue a new token; the old one stops working",
)
def rotate(client_id: ClientIdPath, caller: Admin, session: SessionDep) -> ClientWithToken:
    """Issue a new token for a client; the old token stops working at once. The new token is in
    this answer only."""
    client, token = clients.rotate_token(session, client_id, caller.principal.reach)
    return _with_token(client, token)


@router.post(
    "/clients/{clientId}/revoke",
    response_model=ClientView,
    responses={404: {}},
    summary="Revoke a client: its token stops working",
)
def revoke(client_id: ClientIdPath, caller: Admin, session: SessionDep) -> ClientView:
    """Revoke a client: its token stops working at once; the client stays listed as revoked."""
    return _view(clients.revoke(session, client_id, caller.principal.reach))


@router.get("/access-log", response_model=AccessLogPage, summary="Who read which case-level data")
def access_log(
    request: Request,
    caller: LogReader,
    session: SessionDep,
    settings: SettingsDep,
    client_id: Annotated[str | None, Query(alias="clientId", max_length=36)] = None,
    trajectory_id: Annotated[
        str | None,
        Query(alias="trajectoryId", max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"),
    ] = None,
    start: Annotated[IsoDate | None, Query(alias="from")] = None,
    end: Annotated[IsoDate | None, Query(alias="to")] = None,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=1000)] = 100,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="From `next`.")] = None,
) -> AccessLogPage:
    """Who read which case-level data: client, time, route, query and the trajectory ids shown,
    newest first, filtered by trajectory, client and dates. No route changes it."""
    where = AccessLogFilter(
        caller.municipality,
        caller.teams,
        client_id,
        trajectory_id,
        start,
        end,
    )
    rows, last = read_access_log(session, where, page_size, before)
    return AccessLogPage(
        results=[AccessLogView.model_validate(r, from_attributes=True) for r in rows],
        next=str(request.url.include_query_params(before=last)) if last else None,
        next_before=last,
        page_size=page_size,
    )
