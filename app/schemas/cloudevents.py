"""CloudEvents in: an event posted as a CloudEvent 1.0 (structured `application/
cloudevents+json`, a batch as `application/cloudevents-batch+json`, or binary mode with
`ce-` headers) is taken as our own event: `id` → eventId, `subject` → trajectoryId, `type`
→ our type after the prefix, `time` → occurredAt, `data` → data, `source` kept with it,
the extension `municipality` → municipality. From there the same validation, idempotency
and errors apply."""

import uuid
from collections.abc import Mapping
from typing import Any

STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
TYPE_PREFIX = "nl.wijkteam-kpi.event."  # nl.wijkteam-kpi.event.trajectory.opened, ...
REQUIRED = ("specversion", "id", "source", "type", "subject", "time")
# Event ids that are no UUID become one derived from (source, id): the same CloudEvent
# posted again is the same event.
NAMESPACE = uuid.UUID("0b6c1b4e-6f0f-5a5e-9d3c-7a1f4c2e8d10")


class Malformed(ValueError):
    """Not a CloudEvent we can take; `attribute` names what is wrong."""

    def __init__(self, attribute: str, reason: str) -> None:
        super().__init__(reason)
        self.attribute, self.reason = attribute, reason


def to_event(cloud_event: Any) -> dict[str, Any]:
    if not isinstance(cloud_event, Mapping):
        raise Malformed("", "a CloudEvent is a JSON object")
    for attribute in REQUIRED:
        value = cloud_event.get(attribute)
        if not isinstance(value, str) or not value:
            raise Malformed(attribute, "required, a non-empty string")
    if cloud_event["specversion"] != "1.0":
        raise Malformed("specversion", "only CloudEvents 1.0 is taken")
    kind = cloud_event["type"]
    if not kind.startswith(TYPE_PREFIX):
        raise Malformed("type", f"an event type of this service starts with {TYPE_PREFIX}")
    content = cloud_event.get("datacontenttype", "application/json")
    if not isinstance(content, str) or content.split(";")[0].strip() != "application/json":
        raise Malformed("datacontenttype", "data must be JSON (application/json)")
    event: dict[str, Any] = {
        "eventId": _event_id(cloud_event["source"], cloud_event["id"]),
        "trajectoryId": cloud_event["subject"],
        "type": kind.removeprefix(TYPE_PREFIX),
        "occurredAt": cloud_event["time"],
        "data": cloud_event.get("data", {}),
        "source": cloud_event["source"],
    }
    if "municipality" in cloud_event:
        event["municipality"] = cloud_event["municipality"]
    return event


def from_binary(headers: Mapping[str, str], data: Any) -> dict[str, Any]:
    """Binary mode: the attributes in `ce-` headers, the data in the body."""
    attributes: dict[str, Any] = {
        name.lower().removeprefix("ce-"): value
        for name, value in headers.items()
        if name.lower().startswith("ce-")
    }
    attributes["datacontenttype"] = headers.get("content-type", "application/json")
    attributes["data"] = data
    return to_event(attributes)


def is_binary(headers: Mapping[str, str]) -> bool:
    return "ce-specversion" in headers


def _event_id(source: str, event_id: str) -> str:
    try:
        return str(uuid.UUID(event_id))
    except ValueError:
        return str(uuid.uuid5(NAMESPACE, f"{source}#{event_id}"))
