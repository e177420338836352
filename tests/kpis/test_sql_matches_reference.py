"""Served figures (SQL over the projection) equal the Python reference, on both databases."""

import math
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.figures import TIME_GRAINS, KpiQuery
from app.domain.kpis.reference import evaluate, open_intervals
from app.domain.kpis.spec import NO_BREAKDOWN, NO_TIME_SERIES, Duration, Reported
from app.services.figures.kpi_sql import evaluate_sql, open_intervals_sql
from scripts.generate_events import generate
from tests.conftest import empty_all_tables
from tests.helpers import as_plain, rows_of

DERIVED = [k for k in CATALOGUE if not isinstance(k.measure, Reported)]
GROUPINGS = [
    (),
    ("team",),
    ("domain", "quarter"),
    ("ageBand", "month"),
    ("provisionCategory",),
    ("professional", "quarter"),
    ("year",),
    ("tertial",),
]


def applicable(measure: Any, group_by: tuple[str, ...]) -> bool:
    query = KpiQuery(date(2025, 1, 1), date(2025, 1, 1), group_by)
    if query.dimensions and isinstance(measure, NO_BREAKDOWN):
        return False
    return not (query.grain and isinstance(measure, NO_TIME_SERIES))


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    size=st.integers(min_value=20, max_value=120),
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 6, 30)),
    length=st.integers(min_value=0, max_value=400),
    group_by=st.sampled_from(GROUPINGS),
    team_filter=st.sampled_from([None, "noord", "zuid"]),
    visible_teams=st.sampled_from([None, ("noord",), ("oost", "west")]),
)
def test_every_kpi_in_sql_equals_the_reference(
    app_client: TestClient,
    engine: Engine,
    seed: int,
    size: int,
    start: date,
    length: int,
    group_by: tuple[str, ...],
    team_filter: str | None,
    visible_teams: tuple[str, ...] | None,
) -> None:
    empty_all_tables(engine)
    events = list(generate(size, seed=seed))
    result = app_client.post("/api/v1/events/batch", json=events).json()
    assert result["rejected"] == 0
    trajectories, complaints, periods, applications, supports, steps = rows_of(engine)
    end = date.fromordinal(start.toordinal() + length)
    filters = (("team", team_filter),) if team_filter else ()
    query = KpiQuery(start, end, group_by, filters, as_of=date(2026, 11, 24), teams=visible_teams)
    with Session(engine) as session:
        for kpi in DERIVED:
            if not applicable(kpi.measure, group_by) or (
                filters and isinstance(kpi.measure, NO_BREAKDOWN)
            ):
                continue
            served = evaluate_sql(session, "0193", kpi.measure, query)
            expected = evaluate(
                kpi.measure, trajectories, query, complaints, periods, applications, supports, steps
            )
            assert as_plain(served) == as_plain(expected), kpi.id
            if isinstance(kpi.measure, Duration):
                still_open = open_intervals_sql(session, "0193", kpi.measure, query)
                assert still_open == open_intervals(
                    kpi.measure, trajectories, query, periods, steps
                ), kpi.id


@pytest.mark.parametrize("grain", TIME_GRAINS)
def test_period_labels_agree_across_databases(
    client: TestClient, engine: Engine, grain: str
) -> None:
    events = list(generate(60, seed=3))
    client.post("/api/v1/events/batch", json=events)
    trajectories, _, periods, applications, supports, steps = rows_of(engine)
    kpi = next(k for k in CATALOGUE if k.id == "inflow")
    query = KpiQuery(date(2025, 1, 1), date(2026, 12, 31), (grain,))
    with Session(engine) as session:
        served = evaluate_sql(session, "0193", kpi.measure, query)
    assert as_plain(served) == as_plain(
        evaluate(kpi.measure, trajectories, query, (), periods, applications, supports, steps)
    )
    assert sum(c.n for c in served) == 60
    assert not any(math.isnan(c.n) for c in served)


def test_every_derived_kpi_has_figures_over_two_busy_years_and_sql_agrees(
    client: TestClient, engine: Engine
) -> None:
    events = list(generate(400, seed=1))
    client.post("/api/v1/events/batch", json=events)
    trajectories, complaints, periods, applications, supports, steps = rows_of(engine)
    with Session(engine) as session:
        for kpi in DERIVED:
            group_by = () if isinstance(kpi.measure, NO_BREAKDOWN) else ("team",)
            query = KpiQuery(
                date(2025, 1, 1), date(2026, 11, 30), group_by, as_of=date(2026, 11, 24)
            )
            served = evaluate_sql(session, "0193", kpi.measure, query)
            assert served, f"{kpi.id} has no figures for two years of 400 trajectories"
            assert any(c.value for c in served), kpi.id
            assert as_plain(served) == as_plain(
                evaluate(
                    kpi.measure,
                    trajectories,
                    query,
                    complaints,
                    periods,
                    applications,
                    supports,
                    steps,
                )
            ), kpi.id
