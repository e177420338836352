"""Subscriptions and their dead letters on the wire."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from app.domain.audit import RULES_BY_ID
from app.domain.notifications import NotificationType
from app.domain.vocabulary import LawDomain
from app.schemas.base import ApiModel, Code

RuleId = Annotated[str, Field(pattern="^(" + "|".join(RULES_BY_ID) + ")$", max_length=32)]
# A host of ASCII letters, digits, dots and dashes (an IDN in its xn-- form) or an IPv6
# literal, an optional port, and a path of visible ASCII.
CALLBACK_PATTERN = r"^https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?(/[!-~]*)?$"


class SubscriptionRequest(ApiModel):
    callback_url: str = Field(
        max_length=2048,
        pattern=CALLBACK_PATTERN,
        description="Where the notifications are POSTed: https (outside development), never "
        "a host inside the network unless CALLBACK_ALLOWED_HOSTS names it.",
    )
    types: list[NotificationType] = Field(min_length=1, max_length=len(NotificationType))
    teams: Annotated[list[Code] | None, Field(min_length=1, max_length=64)] = Field(
        default=None, description="Only these teams' trajectories (within the client's limit)."
    )
    domains: Annotated[list[LawDomain] | None, Field(min_length=1, max_length=16)] = Field(
        default=None, description="Only trajectories of these domains (not for figures)."
    )
    rules: Annotated[list[RuleId] | None, Field(min_length=1, max_length=16)] = Field(
        default=None, description="Only findings and terms of these audit rules."
    )
    due_within_working_days: int = Field(
        default=3,
        ge=1,
        le=30,
        description="term.due-soon: told once when a term is this many working days away "
        "(Algemene termijnenwet: no weekend or Atw day) or fewer.",
    )
    client_id: str | None = Field(
        default=None,
        max_length=36,
        pattern=r"^[0-9a-f-]{36}$",
        description="The API client whose scopes, municipality and teams limit what the "
        "subscription hears (default: the calling client).",
    )


class SubscriptionView(ApiModel):
    id: str
    municipality: str
    client_id: str
    callback_url: str
    types: list[NotificationType]
    teams: list[str] | None
    domains: list[str] | None
    rules: list[str] | None
    due_within_working_days: int
    created_at: datetime


class SubscriptionCreated(SubscriptionView):
    secret: str = Field(
        description="The Standard Webhooks signing key (`whsec_` + base64), shown once: "
        "verify each delivery's `webhook-signature` with it."
    )


class DeadLetterView(ApiModel):
    id: str = Field(description="The notification's id: its `webhook-id` and CloudEvents `id`.")
    type: NotificationType
    created_at: datetime
    attempts: int
    last_error: str | None
    cloud_event: dict[str, Any] = Field(description="The CloudEvent as it was sent.")
