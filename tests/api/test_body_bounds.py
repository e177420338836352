"""What one body may cost (app/schemas/bounds.py): nesting and the number of values are
bounded before a model walks them, in every JSON body, each event of a batch (array and
NDJSON), at every depth past the bound, and the answer is a 400 naming the bound, never a
500, and costs no more than the body's size."""

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from app.schemas.bounds import MAX_DEPTH, MAX_VALUES, deeper_than, more_values_than
from tests.factories import event, opened
from tests.helpers import assert_problem, stored_events

EVENTS = "/api/v1/events"
BATCH = "/api/v1/events/batch"
AT = "2026-03-02T09:00:00+01:00"
JSON = {"Content-Type": "application/json"}
NDJSON = {"Content-Type": "application/x-ndjson"}


def nested(depth: int) -> Any:
    value: Any = "x"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def nested_raw(depth: int) -> bytes:
    """The same as JSON text (orjson writes no more than 254 levels)."""
    opens = b"".join(b"[" if level % 2 else b'{"k":' for level in reversed(range(depth)))
    closes = b"".join(b"]" if level % 2 else b"}" for level in range(depth))
    return opens + b'"x"' + closes


def with_team(body: dict[str, Any], depth: int) -> bytes:
    """An event whose data.team nests `depth` deep."""
    return orjson.dumps({**body, "data": {**body["data"], "team": "@"}}).replace(
        b'"@"', nested_raw(depth)
    )


def codes(response: Any) -> set[tuple[str, str]]:
    problem = assert_problem(response, 400)
    return {(p["name"], p["code"]) for p in problem["invalidParams"]}


@given(
    st.recursive(
        st.none() | st.integers(-10, 10) | st.text(alphabet='a"\\[]{}'),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.text(alphabet='k"[{', max_size=3), inner, max_size=3)
        ),
        max_leaves=30,
    )
)
def test_the_depth_scan_agrees_with_a_recursive_count(value: Any) -> None:
    def depth(v: Any) -> int:
        children = v.values() if isinstance(v, dict) else v if isinstance(v, list) else None
        return 0 if children is None else 1 + max((depth(c) for c in children), default=0)

    raw = orjson.dumps(value)
    for bound in range(6):
        assert deeper_than(raw, bound) == (depth(value) > bound)


def test_the_value_count_stops_at_its_limit() -> None:
    assert not more_values_than(list(range(MAX_VALUES - 1)), MAX_VALUES)
    assert more_values_than(list(range(MAX_VALUES)), MAX_VALUES)
    assert more_values_than({str(i): i for i in range(10**6)}, MAX_VALUES)


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH + 1, 50, 400, 900, 1020])
def test_a_single_event_nested_past_the_bound_is_a_400_at_any_depth(
    client: TestClient, engine: Engine, depth: int
) -> None:
    answer = client.post(EVENTS, content=with_team(opened(AT), depth), headers=JSON)
    found = codes(answer)
    if depth + 2 > MAX_DEPTH:  # the event and its data are two levels
        assert found == {("body", "too_deep")}
    else:
        assert ("body", "too_deep") not in found  # refused by the schema instead
    assert stored_events(engine) == 0


@pytest.mark.parametrize("depth", [MAX_DEPTH, 50, 400, 1000])
@pytest.mark.parametrize("media", ["array", "ndjson"])
def test_a_batch_holding_a_too_deep_event_is_refused_whole(
    client: TestClient, engine: Engine, depth: int, media: str
) -> None:
    items = [orjson.dumps(opened(AT)), with_team(opened(AT, trajectory="T-2"), depth)]
    if media == "array":
        answer = client.post(BATCH, content=b"[" + b",".join(items) + b"]", headers=JSON)
        assert codes(answer) == {("body", "too_deep")}
    else:
        lines = b"\n".join(items)
        answer = client.post(BATCH, content=lines, headers=NDJSON)
        assert codes(answer) == {("[1]", "too_deep")}
    assert stored_events(engine) == 0  # nothing half-written


def test_an_event_with_too_many_values_is_refused_alone_in_a_batch(
    client: TestClient, engine: Engine
) -> None:
    wide = event("plan.recorded", AT, {"goals": [{"id": f"g{i}"} for i in range(MAX_VALUES)]})
    answer = client.post(BATCH, json=[opened(AT), wide])
    result = answer.json()
    assert (result["created"], result["rejected"]) == (1, 1)
    assert result["errors"][0]["invalidParams"][0]["code"] == "too_many_values"
    single = client.post(EVENTS, json=wide)
    assert codes(single) == {("body", "too_many_values")}
    assert stored_events(engine) == 1


def test_every_json_body_is_bounded_not_only_events(client: TestClient) -> None:
    many = {"name": "koppeling", "scopes": ["kpi:read"] * (MAX_VALUES + 1)}
    assert codes(client.post("/api/v1/clients", json=many)) == {("body", "too_many_values")}
    deep = {"name": "koppeling", "scopes": nested(MAX_DEPTH + 1)}
    assert codes(client.post("/api/v1/clients", json=deep)) == {("body", "too_deep")}


def test_an_invalid_event_reports_a_bounded_number_of_problems(client: TestClient) -> None:
    noisy = opened(AT)
    noisy["data"] |= {f"unknown{i}": i for i in range(MAX_VALUES - 20)}
    answer = client.post(BATCH, json=[noisy]).json()
    assert 0 < len(answer["errors"][0]["invalidParams"]) <= 20


def test_a_body_without_content_type_is_415(client: TestClient) -> None:
    for path in (EVENTS, BATCH, "/api/v1/clients"):
        answer = client.post(path, content=orjson.dumps(opened(AT)), headers={"Content-Type": ""})
        assert_problem(answer, 415)
