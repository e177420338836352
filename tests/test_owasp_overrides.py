"""The OWASP lint exempts only what the service sends (scripts/owasp_overrides.py): a schema
that any request body or parameter uses, however deeply, keeps every limit rule."""

from typing import Any

from scripts.owasp_overrides import overrides, taken_schemas

EVENT = {"$ref": "#/components/schemas/Event"}
DOCUMENT: dict[str, Any] = {
    "paths": {
        "/events/{eventId}": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": EVENT}}},
                "parameters": [{"name": "q", "schema": {"$ref": "#/components/schemas/Query"}}],
                "responses": {"200": {}, "413": {}},
            }
        }
    },
    "components": {
        "schemas": {
            "Event": {"properties": {"data": {"$ref": "#/components/schemas/Data"}}},
            "Data": {"items": {"$ref": "#/components/schemas/Deep"}},
            "Deep": {"type": "string"},
            "Query": {"type": "string"},
            "Answer": {"properties": {"x": {"type": "string"}}},
        }
    },
}  # fmt: skip


def test_schemas_a_request_uses_are_never_exempt_however_deep() -> None:
    assert taken_schemas(DOCUMENT) == {"Event", "Data", "Deep", "Query"}
    limits, rate_limit = overrides(DOCUMENT, "**/openapi.json")
    assert "**/openapi.json#/components/schemas/Answer" in limits["files"]
    assert not any("Event" in f or "Deep" in f or "Query" in f for f in limits["files"])
    # answers are the service's own; braces as Spectral encodes them
    assert "**/openapi.json#/paths/~1events~1%7BeventId%7D/post/responses" in limits["files"]
    assert rate_limit["files"][0].endswith("%7BeventId%7D/post/responses/413")
