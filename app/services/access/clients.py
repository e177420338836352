"""API clients: creation with a token shown once, rotation, revocation, authentication."""

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.reach import Reach
from app.errors import Forbidden, InvalidInput, NotFound
from app.models import ApiClient
from app.schemas.problem import InvalidParam

SCOPES = ("events:write", "kpi:read", "audit:read", "admin")
TOKEN_PREFIX = "wk_"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as routes see it."""

    client_id: str
    name: str
    scopes: frozenset[str]
    municipality: str | None
    teams: tuple[str, ...] | None = None
    # The municipality a regional (unlimited) client asked to read, if it asked.
    reading: str | None = None

    @property
    def reach(self) -> Reach:
        return Reach.of(self.scopes, self.municipality, self.teams)


def reach_of(client: ApiClient) -> Reach:
    return Reach.of(client.scopes, client.municipality, client.teams)


def token_hash(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough, nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _check_scopes(scopes: Sequence[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise InvalidInput(
            "unknown or missing scopes",
            invalid_params=[
                InvalidParam(
                    name="scopes", code="enum", reason=f"one or more of {', '.join(SCOPES)}"
                )
            ],
        )
    return sorted(set(scopes))


def create_client(
    session: Session,
    name: str,
    scopes: Sequence[str],
    municipality: str | None,
    teams: Sequence[str] | None = None,
    granted_by: Reach | None = None,
) -> tuple[ApiClient, str]:
    """A new client and its token; the token is returned here and never again.

    `granted_by` is the reach of the admin client asking (None: the operator's command
    line); it must cover what it grants.
    """
    wanted = Reach.of(_check_scopes(scopes), municipality, teams)
    if granted_by is not None and not granted_by.covers(wanted):
        raise Forbidden(granted_by.why_not(wanted))
    token = _new_token()
    client = ApiClient(
        id=str(uuid.uuid4()),
        name=name,
        scopes=_check_scopes(scopes),
        municipality=municipality,
        teams=sorted(set(teams)) if teams else None,
        token_sha256=token_hash(token),
        token_hint=token[:10],
        created_at=datetime.now(UTC),
    )
    session.add(client)
    session.flush()
    return client, token


def get_client(session: Session, client_id: str, managed_by: Reach | None = None) -> ApiClient:
    """A client the asking admin covers; any other is 'not found' to it."""
    client = session.get(ApiClient, client_id)
    if client is None or (managed_by is not None and not managed_by.covers(reach_of(client))):
        raise NotFound(f"no client {client_id!r}")
    return client


def list_clients(session: Session, managed_by: Reach | None = None) -> list[ApiClient]:
    query = select(ApiClient).order_by(ApiClient.created_at)
    if managed_by is not None and managed_by.municipality is not None:
        query = query.where(ApiClient.municipality == managed_by.municipality)
    clients = session.execute(query).scalars()
    return [c for c in clients if managed_by is None or managed_by.covers(reach_of(c))]


def rotate_token(
    session: Session, client_id: str, managed_by: Reach | None = None
) -> tuple[ApiClient, str]:
    client = get_client(session, client_id, managed_by)
    token = _new_token()
    client.token_sha256, client.token_hint = token_hash(token), token[:10]
    client.rotated_at = datetime.now(UTC)
    session.flush()
    return client, token


def revoke(session: Session, client_id: str, managed_by: Reach | None = None) -> ApiClient:
    client = get_client(session, client_id, managed_by)
    client.revoked_at = client.revoked_at or datetime.now(UTC)
    session.flush()
    return client


def authenticate(session: Session, token: str) -> Principal | None:
    client = session.execute(
        select(ApiClient).where(ApiClient.token_sha256 == token_hash(token))
    ).scalar_one_or_none()
    if client is None or client.revoked_at is not None:
        return None
    return principal_of(client)


def principal_of(client: ApiClient) -> Principal:
    teams = tuple(client.teams) if client.teams else None
    return Principal(client.id, client.name, frozenset(client.scopes), client.municipality, teams)


def has_clients(session: Session) -> bool:
    return bool(session.execute(select(func.count()).select_from(ApiClient)).scalar_one())
