"""The same data gives the same digits, whatever order its rows are stored in.

Every projection table is rewritten in shuffled physical order (PostgreSQL's heap and
SQLite's rowid order follow insertion) and every derived KPI, with and without a
breakdown, must answer exactly as before: sums are exact (whole numbers) and a figure is
divided and rounded once (half to even, 4 decimals).
"""

import random
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, insert, select

from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.spec import NO_BREAKDOWN, Reported
from app.services.projection.store import PROJECTION_TABLES
from scripts.generate_events import generate


def every_figure(client: TestClient) -> list[Any]:
    figures = []
    for kpi in CATALOGUE:
        if isinstance(kpi.measure, Reported):
            continue
        for group_by in [None] if isinstance(kpi.measure, NO_BREAKDOWN) else [None, "team"]:
            params = {"from": "2025-01-01", "to": "2026-10-31", "asOf": "2026-11-30"}
            if group_by:
                params["groupBy"] = group_by
            response = client.get(f"/api/v1/kpis/{kpi.id}", params=params)
            assert response.status_code == 200, response.text
            figures.append(response.json())
    return figures


def reshuffle(engine: Engine, rnd: random.Random) -> None:
    with engine.begin() as connection:
        for model in PROJECTION_TABLES:
            rows = [dict(r._mapping) for r in connection.execute(select(model.__table__))]
            rnd.shuffle(rows)
            connection.execute(delete(model))
            for row in rows:  # one by one: the physical order is the shuffled order
                connection.execute(insert(model), row)


def test_figures_do_not_depend_on_the_physical_order_of_rows(
    kpi_client: TestClient, engine: Engine
) -> None:
    events = list(generate(400, seed=5))
    assert kpi_client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    before = every_figure(kpi_client)
    for seed in (1, 2, 3):
        reshuffle(engine, random.Random(seed))
        assert every_figure(kpi_client) == before, f"shuffle {seed}"
