"""Workbench sessions: an API client's token exchanged for a short-lived browser session.

The browser holds a random session id in an HttpOnly, SameSite=Strict cookie; the
database holds its SHA-256, the client it belongs to, a CSRF token for the session's
forms and when it expires (idle timeout, renewed on use). The client is read on every
request, so revoking it or changing its limits ends or narrows its sessions at once.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.models import ApiClient, WebSession
from app.services.access.clients import Principal, authenticate, principal_of

IDLE = timedelta(minutes=30)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def sign_in(session: Session, token: str, now: datetime) -> tuple[str, Principal] | None:
    """A new session id for the token's client, or None for an unknown or revoked token."""
    principal = authenticate(session, token)
    if principal is None:
        return None
    session_id = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id_sha256=_digest(session_id),
            client_id=principal.client_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + IDLE,
        )
    )
    # Sessions that ran out are removed on the way, so the table stays small.
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    return session_id, principal


def resume(session: Session, session_id: str, now: datetime) -> tuple[Principal, str] | None:
    """The signed-in client and the session's CSRF token; the idle timeout restarts."""
    row = session.get(WebSession, _digest(session_id))
    if row is None or row.expires_at <= now:
        return None
    client = session.get(ApiClient, row.client_id)
    if client is None or client.revoked_at is not None:
        return None
    row.expires_at = now + IDLE
    return principal_of(client), row.csrf_token


def sign_out(session: Session, session_id: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_sha256 == _digest(session_id)))
