"""Forecasts through the API, on both databases: on generated openings with a known trend
and season the forecast beats the seasonal naive one and its bands hold what happened;
with too little history the answer is a problem, not a guess; the CSV is the same
forecast; a team-limited reader forecasts its own teams only; a waiting time is a month's
median days."""

from collections import Counter
from datetime import date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.db import create_session_factory
from app.domain.foresight import forecast
from app.main import create_app
from app.services.access.clients import create_client
from app.settings import Settings
from scripts.generate_events import Pattern, generate
from tests.conftest import authorised, empty_all_tables
from tests.factories import opened

FIRST = date(2022, 11, 1)
AS_OF = "2026-11-15"  # 48 complete months: November 2022 to October 2026
GROWING_WITH_A_WINTER_PEAK = Pattern(trend=0.3, season=0.4, peak_month=2)


def openings_and_closures(pattern: Pattern) -> list[dict[str, Any]]:
    """The generator's trajectories, of which only what the volumes count: openings and
    closures (the steps in between would only make the load slower)."""
    events = generate(4000, seed=3, start=FIRST, end=date(2026, 10, 31), pattern=pattern)
    return [e for e in events if e["type"] in ("trajectory.opened", "trajectory.closed")]


def monthly_openings(events: list[dict[str, Any]]) -> list[float]:
    months = Counter(
        datetime.fromisoformat(e["occurredAt"]).date().replace(day=1)
        for e in events
        if e["type"] == "trajectory.opened"
    )
    return [float(months[date(2022 + (10 + k) // 12, (10 + k) % 12 + 1, 1)]) for k in range(48)]


def post(client: TestClient, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), 5000):
        answer = client.post("/api/v1/events/batch", json=events[start : start + 5000])
        assert answer.status_code == 200 and answer.json()["rejected"] == 0, answer.text[:300]


def test_a_forecast_of_growth_and_season_beats_seasonal_naive_and_its_bands_hold(
    client: TestClient, engine: Engine
) -> None:
    events = openings_and_closures(GROWING_WITH_A_WINTER_PEAK)
    post(client, events)
    answer = client.get("/api/v1/forecasts/inflow", params={"asOf": AS_OF})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["historyFrom"], body["historyTo"], body["historyMonths"]) == (
        "2022-11-01",
        "2026-10-31",
        48,
    )
    assert [m["period"] for m in body["months"]] == ["2026-11", "2026-12", "2027-01"]
    assert (body["tertial"]["period"], body["tertial"]["start"], body["tertial"]["end"]) == (
        "2027-T1",
        "2027-01-01",
        "2027-04-30",
    )
    assert "UnobservedComponents" in body["model"]
    test = body["backtest"]
    print(f"inflow backtest: {test}")
    assert test["mase"] < 1 and 0.7 <= test["coverage80"] <= 0.9 and test["skill"] is True
    assert test["points"] >= 45 and test["coverage95"] >= test["coverage80"]
    for month in [*body["months"], body["tertial"]]:
        low95, low80 = month["band95"]["low"], month["band80"]["low"]
        high80, high95 = month["band80"]["high"], month["band95"]["high"]
        assert 0 <= low95 <= low80 <= month["expected"] <= high80 <= high95
    # the series the service counted is the generator's: the same forecast from it by hand
    by_hand = forecast(FIRST, monthly_openings(events))
    assert [m["expected"] for m in body["months"]] == [round(m.expected, 1) for m in by_hand.months]
    # the winter peak lies ahead: January is expected above November
    assert body["months"][2]["expected"] > body["months"][0]["expected"]
    table = client.get("/api/v1/forecasts/inflow/table", params={"asOf": AS_OF})
    lines = table.text.strip().splitlines()
    assert lines[0].split(",")[:5] == ["kpi_id", "period", "period_start", "period_end", "expected"]
    assert [line.split(",")[1] for line in lines[1:]] == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-T1",
    ]
    assert float(lines[1].split(",")[4]) == body["months"][0]["expected"]
    for kpi_id in ("outflow", "caseload"):
        other = client.get(f"/api/v1/forecasts/{kpi_id}", params={"asOf": AS_OF})
        assert other.status_code == 200, other.text
        assert other.json()["months"][0]["expected"] > 0
    # a team-limited reader forecasts its own teams' openings, and no other team's
    with create_session_factory(engine).begin() as session:
        noord = create_client(session, "forecast noord", ["kpi:read"], "0193", ["noord"])[1]
    headers = {"Authorization": f"Bearer {noord}"}
    asked = {"asOf": AS_OF, "team": "zuid"}
    assert client.get("/api/v1/forecasts/inflow", params=asked).status_code == 200
    assert client.get("/api/v1/forecasts/inflow", params=asked, headers=headers).status_code == 403
    own = client.get("/api/v1/forecasts/inflow", params={"asOf": AS_OF}, headers=headers)
    assert own.status_code == 200
    assert own.json()["months"][0]["expected"] < 0.6 * body["months"][0]["expected"]
    no_forecast = client.get("/api/v1/forecasts/lead_time", params={"asOf": AS_OF})
    assert no_forecast.status_code == 404 and "inflow" in no_forecast.json()["detail"]


def test_too_little_history_is_a_problem_not_a_guess(client: TestClient) -> None:
    post(
        client,
        [
            opened(f"2025-{m:02d}-10T09:00:00+01:00", f"T-{m}-{n}")
            for m in range(1, 13)
            for n in range(12)
        ],
    )
    answer = client.get("/api/v1/forecasts/inflow", params={"asOf": "2026-06-01"})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert (
        problem["type"].endswith("/not-enough-data") and "17 complete months" in problem["detail"]
    )
    assert "24" in problem["detail"]
    assert (
        client.get("/api/v1/forecasts/inflow/table", params={"asOf": "2026-06-01"}).status_code
        == 422
    )


def test_a_handful_a_month_is_not_forecast(client: TestClient) -> None:
    post(
        client,
        [
            opened(f"{2023 + k // 12}-{k % 12 + 1:02d}-10T09:00:00+01:00", f"T-{k}")
            for k in range(36)
        ],
    )
    answer = client.get("/api/v1/forecasts/inflow", params={"asOf": "2026-01-15"})
    assert answer.status_code == 422 and "too few to forecast" in answer.json()["detail"]


def test_switched_off_there_are_no_forecasts_and_no_risks(
    settings: Settings, tokens: dict[str, str], engine: Engine
) -> None:
    empty_all_tables(engine)
    off = settings.model_copy(update={"foresight": False})
    with TestClient(create_app(off)) as client:
        authorised(client, tokens["all"])
        for path in ("/forecasts/inflow", "/forecasts/caseload/table", "/term-risks"):
            answer = client.get(f"/api/v1{path}", params={"asOf": AS_OF})
            assert answer.status_code == 404 and "switched off" in answer.json()["detail"]


def test_a_waiting_time_is_forecast_as_a_month_s_median_days(client: TestClient) -> None:
    """Whole stories this time (steps included): the intake's waiting time per month, the
    median of the intervals ending in it as the KPI counts it; a tertial is the mean of its
    months, not their sum."""
    events = list(generate(1000, seed=4, start=FIRST, end=date(2026, 10, 31)))
    post(client, events)
    answer = client.get("/api/v1/forecasts/waiting_time_intake", params={"asOf": AS_OF})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["kpiId"] == "waiting_time_intake" and body["historyMonths"] == 48
    figure = client.get(
        "/api/v1/kpis/waiting_time_intake", params={"from": "2026-01-01", "to": "2026-10-31"}
    ).json()["groups"][0]["value"]
    months = [m["expected"] for m in body["months"]]
    # days like the KPI's own, and a tertial of days, not three or four months of them
    assert all(0.5 * figure <= m <= 2 * figure for m in months), (figure, months)
    assert min(months) / 2 <= body["tertial"]["expected"] <= 2 * max(months)
