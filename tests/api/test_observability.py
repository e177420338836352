"""What an operator sees: Prometheus metrics, a request id on every response and log line,
and JSON logs that never carry a path with ids in it."""

import io
import json
import logging
import re
from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient

from app.logs import log_handler
from app.main import create_app
from app.settings import Settings
from tests.factories import opened


def _sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, value = line.rsplit(" ", 1)
        if series.split("{")[0] == name and all(f'{k}="{v}"' in series for k, v in labels.items()):
            total += float(value)
    return total


def test_metrics_show_requests_by_route_template_and_what_was_ingested(
    client: TestClient,
) -> None:
    before = client.get("/metrics").text
    batch = [opened("2026-03-02T09:00:00+01:00", f"M-{i}") for i in range(3)]
    assert client.post("/api/v1/events/batch", json=[*batch, batch[0], {"bad": 1}]).status_code
    assert client.get("/api/v1/trajectories/M-1").status_code == 200
    after = client.get("/metrics")
    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text

    def grew(name: str, **labels: str) -> float:
        return _sample(text, name, **labels) - _sample(before, name, **labels)

    assert grew("wijkteam_events_ingested_total", outcome="created") == 3
    assert grew("wijkteam_events_ingested_total", outcome="duplicate") == 1
    assert grew("wijkteam_events_ingested_total", outcome="invalid") == 1
    assert grew("wijkteam_batch_events_count") == 1
    assert grew("wijkteam_refold_seconds_count") >= 1
    # by route template, never by the concrete path (ids stay out of metric labels)
    assert grew("http_requests_total", handler="/api/v1/trajectories/{trajectoryId}") == 1
    assert "M-1" not in text
    assert "wijkteam_db_pool_checked_out" in text


def test_kpi_query_time_is_measured_per_kpi(client: TestClient) -> None:
    period = {"from": "2026-01-01", "to": "2026-03-31"}
    before = _sample(client.get("/metrics").text, "wijkteam_kpi_query_seconds_count", kpi="inflow")
    assert client.get("/api/v1/kpis/inflow", params=period).status_code == 200
    after = _sample(client.get("/metrics").text, "wijkteam_kpi_query_seconds_count", kpi="inflow")
    assert after == before + 1


def test_a_request_id_is_echoed_or_made_and_never_a_bsn(client: TestClient) -> None:
    sent = client.get("/api/v1/kpis", headers={"X-Request-ID": "gateway-7f3a9c21"})
    assert sent.headers["X-Request-ID"] == "gateway-7f3a9c21"
    made = client.get("/api/v1/kpis")
    assert len(made.headers["X-Request-ID"]) >= 16
    # a BSN (elfproef-valid nine digits) or text with spaces is not taken as an id
    for bad in ("111222333", "has spaces in it"):
        answered = client.get("/api/v1/kpis", headers={"X-Request-ID": bad})
        assert answered.headers["X-Request-ID"] != bad
    # errors carry it too
    refused = client.get("/api/v1/kpis", headers={"Authorization": "", "X-Request-ID": "abcd-1234"})
    assert refused.status_code == 401
    assert refused.headers["X-Request-ID"] == "abcd-1234"


def test_log_lines_are_json_with_the_request_id_and_route_template(client: TestClient) -> None:
    client.post("/api/v1/events", json=opened("2026-03-02T09:00:00+01:00", "L-1"))
    stream = io.StringIO()
    handler = log_handler(stream, "json")
    logging.getLogger().addHandler(handler)
    try:
        client.get("/api/v1/trajectories/L-1", headers={"X-Request-ID": "trace-0001-abcd"})
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    (line,) = [x for x in lines if x.get("logger") == "wijkteam_kpi.requests"]
    assert line["request_id"] == "trace-0001-abcd"
    assert line["route"] == "/trajectories/{trajectoryId}"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert "L-1" not in json.dumps(line)
    assert {"time", "level", "message", "ms"} <= set(line)
    # every line: RFC 3339 in UTC, as collectors read it; no ANSI codes from uvicorn
    for each in lines:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", each["time"]), each
        assert datetime.fromisoformat(each["time"]).tzinfo is not None
        assert "color_message" not in each


def test_uvicorns_own_lines_carry_no_ansi_codes_in_json() -> None:
    stream = io.StringIO()
    handler = log_handler(stream, "json")
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "Started", None, None)
    record.color_message = "\x1b[32mStarted\x1b[0m"
    handler.handle(record)
    line = json.loads(stream.getvalue())
    assert "color_message" not in line and "\x1b" not in stream.getvalue()


def test_refused_requests_are_counted_too_401_429_and_413(
    settings: Settings, tokens: dict[str, str]
) -> None:
    """Authentication, the rate limit and the body limit answer before any route runs; an
    operator must still see them (they were missing from http_requests_total)."""
    tight = settings.model_copy(update={"rate_limit_per_minute": 2, "max_body_bytes_single": 1024})
    with TestClient(create_app(tight)) as client:
        before = client.get("/metrics").text
        assert client.get("/api/v1/kpis").status_code == 401
        headers = {"Authorization": f"Bearer {tokens['kpi:read']}"}
        answers = [client.get("/api/v1/kpis", headers=headers).status_code for _ in range(4)]
        assert 429 in answers
        big = client.post(
            "/api/v1/clients", content=b"x" * 5000,
            headers={**headers, "Content-Type": "application/json"},
        )  # fmt: skip
        assert big.status_code in (413, 429)
        after = client.get("/metrics").text

    def grew(status: str) -> float:
        labels = {"handler": "/api/v1/kpis", "status": status}
        return _sample(after, "http_requests_total", **labels) - _sample(
            before, "http_requests_total", **labels
        )

    assert grew("401") == 1
    assert grew("429") >= 1


def test_the_alert_rules_name_only_metrics_the_service_exposes(client: TestClient) -> None:
    """deploy/prometheus/alerts.yml (promtool checks its syntax in the test command) must
    not watch a metric or label value that no replica serves: such an alert never fires."""
    rules = (Path(__file__).resolve().parents[2] / "deploy/prometheus/alerts.yml").read_text()
    assert client.get("/api/v1/kpis").status_code == 200  # a KPI computed, a request counted
    assert client.get("/api/v1/kpis/inflow", params={"from": "2026-01-01", "to": "2026-01-31"})
    served = client.get("/metrics").text
    exposed = set(re.findall(r"^# TYPE (\w+) (\w+)", served, re.M))
    families = {name for name, _ in exposed}
    samples = set(re.findall(r"^(\w+)[{ ]", served, re.M))
    named = set(re.findall(r"\b((?:wijkteam|http)_\w+)\b", rules))
    assert named, "no metric found in the rules"
    assert sorted(named - families - samples) == []
    assert 'status="' not in rules  # status codes are exact ("503"): match them with =~
