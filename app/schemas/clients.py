"""API clients and the access log on the wire. A token appears once: in the creation answer."""

from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import ConfigDict, Field

from app.schemas.base import ApiModel, Code, Gemeentecode, NoBsn

Scope = Literal["events:write", "kpi:read", "audit:read", "admin"]


# Letters of the Latin alphabets written in Dutch municipalities (accents included), digits
# and a few separators. Spelled out: Python's and Rust's \w take every script's letters,
# ECMAScript's (the OpenAPI document's reader) only ASCII, so the two refused different names.
CLIENT_NAME = r"^[0-9A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F_ .:()-]+$"


class ClientRequest(ApiModel):
    name: Annotated[str, NoBsn] = Field(min_length=1, max_length=100, pattern=CLIENT_NAME)
    scopes: list[Scope] = Field(min_length=1, max_length=len(get_args(Scope)))
    municipality: Gemeentecode | None = Field(
        default=None, description="Limit the client to this gemeentecode (recommended)."
    )
    teams: list[Code] | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Limit reads to these teams' trajectories.",
    )


class ClientView(ApiModel):
    id: str
    name: str
    scopes: list[str]
    municipality: str | None
    teams: list[str] | None
    token_hint: str = Field(description="The token's first characters, to recognise it.")
    created_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None


class ClientWithToken(ClientView):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "b1c2d3e4-5f60-4a7b-8c9d-0e1f2a3b4c5d",
                    "name": "Regsys wijkteam",
                    "scopes": ["events:write"],
                    "municipality": "0193",
                    "teams": None,
                    "tokenHint": "wk_Xy12",
                    "createdAt": "2026-11-30T10:00:00Z",
                    "rotatedAt": None,
                    "revokedAt": None,
                    "token": "wk_Xy12...(shown once)",
                }
            ]
        }
    )

    token: str = Field(description="Shown only now; the service keeps a hash.")


class AccessLogView(ApiModel):
    id: int
    at: datetime
    client_id: str
    client_name: str
    method: str
    route: str
    status: int
    trajectory_ids: list[str]
    query: dict[str, str] = Field(description="The query parameters as the client sent them.")


class AccessLogPage(ApiModel):
    results: list[AccessLogView]
    next: str | None = Field(description="URL of the next page, absent on the last page.")
    next_before: int | None = Field(
        default=None, description="The `before` of the next page (the same page as `next`)."
    )
    page_size: int
