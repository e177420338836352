"""The service's errors, one hierarchy, each rendered as RFC 9457 problem+json."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.schemas.problem import InvalidParam

PROBLEM_BASE = "https://wijkteam-kpi.example/problems/"


@dataclass
class ServiceError(Exception):
    detail: str
    status: int = 500
    title: str = "Internal error"
    slug: str = "internal"
    invalid_params: Sequence[InvalidParam] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.slug


@dataclass
class InvalidInput(ServiceError):
    status: int = 400
    title: str = "Invalid input"
    slug: str = "invalid-input"


@dataclass
class NotFound(ServiceError):
    status: int = 404
    title: str = "Not found"
    slug: str = "not-found"


@dataclass
class Conflict(ServiceError):
    status: int = 409
    title: str = "Conflict"
    slug: str = "conflict"


@dataclass
class NotEnoughData(ServiceError):
    """The request is sound, but what is stored cannot answer it honestly (a forecast
    without the history it needs): said instead of guessed."""

    status: int = 422
    title: str = "Not enough data"
    slug: str = "not-enough-data"


@dataclass
class ServiceUnavailable(ServiceError):
    status: int = 503
    title: str = "Service unavailable"
    slug: str = "unavailable"


DATABASE_RETRY_AFTER_SECONDS = 5


def database_away() -> ServiceUnavailable:
    """A database that does not answer (connection lost, pool exhausted, SQLite busy):
    nothing was stored, and the client retries shortly."""
    return ServiceUnavailable(
        "the database does not answer; nothing was stored, retry later",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


@dataclass
class Unauthorized(ServiceError):
    status: int = 401
    title: str = "Unauthorized"
    slug: str = "unauthorized"
    headers: dict[str, str] = field(default_factory=lambda: {"WWW-Authenticate": "Bearer"})


@dataclass
class Forbidden(ServiceError):
    status: int = 403
    title: str = "Forbidden"
    slug: str = "forbidden"
