"""A batch computes the figures readers asked since the previous batch before it commits
(app/services/figure_warmer.py), on both databases: the reader after the batch, in any
serving process, gets the answer the batch handed over, which is what a computation after
the commit gives; another municipality's batch computes nothing of this one's and leaves
its figures for its own next batch; a batch that rolls back leaves nothing a reader is
served; a figure that fails to compute loses no event; the warming stops starting figures
once its share of the batch's time is spent, and a small batch takes on no figure costlier
than itself; FIGURE_WARM_IN_BATCH=0 turns it off."""

import time
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app.domain.kpis.figures import Cell, KpiQuery
from app.domain.terms import DEFAULT_TERMS
from app.main import create_app
from app.models import StoredEvent
from app.services import kpis
from app.services.events import Sender, record_batch
from app.services.figure_cache import FigureCache, MemoryStore
from app.services.figure_warmer import BatchWarming
from app.services.kpi_sql import evaluate_sql
from app.services.kpis import FigureRecipe
from app.settings import Settings
from scripts.generate_events import generate
from tests.factories import new_id

PATH = "/api/v1/kpis/inflow"
PARAMS = {"from": "2025-01-01", "to": "2026-11-30", "asOf": "2026-11-24", "groupBy": "team"}
QUERY = KpiQuery(date(2025, 1, 1), date(2026, 11, 30), ("team",), as_of=date(2026, 11, 24))


def cache_count(outcome: str) -> float:
    """wijkteam_figure_cache_total{outcome=...} of /metrics, in this process."""
    found = REGISTRY.get_sample_value("wijkteam_figure_cache_total", {"outcome": outcome})
    return found or 0.0


def warmed() -> float:
    """wijkteam_figures_warmed_total of /metrics, in this process."""
    return REGISTRY.get_sample_value("wijkteam_figures_warmed_total") or 0.0


# Hex digits as letters: a random id with nine digits in a row can pass the elfproef, and
# the service rightly refuses it as a BSN.
_LETTERS_FOR_DIGITS = str.maketrans("0123456789", "ghijklmnop")


def new_trajectories(
    count: int, seed: int, municipality: str | None = None
) -> list[dict[str, Any]]:
    """Trajectories no other test posts: fresh ids, as a case system would send them."""
    events = list(generate(count, seed=seed, municipality=municipality))
    renamed = {
        e["trajectoryId"]: f"W{uuid.uuid4().hex[:12].translate(_LETTERS_FOR_DIGITS)}"
        for e in events
    }
    for event in events:
        event["trajectoryId"] = renamed[event["trajectoryId"]]
        event["eventId"] = new_id()
    return events


def slower_queries(*args: Any) -> list[Cell]:
    """evaluate_sql a second slower: far longer than a batch of five trajectories takes."""
    time.sleep(1.0)
    return evaluate_sql(*args)


@pytest.fixture
def loaded(client: TestClient) -> Iterator[TestClient]:
    assert client.post("/api/v1/events/batch", json=new_trajectories(40, 7)).json()["created"]
    yield client


def test_the_read_after_a_batch_finds_what_the_batch_computed_in_every_process(
    loaded: TestClient, settings: Settings, tokens: dict[str, str]
) -> None:
    before_batch = loaded.get(PATH, params=PARAMS).json()  # asked: the next batch warms it
    batch = new_trajectories(30, 8)
    computed = warmed()
    assert loaded.post("/api/v1/events/batch", json=batch).json()["created"] == len(batch)
    assert warmed() == computed + 1
    handed, misses = cache_count("handed"), cache_count("miss")
    after_batch = loaded.get(PATH, params=PARAMS).json()
    assert cache_count("handed") == handed + 1  # the batch's answer, not computed here
    assert after_batch != before_batch  # with the batch's trajectories
    # another serving process, which never asked, finds it too
    other = settings.model_copy(update={"ingest_processes": 0})
    with TestClient(create_app(other), raise_server_exceptions=False) as second:
        second.headers["Authorization"] = f"Bearer {tokens['all']}"
        assert second.get(PATH, params=PARAMS).json() == after_batch
    assert (cache_count("handed"), cache_count("miss")) == (handed + 2, misses + 2)
    # and it is exactly what a computation after the commit gives
    uncached = settings.model_copy(update={"figure_cache": "none", "ingest_processes": 0})
    with TestClient(create_app(uncached), raise_server_exceptions=False) as computing:
        computing.headers["Authorization"] = f"Bearer {tokens['all']}"
        assert computing.get(PATH, params=PARAMS).json() == after_batch


def test_another_municipalitys_batch_computes_nothing_of_this_one(
    loaded: TestClient, tokens: dict[str, str]
) -> None:
    first = loaded.get(PATH, params=PARAMS).json()
    other = {"Authorization": f"Bearer {tokens['other']}"}
    batch = new_trajectories(5, 9, municipality="0200")
    answer = loaded.post("/api/v1/events/batch", json=batch, headers=other).json()
    assert answer["created"] == len(batch)
    computed, hits = warmed(), cache_count("hit")
    assert loaded.get(PATH, params=PARAMS).json() == first  # 0193's data did not change
    assert cache_count("hit") == hits + 1
    assert warmed() == computed
    # and it left 0193's figure for 0193's next batch, which warms it
    assert loaded.post("/api/v1/events/batch", json=new_trajectories(5, 13)).json()["created"]
    handed = cache_count("handed")
    assert loaded.get(PATH, params=PARAMS).json() != first
    assert (warmed(), cache_count("handed")) == (computed + 1, handed + 1)


def test_a_small_batch_takes_on_no_figure_costlier_than_itself(
    loaded: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case system posting a few events at a time must not wait for a dashboard's
    figure: what a figure cost when a reader computed it plans the batch's warming."""
    params = {**PARAMS, "from": "2025-02-01"}  # a figure no other test asks for
    with monkeypatch.context() as patched:
        patched.setattr("app.services.kpis.evaluate_sql", slower_queries)
        before_batch = loaded.get(PATH, params=params).json()  # asked, and cost 1 s
    computed, handed = warmed(), cache_count("handed")
    assert loaded.post("/api/v1/events/batch", json=new_trajectories(5, 15)).json()["created"]
    assert loaded.get(PATH, params=params).json() != before_batch  # computed by the reader
    assert (warmed(), cache_count("handed")) == (computed, handed)


def test_turned_off_a_batch_warms_nothing(settings: Settings, tokens: dict[str, str]) -> None:
    off = settings.model_copy(update={"figure_warm_in_batch": 0.0, "ingest_processes": 0})
    with TestClient(create_app(off), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {tokens['all']}"
        client.get(PATH, params=PARAMS)
        computed, handed = warmed(), cache_count("handed")
        assert client.post("/api/v1/events/batch", json=new_trajectories(5, 10)).json()["created"]
        client.get(PATH, params=PARAMS)
        assert (warmed(), cache_count("handed")) == (computed, handed)


def read(engine: Engine, cache: FigureCache) -> list[Cell]:
    with Session(engine) as session:
        return kpis.compute_figure(session, "0193", "inflow", QUERY, 10, cache).cells


def test_a_batch_that_rolls_back_leaves_no_answer_a_reader_is_served(
    loaded: TestClient, engine: Engine
) -> None:
    cache = FigureCache(MemoryStore(), uuid.uuid4().hex)
    before = read(engine, cache)
    warming = BatchWarming(cache.context, tuple(cache.take_pending()), share=1e6)
    sender = Sender("0193", None, DEFAULT_TERMS)
    with Session(engine) as session:
        outcome = record_batch(session, new_trajectories(30, 11), sender, warming)
        assert outcome.created and outcome.warmed  # computed, for a version never committed
        session.rollback()
    assert read(engine, cache) == before


def test_a_figure_that_fails_to_compute_loses_no_event(
    loaded: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = FigureCache(MemoryStore(), uuid.uuid4().hex)
    read(engine, cache)
    failing_query = KpiQuery(date(2026, 1, 1), date(2026, 6, 30))
    real = evaluate_sql

    def failing_once(session: Session, *args: Any) -> list[Cell]:
        if args[-1] == failing_query:  # a statement that fails: PostgreSQL aborts the
            session.execute(text("SELECT * FROM no_such_table"))  # transaction around it
        return real(session, *args)

    monkeypatch.setattr("app.services.kpis.evaluate_sql", failing_once)
    failing = FigureRecipe("0193", "inflow", failing_query, 10)
    recipes = ((failing, 0.0), *cache.take_pending())  # the failing one first: the next runs
    batch = new_trajectories(30, 12)
    with Session(engine) as session:
        outcome = record_batch(
            session,
            batch,
            Sender("0193", None, DEFAULT_TERMS),
            BatchWarming("", recipes, share=1e6),
        )
        session.commit()
    assert outcome.created == len(batch) and outcome.warmed == 1
    with Session(engine) as session:
        ids = [e["eventId"] for e in batch]
        stored = select(func.count()).where(StoredEvent.event_id.in_(ids))
        assert session.execute(stored).scalar_one() == len(batch)


def test_the_warming_stops_starting_figures_once_its_share_of_the_batch_is_spent(
    loaded: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget is `share` x the batch's own time: a figure starts only while less has
    been spent, so one slow figure keeps the rest for the readers to compute."""
    cache = FigureCache(MemoryStore(), uuid.uuid4().hex)
    for start in (date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1)):
        with Session(engine) as session:
            kpis.compute_figure(
                session, "0193", "inflow", KpiQuery(start, date(2026, 6, 30)), 10, cache
            )
    monkeypatch.setattr("app.services.kpis.evaluate_sql", slower_queries)
    warming = BatchWarming(cache.context, tuple(cache.take_pending()), share=1.0)
    batch = new_trajectories(5, 14)
    with Session(engine) as session:
        outcome = record_batch(session, batch, Sender("0193", None, DEFAULT_TERMS), warming)
        session.rollback()
    assert outcome.created == len(batch)
    assert outcome.warmed == 1  # the first took longer than the batch: none started after
