"""Notifications to the municipality's other systems, as plain data: which kinds there are,
how one is written as a CloudEvent (CloudEvents 1.0, structured JSON mode, the NL GOV
profile's attributes), when a failed delivery is tried again, and which callback addresses
the service may call at all.

Thin messages: ids and a link to read the details with the API (`dataref`), never case
data, so a subscriber learns nothing it could not read with its own client.
"""

import ipaddress
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from app.domain.atw import AtwCalendar

SPEC_VERSION = "1.0"
TYPE_PREFIX = "nl.wijkteam-kpi."


class NotificationType(StrEnum):
    """What a system can subscribe to (CloudEvents `type`, reverse-DNS)."""

    FIGURES_CHANGED = TYPE_PREFIX + "figures.changed"
    FINDINGS_CHANGED = TYPE_PREFIX + "trajectory.findings-changed"
    TERM_DUE_SOON = TYPE_PREFIX + "term.due-soon"  # within N working days, once per term
    TERM_MISSED = TYPE_PREFIX + "term.missed"  # its due date passed unmet, once per term
    TERM_AT_RISK = TYPE_PREFIX + "term.at-risk"  # likely to be missed (risk model), once


# The rules whose findings are legal terms with a due date.
TERM_RULES = ("assessment_term", "decision_term")


def source(municipality: str) -> str:
    """The CloudEvents `source`, a URN naming this service of this municipality."""
    return f"urn:nld:gemeente:{municipality}:wijkteam-kpi"


@dataclass(frozen=True)
class Notification:
    id: str
    type: NotificationType
    municipality: str
    subject: str  # the trajectoryId, or the gemeentecode for figures
    time: datetime
    dataref: str  # where the details are read (the API, with the subscriber's own client)
    data: dict[str, str]

    def cloud_event(self) -> dict[str, object]:
        """The message as sent: structured mode, `application/cloudevents+json`."""
        return {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": source(self.municipality),
            "type": self.type.value,
            "subject": self.subject,
            "time": self.time.isoformat(),
            "datacontenttype": "application/json",
            "dataref": self.dataref,
            "data": self.data,
        }


@dataclass(frozen=True)
class DeliveryPolicy:
    max_age: timedelta  # then a dead letter
    allowed_hosts: tuple[str, ...]  # inside the network, yet callable ("host" or "host:port")
    https_only: bool  # outside development, but for allowed hosts


def allowed(host: str, port: int, hosts: Iterable[str]) -> bool:
    named = {entry.strip().lower() for entry in hosts if entry.strip()}
    return host.lower() in named or f"{host.lower()}:{port}" in named


# Tried again after 30 s, 1, 2, 4 ... minutes, at most an hour apart, each with full jitter
# (so a receiver that comes back is not met by every sender at once); given up on after
# MAX_AGE (a dead letter, listed and redelivered on request).
FIRST_RETRY_SECONDS = 30
LONGEST_WAIT_SECONDS = 3600


def retry_after(attempts: int, rnd: random.Random) -> float:
    """Seconds to wait after the `attempts`-th failed attempt (1 = the first)."""
    ceiling = float(min(LONGEST_WAIT_SECONDS, FIRST_RETRY_SECONDS * 2 ** (attempts - 1)))
    return ceiling / 2 + rnd.uniform(0.0, ceiling / 2)


def refused_address(
    host: str, port: int, addresses: Iterable[str], allowed_hosts: Iterable[str]
) -> str | None:
    """Why a callback may not be called (server-side request forgery), or None: a host
    that resolves to a loopback, private, link-local (the cloud's metadata service),
    multicast, reserved or unspecified address is refused unless `allowed_hosts` names it
    (`host` or `host:port`)."""
    if allowed(host, port, allowed_hosts):
        return None
    found = list(addresses)
    if not found:
        return f"{host} does not resolve"
    for text in found:
        address = ipaddress.ip_address(text)
        if (
            address.is_loopback
            or address.is_private
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        ):
            return f"{host} resolves to {address}, an address inside the network"
    return None


def working_days_until(today: date, due_on: date, calendar: AtwCalendar) -> int:
    """Working days (Algemene termijnenwet: no Saturday, Sunday or Atw day) after today up
    to and including the due date: 1 when it is the next working day, 0 when it is today."""
    count, day = 0, today
    while day < due_on:
        day += timedelta(days=1)
        if calendar.rest_day(day) is None:
            count += 1
    return count
