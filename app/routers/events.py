"""POST /events and /events/batch: where case-registration systems deliver their events."""

from typing import Annotated, Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Body, Request, Response, status

from app.auth import EventWriter
from app.deps import BatchIngestDep, SessionDep, SettingsDep
from app.errors import InvalidInput
from app.problems import invalid_params_from
from app.routers.params import location
from app.routers.route import ContractRoute, StrictJsonRequest
from app.schemas import cloudevents
from app.schemas.bounds import MAX_DEPTH, too_deep
from app.schemas.events import BatchItemError, BatchResult, Event, EventAccepted
from app.schemas.problem import InvalidParam
from app.services.ingestion.events import Rejection, Sender, record_event


class EventsRoute(ContractRoute):
    """Takes events as CloudEvents too (app/schemas/cloudevents.py): a structured event, a
    batch of them, or binary mode, turned into our own format before anything parses it;
    a malformed CloudEvent is a 400 naming the attribute."""

    async def prepare(self, request: StrictJsonRequest) -> None:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        binary = cloudevents.is_binary(request.headers)
        if media not in (cloudevents.STRUCTURED, cloudevents.BATCH) and not binary:
            return
        try:
            parsed = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return  # the JSON parser's own 400 follows
        try:
            if binary:
                translated: Any = cloudevents.from_binary(request.headers, parsed)
            elif media == cloudevents.BATCH:
                translated = [_item(i, e) for i, e in enumerate(_listed(parsed))]
            else:
                translated = cloudevents.to_event(parsed)
        except cloudevents.Malformed as problem:
            raise InvalidInput(
                f"not a CloudEvent this service takes: {problem.attribute} {problem.reason}",
                invalid_params=[
                    InvalidParam(name=problem.attribute, code="cloudevent", reason=problem.reason)
                ],
            ) from problem
        request._body = orjson.dumps(translated)


def _listed(parsed: Any) -> list[Any]:
    if not isinstance(parsed, list):
        raise cloudevents.Malformed("", "a CloudEvents batch is a JSON array")
    return parsed


def _item(index: int, cloud_event: Any) -> dict[str, Any]:
    try:
        return cloudevents.to_event(cloud_event)
    except cloudevents.Malformed as problem:
        raise cloudevents.Malformed(f"[{index}].{problem.attribute}", problem.reason) from problem


router = APIRouter(prefix="/events", tags=["events"], route_class=EventsRoute)

_CLOUD_EVENT = {
    "type": "object",
    "description": "A CloudEvent 1.0 (structured mode) whose `type` is "
    f"`{cloudevents.TYPE_PREFIX}` + one of our event types, `subject` the trajectoryId, "
    "`time` when it happened, `data` as for that type; `source` is kept with the event. "
    "Binary mode (`ce-` headers, the data as the JSON body) is taken too.",
    "required": ["specversion", "id", "source", "type", "subject", "time"],
    "properties": {
        name: {"type": "string", "minLength": 1, "maxLength": 256}
        for name in ("specversion", "id", "source", "type", "subject", "time")
    },
}

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")


@router.post(
    "",
    response_model=EventAccepted,
    status_code=status.HTTP_201_CREATED,
    summary="Post one event (ours, or a CloudEvent)",
    openapi_extra={
        "requestBody": {"content": {"application/cloudevents+json": {"schema": _CLOUD_EVENT}}}
    },
    responses={
        200: {
            "model": EventAccepted,
            "description": "Already stored with the same body; nothing changed.",
        },
        403: {"description": "The event names a municipality this client may not write."},
        409: {"description": "The eventId is stored with a different body."},
        413: {},
    },
)
def post_event(
    event: Annotated[Event, Body()],
    request: Request,
    response: Response,
    caller: EventWriter,
    session: SessionDep,
    settings: SettingsDep,
) -> EventAccepted:
    """Store one event. Idempotent on `eventId`: the same body again answers 200 `duplicate`
    and changes nothing; another body under a stored `eventId` is 409. The trajectory's
    state, legal due dates and audit findings are refolded before the answer, so a read
    right after sees the event; `Location` names the trajectory."""
    outcome = record_event(session, event, Sender.of(caller.principal, settings))
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
    # Where the event shows: its trajectory (a regional client names the municipality).
    reading = {} if caller.principal.municipality else {"municipality": outcome.event.municipality}
    path = f"/trajectories/{quote(event.trajectory_id, safe='')}"
    response.headers["Location"] = location(request, path, reading)
    return EventAccepted(
        event_id=event.event_id,
        trajectory_id=event.trajectory_id,
        municipality=outcome.event.municipality,
        status="created" if outcome.created else "duplicate",
    )


# Each item is validated on its own as an `Event` and answered by index: an invalid item
# is part of the batch's answer, not a reason to refuse the batch. So the body's schema
# promises objects, and the description points at the Event schema they are judged by.
_BATCH_BODY = {
    "required": True,
    "description": "Up to 10,000 events, as a JSON array or as NDJSON (one event per line); "
    "each is judged against the `Event` schema and answered by its index.",
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "maxItems": 10000,
                "items": {"type": "object", "description": "An event; see the Event schema."},
            }
        },
        "application/x-ndjson": {"schema": {"type": "object"}},
        "application/cloudevents-batch+json": {
            "schema": {"type": "array", "maxItems": 10000, "items": _CLOUD_EVENT}
        },
    },
}


@router.post(
    "/batch",
    response_model=BatchResult,
    summary="Post up to 10,000 events (JSON array or NDJSON)",
    description=(
        "All valid events are stored in one transaction; every invalid one is listed by its "
        "0-based index with the reason (400 invalid, 409 conflicting body) and nothing of it is "
        "stored. Repeats of stored events count as duplicates and change nothing."
    ),
    openapi_extra={"requestBody": _BATCH_BODY},
    responses={413: {}},
)
async def post_batch(
    request: Request,
    caller: EventWriter,
    session: SessionDep,
    settings: SettingsDep,
    batches: BatchIngestDep,
) -> BatchResult:
    raw = await request.body()  # the body-limit middleware has bounded it
    items = parse_batch(raw, request.headers.get("content-type", ""), settings.max_batch_events)
    sender = Sender.of(caller.principal, settings)
    outcome = await batches.record(session, items, sender)
    return BatchResult(
        received=outcome.received,
        created=outcome.created,
        duplicates=outcome.duplicates,
        rejected=len(outcome.rejections),
        errors=[_item_error(r) for r in outcome.rejections],
    )


def _item_error(rejection: Rejection) -> BatchItemError:
    """A rejected item in the words of HTTP: its status and the problems with it."""
    if rejection.reason == "invalid":
        status, params = 400, invalid_params_from(rejection.errors)
    elif rejection.reason in ("other_municipality", "outside_teams"):
        status = 403
        name = "municipality" if rejection.reason == "other_municipality" else "trajectoryId"
        params = [InvalidParam(name=name, code="forbidden", reason=rejection.detail)]
    else:
        status = 409
        params = [
            InvalidParam(
                name="eventId",
                code="conflict",
                reason="already stored (or earlier in this batch) with a different body",
            )
        ]
    return BatchItemError(
        index=rejection.index, event_id=rejection.event_id, status=status, invalid_params=params
    )


def parse_batch(raw: bytes, content_type: str, max_events: int) -> list[Any]:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in NDJSON_TYPES:
        lines = [line for line in raw.splitlines() if line.strip()]
        items = [_parse_json(line, f"[{index}]") for index, line in enumerate(lines)]
        for index, line in enumerate(lines):  # a line is an event, one level in a batch
            _check_depth(line, f"[{index}]", MAX_DEPTH - 1)
    else:
        items = _parse_json(raw, "body")
        _check_depth(raw, "body", MAX_DEPTH)
        if not isinstance(items, list):
            raise InvalidInput(
                "a batch is a JSON array of events, or NDJSON with Content-Type "
                "application/x-ndjson",
                invalid_params=[
                    InvalidParam(name="body", code="type", reason="expected a JSON array")
                ],
            )
    not_objects = [i for i, item in enumerate(items) if not isinstance(item, dict)]
    if not_objects:
        raise InvalidInput(
            "every item of a batch is a JSON object (an event)",
            invalid_params=[
                InvalidParam(name=f"[{i}]", code="type", reason="expected a JSON object")
                for i in not_objects[:100]
            ],
        )
    if len(items) > max_events:
        raise InvalidInput(
            f"{len(items)} events in one batch; at most {max_events} are accepted",
            invalid_params=[
                InvalidParam(name="body", code="max_items", reason=f"at most {max_events} events")
            ],
        )
    return items


def _check_depth(raw: bytes, where: str, depth: int) -> None:
    problem = too_deep(raw, where, depth)
    if problem is not None:
        raise InvalidInput(
            f"{where} nests arrays and objects deeper than an event can",
            invalid_params=[problem],
        )


def _parse_json(raw: bytes, where: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(
            f"{where} is not valid JSON",
            invalid_params=[InvalidParam(name=where, code="json_invalid", reason=str(exc))],
        ) from exc
