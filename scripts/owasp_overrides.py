"""Writes the Spectral ruleset the test command lints the OpenAPI document with: the OWASP
ruleset as `tools/owasp/ruleset.yaml` keeps it, plus overrides found in the document.

The OWASP API4 limit rules (string, array and integer limits) guard what an API *takes*
(unrestricted resource consumption): they stay on for every request body and parameter,
and are switched off for what the service only *sends* (response schemas). The rate-limit
rule is off for answers given before any client is known (the 413 of the body limit, which
reads no token) and for the public health probes, which are never limited by design.

Usage: python -m scripts.owasp_overrides build/openapi.json build/owasp-ruleset.yaml
"""

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LIMITS = (
    "owasp:api4:2023-string-limit",
    "owasp:api4:2023-array-limit",
    "owasp:api4:2023-integer-limit",
    "owasp:api4:2023-string-restricted",
)
PUBLIC = ("/health/live", "/health/ready")


def refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value.rsplit("/", 1)[-1])
            else:
                found |= refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= refs(value)
    return found


def taken_schemas(document: dict[str, Any]) -> set[str]:
    """The component schemas a request body or parameter uses, directly or nested."""
    schemas = document["components"]["schemas"]
    taken: set[str] = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            taken |= refs(operation.get("requestBody", {})) | refs(operation.get("parameters", []))
    while True:
        nested = set().union(*(refs(schemas.get(name, {})) for name in taken)) - taken
        if not nested:
            return taken
        taken |= nested


def pointer(*parts: str) -> str:
    """A JSON pointer as Spectral's `files` entries name it (braces percent-encoded, as
    Spectral writes the paths it compares them with)."""
    escaped = (p.replace("~", "~0").replace("/", "~1") for p in parts)
    return ("#/" + "/".join(escaped)).replace("{", "%7B").replace("}", "%7D")


def overrides(document: dict[str, Any], file_glob: str) -> list[dict[str, Any]]:
    off = dict.fromkeys(LIMITS, "off")
    sent_only = sorted(set(document["components"]["schemas"]) - taken_schemas(document))
    answers = [
        pointer("paths", path, method, "responses")
        for path, operations in document["paths"].items()
        for method in operations
    ]
    unbudgeted = [
        pointer("paths", path, method, "responses", "413")
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "413" in operation.get("responses", {})
    ]
    unbudgeted += [pointer("paths", path) for path in PUBLIC]
    sent = [pointer("components", "schemas", name) for name in sent_only] + answers
    rate_limit_off = {"owasp:api4:2023-rate-limit": "off"}
    return [
        {"files": [file_glob + p for p in sent], "rules": off},
        {"files": [file_glob + p for p in unbudgeted], "rules": rate_limit_off},
    ]


def main(document_path: str, output: str) -> None:
    document = json.loads(Path(document_path).read_text())
    ruleset = {
        "extends": [str(ROOT / "tools/owasp/ruleset.yaml")],
        "overrides": overrides(document, "**/" + Path(document_path).name),
    }
    Path(output).write_text(json.dumps(ruleset, indent=1))  # JSON is YAML


if __name__ == "__main__":
    main(*sys.argv[1:3])
