"""The OpenAPI document integrators code against, shaped to the NL GOV API Design Rules.

FastAPI generates it; this module adds what the Logius linter asks of every operation:
paths relative to the `/api/v1` server, the API-Version header on every success, a 400
on everything that takes input, and problem+json for every error.
"""

from enum import StrEnum
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app import API_VERSION
from app.domain import vocabulary
from app.problems import PROBLEM_MEDIA_TYPE
from app.schemas import cloudevents
from app.schemas.bounds import BOUNDS_TEXT
from app.schemas.problem import Problem

BASE_PATH = "/api/v1"
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_VERSION_HEADER = {"$ref": "#/components/headers/API-Version"}
_METHODS_WITH_BODY = {"post", "put", "patch"}
_ERROR_TEXT = {
    "400": "Invalid input; every problem is listed in invalidParams.",
    "401": "Missing or invalid bearer token.",
    "403": "The client lacks the scope this operation needs.",
    "404": "Not found (or not visible to this client).",
    "409": "Conflicts with what is stored.",
    "422": "What is stored cannot answer this honestly (too little history); says why.",
    "406": "The Accept header admits no media type this operation answers in.",
    "413": "The request body is too large.",
    "415": "The body is not in a media type this operation takes.",
    "429": "Too many requests (per client, or failed authentications per address); see "
    "Retry-After.",
    "500": "Unexpected error.",
    "503": "The database is not reachable; nothing was stored. Retry after Retry-After.",
}

# Short, stable operation ids in the ZGW style (`zaak_list`, `zaak_read`): what a generated
# client names its functions. Every operation needs one; a new route without fails here.
OPERATION_IDS = {
    "POST /events": "event_create",
    "POST /events/batch": "event_batch_create",
    "GET /trajectories": "trajectory_list",
    "GET /trajectories/{trajectoryId}": "trajectory_read",
    "GET /kpis": "kpi_list",
    "GET /kpis/table": "kpi_catalogue_table_read",
    "GET /kpis/{kpiId}": "kpi_read",
    "GET /kpis/{kpiId}/table": "kpi_table_read",
    "GET /forecasts/{kpiId}": "forecast_read",
    "GET /forecasts/{kpiId}/table": "forecast_table_read",
    "GET /term-risks": "term_risk_read",
    "GET /term-risks/table": "term_risk_table_read",
    "PUT /kpis/{kpiId}/target": "kpi_target_update",
    "GET /figures": "figure_list",
    "GET /figures/table": "figure_table_read",
    "POST /kpis/{kpiId}/values": "kpi_value_create",
    "GET /audit/rules": "rule_list",
    "GET /audit/calendar": "calendar_read",
    "GET /audit/trajectories/{trajectoryId}": "trajectory_audit_read",
    "GET /audit/summary": "audit_summary_read",
    "GET /audit/findings": "finding_list",
    "POST /audit/samples": "sample_create",
    "GET /audit/samples/{sampleId}": "sample_read",
    "GET /clients": "client_list",
    "POST /clients": "client_create",
    "POST /clients/{clientId}/rotate": "client_rotate",
    "POST /clients/{clientId}/revoke": "client_revoke",
    "GET /access-log": "access_log_list",
    "POST /subscriptions": "subscription_create",
    "GET /subscriptions": "subscription_list",
    "DELETE /subscriptions/{subscriptionId}": "subscription_delete",
    "GET /subscriptions/{subscriptionId}/dead-letters": "dead_letter_list",
    "POST /subscriptions/{subscriptionId}/dead-letters/{notificationId}/redeliver": (
        "dead_letter_redeliver"
    ),
    "GET /health/live": "health_live",
    "GET /health/ready": "health_ready",
}


# How the document names the instance it describes (OWASP API9: inventory).
ENVIRONMENT_WORDS = {"development": "local", "test": "testing", "production": "production"}


def build_openapi(
    app: FastAPI, public_url: str, environment: str = "development"
) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=API_VERSION,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        contact={
            "name": "Informatievoorziening sociaal domein",
            "email": "wijkteam-kpi@example.org",
            "url": "https://wijkteam-kpi.example.org",
        },
        license_info={"name": "EUPL-1.2", "url": "https://eupl.eu/1.2/nl/"},
        servers=[
            {
                "url": f"{public_url}{BASE_PATH}",
                "description": f"This instance ({ENVIRONMENT_WORDS[environment]})",
                "x-internal": False,
            }
        ],
    )
    document["paths"] = {
        path.removeprefix(BASE_PATH) or "/": operations
        for path, operations in document["paths"].items()
    }
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    problem = Problem.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    _name_event_union(document)
    _name_enum_members(schemas)
    components["schemas"].pop("HTTPValidationError", None)
    components["schemas"].pop("ValidationError", None)
    components["headers"] = {
        "API-Version": {
            "description": "The full version of the API (semver).",
            "schema": {
                "type": "string",
                "pattern": "^[0-9]+[.][0-9]+[.][0-9]+$",
                "maxLength": 32,
                "example": API_VERSION,
            },
        },
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 0, "maximum": 3600, "example": 30},
        },
        "Location": {
            "description": "Where what was created (or where its effect) can be read.",
            "schema": {"type": "string", "format": "uri", "maxLength": 2048},
        },
        "RateLimit-Policy": {
            "description": "The budget (IETF draft-ietf-httpapi-ratelimit-headers): "
            '`"per-client";q=600;w=60`, RATE_LIMIT_PER_MINUTE requests a minute; on a 401, '
            '`"failed-authentication";q=30;w=60` of the address (FAILED_AUTH_PER_MINUTE).',
            "schema": {"type": "string", "maxLength": 100},
        },
        "RateLimit": {
            "description": 'What is left of it: `"per-client";r=<requests left>;t=<seconds '
            "until the window has room again>`.",
            "schema": {"type": "string", "maxLength": 100},
        },
        "Access-Control-Allow-Origin": {
            "description": "CORS: `*` when the request names an Origin. Any origin may call "
            "the API, since it authenticates by a token in a header, never by a cookie.",
            "schema": {"type": "string", "enum": ["*"]},
        },
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            operation["operationId"] = OPERATION_IDS[f"{method.upper()} {path}"]
            _shape_operation(method, operation)
    _size_integers(document)
    app.openapi_schema = document
    return document


def _name_enum_members(schemas: dict[str, Any]) -> None:
    """Enums whose values are no identifiers (`67-79`, `event.retracted`) get their Python
    member names as `x-enum-varnames`, so a generated client says `AgeBand.SENIOR`, not
    `AgeBand.VALUE_4`."""
    for name, schema in schemas.items():
        enum = getattr(vocabulary, name, None)
        values = schema.get("enum")
        if not (isinstance(enum, type) and issubclass(enum, StrEnum) and values):
            continue
        if all(str(v).isidentifier() for v in values):
            continue
        schema["x-enum-varnames"] = [enum(value).name for value in values]


def _size_integers(node: Any) -> None:
    """Every integer the API takes or gives fits 64 bits (counts, days, years, ids: the
    database's BIGINT at most); a generated client picks its type from the format."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            node.setdefault("format", "int64")
        for value in node.values():
            _size_integers(value)
    elif isinstance(node, list):
        for value in node:
            _size_integers(value)


def _name_event_union(document: dict[str, Any]) -> None:
    """Give the discriminated event union a name, and type the batch's items with it: a
    generated client then builds a batch of typed events. (The service still judges each
    item on its own and answers an invalid one by its index, as the operation says.)"""
    body = document["paths"]["/events"]["post"]["requestBody"]["content"]["application/json"]
    document["components"]["schemas"]["Event"] = body["schema"]
    body["schema"] = {"$ref": "#/components/schemas/Event"}
    batch = document["paths"]["/events/batch"]["post"]["requestBody"]["content"]
    batch["application/json"]["schema"]["items"] = {"$ref": "#/components/schemas/Event"}
    _name_cloud_event(document)
    _type_timeline_data(document)


def _type_timeline_data(document: dict[str, Any]) -> None:
    """A timeline entry's `data` is the data its event was accepted with, by `type`: the
    data schemas of the Event union (each stored event passed one of them)."""
    schemas = document["components"]["schemas"]
    data_refs = sorted(
        {
            schemas[ref.rsplit("/", 1)[-1]]["properties"]["data"]["$ref"]
            for ref in schemas["Event"]["discriminator"]["mapping"].values()
        }
    )
    entry = schemas["TimelineEntryView"]["properties"]["data"]
    entry.clear()
    entry.update(
        {
            "description": "The event's data, as the Event schema of its `type` has it.",
            "anyOf": [{"$ref": ref} for ref in data_refs],
        }
    )


def _name_cloud_event(document: dict[str, Any]) -> None:
    """The CloudEvent the events routes take, one variant per event type, from the Event
    union itself: `type` the prefixed event type, `subject` and `time` as trajectoryId and
    occurredAt, `data` that type's data (app/schemas/cloudevents.py maps them)."""
    schemas = document["components"]["schemas"]
    mapping: dict[str, str] = {}
    for ref in schemas["Event"]["discriminator"]["mapping"].values():
        name = ref.rsplit("/", 1)[-1]
        member = schemas[name]["properties"]
        kind = cloudevents.TYPE_PREFIX + member["type"]["const"]
        visible = {"type": "string", "minLength": 1, "maxLength": 256, "pattern": "^[!-~]+$"}
        needs_data = "data" in schemas[name].get("required", [])
        schemas[f"Cloud{name}"] = {
            "type": "object",
            "required": ["specversion", "id", "source", "type", "subject", "time"]
            + (["data"] if needs_data else []),
            "additionalProperties": False,
            "properties": {
                "specversion": {"type": "string", "enum": ["1.0"]},
                "id": visible,
                "source": visible,
                "type": {"type": "string", "enum": [kind]},
                "subject": member["trajectoryId"],
                "time": member["occurredAt"],
                "datacontenttype": {"type": "string", "enum": ["application/json"]},
                "municipality": member["municipality"],
                "data": member["data"],
            },
        }
        mapping[kind] = f"#/components/schemas/Cloud{name}"
    schemas["CloudEvent"] = {
        "description": "An event as a CloudEvent 1.0 (structured mode); binary mode (`ce-` "
        "headers, the data as the JSON body) is taken too.",
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
    }
    # The routes take CloudEvents too, but the document names only our own bodies there: a
    # generator (openapi-python-client) writes broken code for a body of two media types
    # with different schemas. The `CloudEvent` schema says what is taken.
    for path, media, what in (
        ("/events", cloudevents.STRUCTURED, "one CloudEvent"),
        ("/events/batch", cloudevents.BATCH, "a JSON array of CloudEvents"),
    ):
        operation = document["paths"][path]["post"]
        del operation["requestBody"]["content"][media]
        operation["description"] = (
            f"{operation.get('description', '')} Also takes {what} (`Content-Type: {media}`, "
            "the `CloudEvent` schema; a single one also in binary mode, with `ce-` headers)."
        ).strip()


def _shape_operation(method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if responses.get("422", {}).get("description") in (None, "Validation Error"):
        responses.pop("422", None)  # FastAPI's own; invalid input is our 400
    takes_input = method in _METHODS_WITH_BODY or bool(operation.get("parameters"))
    if takes_input:
        responses.setdefault("400", {})
    if operation.get("security"):
        responses.setdefault("401", {})
        responses.setdefault("403", {})
        responses.setdefault("429", {})
    if method in _METHODS_WITH_BODY:
        responses.setdefault("413", {})
        responses.setdefault("415", {})
    body = operation.get("requestBody")
    if body is not None and "application/json" in body.get("content", {}):
        body["description"] = f"{body.get('description', '')} {BOUNDS_TEXT}".strip()
    responses.setdefault("406", {})
    responses.setdefault("500", {})
    responses.setdefault("503", {})
    for status, response in responses.items():
        if status.startswith(("2", "3")):
            headers = response.setdefault("headers", {})
            headers["API-Version"] = _VERSION_HEADER
            if status == "201":
                headers["Location"] = {"$ref": "#/components/headers/Location"}
        elif status.startswith(("4", "5")):
            response["description"] = response.get("description") or _ERROR_TEXT.get(
                status, "Error"
            )
            if response["description"] in ("Validation Error", "Additional Response"):
                response["description"] = _ERROR_TEXT.get(status, "Error")
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
            if status in ("429", "503"):
                response["headers"] = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
        _budget_headers(status, response, secured=bool(operation.get("security")))


# Answers that carry a budget (app/middleware/rate_limit.py): every answer to an
# authenticated client, and a 401 its address's budget of failed authentications; not
# those given before the client is known (413 body limit) or by the error middleware.
_WITHOUT_BUDGET = {"413", "500", "503"}


def _budget_headers(status: str, response: dict[str, Any], secured: bool) -> None:
    headers = response.setdefault("headers", {})
    headers["Access-Control-Allow-Origin"] = {
        "$ref": "#/components/headers/Access-Control-Allow-Origin"
    }
    if secured and status not in _WITHOUT_BUDGET:
        for name in ("RateLimit-Policy", "RateLimit"):
            headers[name] = {"$ref": f"#/components/headers/{name}"}
