"""The figure cache, on both databases: a figure read again without a validator (as Power BI
reads) is served from the cache and is the same answer; every write that changes it, a team
limit and a restored database all make it computed afresh; Redis shares it between
processes."""

import os
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from datetime import time as time_of_day
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.db import create_session_factory
from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.figures import Cell, DurationStats, KpiQuery
from app.main import create_app
from app.services import audit as audit_service
from app.services.figures import kpis
from app.services.figures.cache import FigureCache, MemoryStore, RedisStore, decode, encode
from app.services.figures.kpi_sql import evaluate_sql
from app.services.figures.warmer import DailyWarmer, warm
from app.services.storage import data_version, job_runs
from app.services.storage.job_runs import seconds_until
from app.settings import Settings
from scripts.generate_events import generate
from tests.factories import opened

PERIOD = {"from": "2025-01-01", "to": "2026-11-30", "asOf": "2026-11-24"}


def hits() -> float:
    """What /metrics reports as wijkteam_figure_cache_total{outcome="hit"} in this process."""
    found = REGISTRY.get_sample_value("wijkteam_figure_cache_total", {"outcome": "hit"})
    return found or 0.0


@pytest.fixture(scope="module")
def generated() -> list[dict[str, object]]:
    return list(generate(60, seed=5))


@pytest.fixture
def loaded(client: TestClient, generated: list[dict[str, object]]) -> Iterator[TestClient]:
    assert client.post("/api/v1/events/batch", json=generated).json()["rejected"] == 0
    yield client


def test_cells_come_back_exactly_as_stored() -> None:
    cells = [
        Cell(key={"team": "noord"}, n=12, value=0.5, numerator=6.0, denominator=12.0),
        Cell(key={"team": "zuid"}, n=0, suppressed=True),
        Cell(
            key={},
            n=7,
            value=3.0,
            mean=3.5,
            median=3.0,
            p90=6.1,
            extra={"resolution": DurationStats(5, 2.0, 2.0, None), "breakdown": {"a": 1}},
        ),
    ]
    assert decode(encode((cells, 3))) == (cells, 3)


def test_every_kpi_read_again_is_a_hit_with_the_same_answer(loaded: TestClient) -> None:
    for kpi in CATALOGUE:
        for params in (PERIOD, {**PERIOD, "groupBy": "team"}, {**PERIOD, "groupBy": "month"}):
            first = loaded.get(f"/api/v1/kpis/{kpi.id}", params=params)
            if first.status_code == 400:
                continue  # a breakdown this KPI does not have
            before = hits()
            again = loaded.get(f"/api/v1/kpis/{kpi.id}", params=params)
            assert again.json() == first.json(), (kpi.id, params)
            derived = kpi.id not in {"cost_per_trajectory", "awareness", "reachability"}
            assert hits() == before + (1 if derived else 0), (kpi.id, params)


def test_a_write_a_team_limit_and_a_restore_each_compute_afresh(
    loaded: TestClient, engine: Engine, generated: list[dict[str, object]]
) -> None:
    path, params = "/api/v1/kpis/inflow", {**PERIOD, "groupBy": "team"}
    first = loaded.get(path, params=params).json()
    # a duplicate writes nothing: still a hit
    before = hits()
    assert loaded.post("/api/v1/events/batch", json=generated[:5]).json()["duplicates"] == 5
    assert loaded.get(path, params=params).json() == first
    assert hits() == before + 1
    # a new trajectory changes the figure: computed again, and it shows
    new = {**generated[0], "eventId": "0f0f0f0f-0000-4000-8000-000000000001"}
    new["trajectoryId"] = "CACHE-NEW"
    assert loaded.post("/api/v1/events", json=new).status_code == 201
    before = hits()
    changed = loaded.get(path, params=params).json()
    assert hits() == before
    assert changed != first
    # a restored database hands out no version twice: the cache cannot take old for new
    with Session(engine) as session:
        seen = data_version.current(session, "0193")
        session.execute(text("UPDATE data_versions SET version = 1"))  # as a backup had it
        data_version.bump(session, ["0193"])
        assert data_version.current(session, "0193") > seen
        session.commit()


def test_a_team_limited_reader_never_gets_the_whole_municipalitys_cells(
    loaded: TestClient,
) -> None:
    path, params = "/api/v1/kpis/inflow", {**PERIOD, "groupBy": "team"}
    everyone = loaded.get(path, params=params).json()
    limited = loaded.post(
        "/api/v1/clients",
        json={"name": "noord", "scopes": ["kpi:read"], "municipality": "0193", "teams": ["noord"]},
    ).json()["token"]
    own = loaded.get(path, params=params, headers={"Authorization": f"Bearer {limited}"}).json()
    assert {g["key"]["team"] for g in own["groups"]} <= {"noord"}
    assert own != everyone


def test_processes_share_figures_through_redis(
    settings: Settings, loaded: TestClient, tokens: dict[str, str]
) -> None:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379") + "/1"
    shared = settings.model_copy(update={"figure_cache": url})
    # a period no other test asks for, so this run's keys are its own
    params = {"from": "2025-01-01", "to": "2026-11-29", "asOf": "2026-11-23"}
    headers = {"Authorization": f"Bearer {tokens['kpi:read']}"}
    with TestClient(create_app(shared)) as one, TestClient(create_app(shared)) as other:
        computed = one.get("/api/v1/kpis/lead_time", params=params, headers=headers)
        before = hits()
        served = other.get("/api/v1/kpis/lead_time", params=params, headers=headers)
        assert served.json() == computed.json()
        assert hits() == before + 1


def test_an_audit_summary_read_again_is_a_hit_until_an_event_changes_it(
    loaded: TestClient,
) -> None:
    params = {"from": "2025-01-01", "to": "2026-11-30", "groupBy": "team", "asOf": "2026-11-24"}
    first = loaded.get("/api/v1/audit/summary", params=params).json()
    before = hits()
    assert loaded.get("/api/v1/audit/summary", params=params).json() == first
    assert hits() == before + 1
    new = opened("2026-03-02T09:00:00+01:00", "CACHE-AUDIT", team="noord")
    assert loaded.post("/api/v1/events", json=new).status_code == 201
    changed = loaded.get("/api/v1/audit/summary", params=params).json()
    assert changed != first


def test_redis_away_costs_speed_never_an_answer(
    settings: Settings, loaded: TestClient, tokens: dict[str, str]
) -> None:
    # a port nothing listens on: every look-up fails, every figure is computed
    away = settings.model_copy(update={"figure_cache": "redis://127.0.0.1:1/0"})
    headers = {"Authorization": f"Bearer {tokens['kpi:read']}"}
    with TestClient(create_app(away)) as service:
        answer = service.get("/api/v1/kpis/inflow", params=PERIOD, headers=headers)
        assert answer.status_code == 200
        assert answer.json() == loaded.get("/api/v1/kpis/inflow", params=PERIOD).json()


@pytest.mark.parametrize("shared", [False, True], ids=["memory", "redis"])
def test_readers_asking_at_once_compute_a_figure_once(
    loaded: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch, shared: bool
) -> None:
    """Six readers ask for the same cold figure at the same moment (a Monday's refresh, or
    every dashboard after a batch): the aggregate runs once and all six get its answer. With
    Redis the six are spread over two processes' caches."""
    queries = []
    real = evaluate_sql

    def slow_query(*args: Any) -> Any:
        queries.append(args)
        time.sleep(0.3)  # long enough that every reader arrives while it runs
        return real(*args)

    monkeypatch.setattr("app.services.figures.kpis.evaluate_sql", slow_query)
    context = uuid.uuid4().hex  # this run's keys are its own, also in a shared Redis
    if shared:
        url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379") + "/1"
        caches = [FigureCache(RedisStore(url), context), FigureCache(RedisStore(url), context)]
    else:
        caches = [FigureCache(MemoryStore(), context)] * 2
    query = KpiQuery(date(2025, 1, 1), date(2026, 11, 30), ("team",))
    start = threading.Barrier(6)

    def reader(number: int) -> list[Cell]:
        with Session(engine) as session:
            start.wait()
            cache = caches[number % 2]
            return kpis.compute_figure(session, "0193", "inflow", query, 5, cache).cells

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(reader, range(6)))
    assert len(queries) == 1
    assert all(answer == answers[0] for answer in answers)
    assert any(cell.n for cell in answers[0])  # a real figure, not an empty one


def test_the_figures_asked_yesterday_are_computed_for_the_new_day_before_anyone_asks(
    loaded: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Monday morning: no event since Friday, but the day is part of every key. The night's
    warming computes what was asked (figures, and the compliance page's summary as of
    today), so the first refresh of the day is a hit with the answer a computation gives."""
    queries: list[Any] = []
    real = evaluate_sql

    def counted(*args: Any) -> Any:
        queries.append(args)
        return real(*args)

    monkeypatch.setattr("app.services.figures.kpis.evaluate_sql", counted)
    cache = FigureCache(MemoryStore(), uuid.uuid4().hex)
    asked = [
        KpiQuery(date(2025, 1, 1), date(2026, 11, 30), ("team",), as_of=date(2026, 11, 27)),
        KpiQuery(date(2026, 1, 1), date(2026, 11, 30), ("month",), as_of=date(2026, 11, 27)),
    ]

    summaries: list[Any] = []
    real_summary = audit_service._summary

    def counted_summary(*args: Any) -> Any:
        summaries.append(args)
        return real_summary(*args)

    monkeypatch.setattr("app.services.audit._summary", counted_summary)

    def read(query: KpiQuery) -> list[Cell]:
        with Session(engine) as session:
            return kpis.compute_figure(session, "0193", "inflow", query, 5, cache).cells

    def compliance(today: date) -> list[Any]:  # as the compliance page asks: as of today
        with Session(engine) as session:
            start, end = date(2025, 1, 1), date(2026, 11, 30)
            return audit_service.summary(session, "0193", start, end, "team", today, None, cache)

    def on(day: date) -> None:
        for module in ("figures.cache", "audit"):
            monkeypatch.setattr(f"app.services.{module}.local_today", lambda: day)

    friday, monday = date(2026, 11, 27), date(2026, 11, 30)
    on(friday)
    on_friday = [read(q) for q in asked]
    compliance(friday)
    on(monday)
    assert warm(create_session_factory(engine), cache) == len(asked) + 1
    computed = (len(queries), len(summaries))
    assert [read(q) for q in asked] == on_friday  # no event since: the same cells
    assert compliance(monday)  # judged as of Monday, the day it was warmed for
    assert (len(queries), len(summaries)) == computed  # nothing at the reader's request


def test_three_replicas_sharing_redis_warm_each_day_once_what_any_of_them_was_asked(
    loaded: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three replicas, one database, one Redis, the clock the test's: each replica's readers
    asked for other figures on Friday; at the night's hour all three reach the warming of
    Monday at once. One claims the run (storage.job_runs) and warms what the cluster was
    asked; the other two leave it. Tuesday, again once. A remembered figure nobody sealed
    with the service's secret is never unpickled."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379") + "/1"
    context, secret = uuid.uuid4().hex, b"the disclosure key"
    replicas = [FigureCache(RedisStore(url), context, secret) for _ in range(3)]
    sessions = create_session_factory(engine)
    warmers = [DailyWarmer(sessions, cache, time_of_day(0, 5)) for cache in replicas]
    queries: list[Any] = []
    real = evaluate_sql

    def counted(*args: Any) -> Any:
        queries.append(args)
        return real(*args)

    monkeypatch.setattr("app.services.figures.kpis.evaluate_sql", counted)

    def on(day: date) -> None:
        for module in ("figures.cache", "audit"):
            monkeypatch.setattr(f"app.services.{module}.local_today", lambda: day)

    on(date(2026, 11, 27))
    for number, cache in enumerate(replicas):  # each replica was asked for another grain
        query = KpiQuery(
            date(2026, 1, 1), date(2026, 11, 30), (("team", "month", "tertial")[number],)
        )
        with Session(engine) as session:
            kpis.compute_figure(session, "0193", "inflow", query, 5, cache)
    RedisStore(url).remember(f"wijkteam:asked:{context}", b"\0" * 32 + b"forged", 10)

    for day in (date(2026, 11, 30), date(2026, 12, 1)):
        on(day)
        before = len(queries)
        start = threading.Barrier(3)

        def night(
            warmer: DailyWarmer, day: date = day, start: threading.Barrier = start
        ) -> int | None:
            start.wait()
            return warmer.warm_day(day)

        with ThreadPoolExecutor(3) as pool:
            outcomes = list(pool.map(night, warmers))
        assert sorted(outcomes, key=str) == [3, None, None]  # one warmed all three figures
        assert len(queries) - before == 3
    with sessions() as session:
        runs = job_runs.runs_of(session, "figure-warming")
        assert [r.run_key for r in runs] == ["2026-11-30", "2026-12-01"]
        assert all(r.finished_at is not None for r in runs)


@pytest.mark.parametrize(
    ("now", "hours"),
    [
        ("2026-11-30T23:59:00+01:00", 6 / 60),
        ("2026-11-30T00:05:00+01:00", 24),  # just warmed: the next night
        ("2026-10-25T00:05:00+02:00", 25),  # the day the clocks go back has 25 hours
        ("2026-03-29T00:05:00+01:00", 23),  # and the day they go forward 23
        ("2026-03-28T22:05:00+00:00", 1),  # UTC in, Amsterdam's clock decides
    ],
)
def test_the_warming_waits_for_the_next_night_on_the_municipalitys_clock(
    now: str, hours: float
) -> None:
    waited = seconds_until(time_of_day(0, 5), datetime.fromisoformat(now))
    assert waited == pytest.approx(hours * 3600)
