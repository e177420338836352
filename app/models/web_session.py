"""A signed-in browser of the workbench: an API client's session, kept in the database so
any process behind the load balancer can serve it."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime


class WebSession(Base):
    """Only the cookie's SHA-256 is stored; the client is looked up on every request, so a
    revoked client or a changed team limit takes effect at once."""

    __tablename__ = "web_sessions"

    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
