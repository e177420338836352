"""What the OpenAPI document says is what the service does: a request the document admits is
not refused for an unwritten rule, and one it refuses is not accepted.

Each case below was found as a difference between the two: a name the document's pattern
forbids was accepted, a code of Arabic-Indic digits passed `\\d`, an empty set of scores
passed the schema and was refused."""

import re
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from app.domain.vocabulary import Step
from app.main import create_app
from app.openapi import build_openapi
from app.schemas.events import StepCompletedData
from app.settings import Settings
from tests.factories import event, opened
from tests.helpers import assert_problem

AT = "2026-03-02T09:00:00+01:00"
# Shorthand classes Python and Rust (Pydantic) read as Unicode, ECMAScript as ASCII.
UNICODE_DEPENDENT = re.compile(r"\\[dDwWsSbB]")
DOCUMENT = build_openapi(create_app(Settings()), "http://127.0.0.1:8000")
# the document's components, where a schema's $ref points ("#/components/schemas/...")
REFS = {"components": DOCUMENT["components"]}


def patterns(document: Any) -> list[str]:
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "pattern" and isinstance(value, str):
                found.append(value)
            else:
                found += patterns(value)
    elif isinstance(document, list):
        for value in document:
            found += patterns(value)
    return found


def test_no_pattern_in_the_document_depends_on_the_regex_engine(app_client: TestClient) -> None:
    document = app_client.get("/api/v1/openapi.json").json()
    found = patterns(document)
    assert len(found) > 5, "the document's patterns were not read"
    assert [p for p in found if UNICODE_DEPENDENT.search(p)] == []


def digits_of(zero: str, ascii_text: str) -> str:
    return "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in ascii_text)


@pytest.mark.parametrize(
    "zero", ["\u0660", "\u0966", "\uff10"], ids=["arabic", "devanagari", "fullwidth"]
)
def test_codes_dates_and_times_take_ascii_digits_only(client: TestClient, zero: str) -> None:
    municipality = opened(AT) | {"municipality": digits_of(zero, "0193")}
    assert_problem(client.post("/api/v1/events", json=municipality), 400)
    stamp = opened(AT) | {"occurredAt": digits_of(zero, "2026-03-02") + "T09:00:00+01:00"}
    assert_problem(client.post("/api/v1/events", json=stamp), 400)
    period = {"from": digits_of(zero, "2026-01-01"), "to": "2026-12-31"}
    assert_problem(client.get("/api/v1/kpis/inflow", params=period), 400)


@pytest.mark.parametrize("name", ["koppeling 名", "Кл", "a\u200bb", "x/y", "BI;DROP"])
def test_a_client_name_outside_the_documented_pattern_is_refused(
    client: TestClient, name: str
) -> None:
    document = client.get("/api/v1/openapi.json").json()
    pattern = document["components"]["schemas"]["ClientRequest"]["properties"]["name"]["pattern"]
    assert re.fullmatch(pattern.strip("^$"), name, flags=re.ASCII) is None
    answer = client.post("/api/v1/clients", json={"name": name, "scopes": ["kpi:read"]})
    assert ("name", "string_pattern_mismatch") in {
        (p["name"], p["code"]) for p in assert_problem(answer, 400)["invalidParams"]
    }


@pytest.mark.parametrize("name", ["Zorgkantoor Één", "BI-koppeling (Ç) 2.0", "a_b: c"])
def test_a_client_name_inside_the_documented_pattern_is_accepted(
    client: TestClient, name: str
) -> None:
    document = client.get("/api/v1/openapi.json").json()
    pattern = document["components"]["schemas"]["ClientRequest"]["properties"]["name"]["pattern"]
    assert re.fullmatch(pattern.strip("^$"), name) is not None
    answer = client.post(
        "/api/v1/clients", json={"name": name, "scopes": ["kpi:read"], "municipality": "0193"}
    )
    assert answer.status_code == 201, answer.text


def test_satisfaction_scores_are_as_the_schema_says(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    scores = document["components"]["schemas"]["SatisfactionScores"]
    assert scores["minProperties"] == 1
    assert all(p.get("type") == "integer" for p in scores["properties"].values())
    data = document["components"]["schemas"]["SatisfactionRecordedData"]
    assert "scores" in data["required"]
    client.post("/api/v1/events", json=opened(AT))
    refused: list[dict[str, Any]] = [{}, {"scores": {}}, {"scores": {"overall": None}}]
    for bad in refused:
        answer = client.post("/api/v1/events", json=event("satisfaction.recorded", AT, bad))
        assert_problem(answer, 400)
    good = event("satisfaction.recorded", AT, {"scores": {"overall": 4}})
    assert client.post("/api/v1/events", json=good).status_code == 201


STEP_FIELDS = {
    "problemAreas": ["financien"],
    "sources": ["usual_help"],
    "hours": 1.5,
    "contacts": 2,
    "provisionCategory": "huishoudelijke-hulp",
    "provider": "zorg-bv",
    "expertAdviceRequired": True,
    "reason": "geen eigen kracht",
}
OUTCOMES = [None, "sufficient", "partial", "insufficient", "not_applicable", "granted", "x"]


@given(
    step=st.sampled_from([s.value for s in Step]),
    outcome=st.sampled_from(OUTCOMES),
    extra=st.sets(st.sampled_from(sorted(STEP_FIELDS)), max_size=3),
)
def test_step_data_the_schema_admits_is_what_validation_admits(
    step: str, outcome: str | None, extra: set[str]
) -> None:
    """Which outcome a step needs and which fields it may carry are in the document as
    rules (allOf of if/then), not only in the validators: a generated client or test data
    meets no unwritten rule (schemathesis found one at 150 examples per operation)."""
    data: dict[str, Any] = {"step": step, "professionalRef": "prof-0001-pseudo"}
    data |= {name: STEP_FIELDS[name] for name in extra}
    if outcome is not None:
        data["outcome"] = outcome
    schema = {**DOCUMENT["components"]["schemas"]["StepCompletedData"], **REFS}
    admitted = jsonschema_rs.Draft202012Validator(schema).is_valid(data)
    try:
        StepCompletedData.model_validate(data)
        valid = True
    except ValidationError:
        valid = False
    assert admitted == valid, (data, admitted, valid)
