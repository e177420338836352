"""A reader of figures only cannot recover a small count by combining queries.

The attacker is played against the service over HTTP with a kpi:read token: overlapping
periods (January-June minus January-May), a period shifted by one day (a single day), a
filter against the total and its complements, a breakdown against the figure without it,
each number taken from JSON, CSV or /figures at random. What it recovers is compared with
the exact count, read from the database without any protection. A recovered count of 1..4
that equals the truth is a leak; the test fails on the first.

It fails on the service before rounding (every attack below recovered its count; checked),
and it makes sure the attacks it counts were possible: both numbers shown, the truth small.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.domain.kpis.catalogue import KPIS
from app.domain.kpis.figures import KpiQuery
from app.domain.kpis.spec import PerTrajectory, Reported
from app.services.figures.kpi_sql import evaluate_sql
from scripts.generate_events import TEAMS, generate

FIRST, LAST = date(2026, 1, 1), date(2026, 10, 31)
ATTACKED = ("inflow", "outflow")
SMALL = range(1, 5)


@dataclass
class Reader:
    """What a kpi:read client sees: n of a figure, from one of the three routes."""

    client: TestClient
    token: str
    asked: dict[tuple[Any, ...], int | None] = field(default_factory=dict)

    def n(self, kpi: str, start: date, end: date, team: str | None, route: str) -> int | None:
        params = {"from": start.isoformat(), "to": end.isoformat()}
        if route == "figures":  # /figures has no filter: the team's row of groupBy=team
            params["groupBy"] = "team"
        elif team is not None:
            params["team"] = team
        headers = {"Authorization": f"Bearer {self.token}"}
        path = {
            "json": f"/api/v1/kpis/{kpi}",
            "csv": f"/api/v1/kpis/{kpi}/table",
            "figures": "/api/v1/figures",
        }[route]
        answer = self.client.get(path, params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        shown = self._read(answer, route, kpi, team)
        # the same figure asked by any route gives the same number (else: average them)
        key = (kpi, start, end, team)
        if key in self.asked and shown is not None and self.asked[key] is not None:
            assert self.asked[key] == shown, (key, route)
        self.asked.setdefault(key, shown)
        return shown

    @staticmethod
    def _read(answer: Any, route: str, kpi: str, team: str | None) -> int | None:
        if route == "json":
            groups = answer.json()["groups"]
            return groups[0]["n"] if groups else 0
        if route == "csv":
            rows = list(csv.DictReader(io.StringIO(answer.text)))
            return (int(rows[0]["n"]) if rows[0]["n"] else None) if rows else 0
        figures: list[dict[str, Any]] = [r for r in answer.json()["rows"] if r["kpi"] == kpi]
        if team is None:
            return None  # /figures shows the teams' rows: the total is not read here
        mine = [r for r in figures if r["group"]["team"] == team]
        return int(mine[0]["n"]) if mine and mine[0]["n"] is not None else (None if mine else 0)


@dataclass
class Truth:
    engine: Engine

    def n(self, kpi: str, start: date, end: date, team: str | None) -> int:
        measure = KPIS[kpi].measure
        assert not isinstance(measure, Reported)
        filters = (("team", team),) if team else ()
        with Session(self.engine) as session:
            cells = evaluate_sql(session, "0193", measure, KpiQuery(start, end, filters=filters))
        return cells[0].n if cells else 0


@dataclass
class Tally:
    possible: int = 0  # attacks on a small count with every number shown
    leaks: list[tuple[Any, ...]] = field(default_factory=list)

    def judge(self, attack: tuple[Any, ...], recovered: int | None, truth: int) -> None:
        if recovered is None or truth not in SMALL:
            return
        self.possible += 1
        if recovered == truth:
            self.leaks.append((*attack, truth))


DAY = st.integers(0, (LAST - FIRST).days)
ROUTE = st.sampled_from(["json", "csv", "figures"])
TEAM = st.sampled_from(sorted(TEAMS))


def attacks(reader: Reader, truth: Truth, tally: Tally) -> Callable[..., None]:
    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        derandomize=True,  # the same attacks each run: the count of possible ones is stable
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        kind=st.sampled_from(["overlap", "shift", "complement"]),
        kpi=st.sampled_from(ATTACKED),
        start=DAY,
        length=st.integers(20, 120),
        cut=st.integers(1, 15),
        team=TEAM,
        routes=st.lists(ROUTE, min_size=8, max_size=8),
    )
    def attack(
        kind: str, kpi: str, start: int, length: int, cut: int, team: str, routes: list[str]
    ) -> None:
        first = FIRST + timedelta(days=start)
        last = min(first + timedelta(days=length), LAST)
        if kind == "overlap":  # [first, last] minus [first, last - cut]: the last days
            shorter = last - timedelta(days=cut)
            if shorter < first:
                return
            recovered = _minus(
                reader.n(kpi, first, last, team, routes[0]),
                reader.n(kpi, first, shorter, team, routes[1]),
            )
            exact = truth.n(kpi, shorter + timedelta(days=1), last, team)
        elif kind == "shift":  # [first, last] minus [first + 1, last]: a single day
            recovered = _minus(
                reader.n(kpi, first, last, team, routes[0]),
                reader.n(kpi, first + timedelta(days=1), last, team, routes[1]),
            )
            exact = truth.n(kpi, first, first, team)
        else:  # the total minus every other team: this team
            others = [t for t in sorted(TEAMS) if t != team]
            parts = [reader.n(kpi, first, last, t, r) for t, r in zip(others, routes, strict=False)]
            total = reader.n(
                kpi, first, last, None, routes[-1] if routes[-1] != "figures" else "json"
            )
            recovered = None if None in parts else _minus(total, sum(p or 0 for p in parts))
            exact = truth.n(kpi, first, last, team)
        tally.judge((kind, kpi, first, last, team), recovered, exact)

    return attack


def _minus(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


def test_no_small_count_is_recovered_by_combining_queries(
    client: TestClient, engine: Engine, tokens: dict[str, str]
) -> None:
    events = list(generate(500, seed=21, start=FIRST, end=LAST))
    for offset in range(0, len(events), 5000):
        posted = client.post("/api/v1/events/batch", json=events[offset : offset + 5000])
        assert posted.json()["rejected"] == 0
    tally = Tally()
    attacks(Reader(client, tokens["kpi:read"]), Truth(engine), tally)()
    assert tally.leaks == [], f"{len(tally.leaks)} of {tally.possible} attacks recovered a count"
    assert tally.possible >= 20, "too few attacks reached a small count with both numbers shown"


COUNTS = ("n", "numerator", "denominator", "closed", "pending", "partly")


def counts_in(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every count a figure shows: its n, numerator, denominator and those of its details."""
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for name, inner in value.items():
            where = f"{path}.{name}"
            counted = name in COUNTS or path.endswith("breakdown")
            if counted and isinstance(inner, int | float):
                found.append((where, inner))
            else:
                found += counts_in(inner, where)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += counts_in(inner, f"{path}[{index}]")
    return found


def test_every_count_a_reader_of_figures_sees_is_a_multiple_of_five(
    client: TestClient, tokens: dict[str, str]
) -> None:
    """The invariant behind the property above: a sum or difference of multiples of five
    is one too, so no combination of queries gives 1..4 exactly. Every derived KPI, with
    and without breakdowns, with its details; and an audit reader still sees exact counts."""
    events = list(generate(300, seed=5, start=FIRST, end=LAST))
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    reader = {"Authorization": f"Bearer {tokens['kpi:read']}"}
    checked, exact_seen = 0, False
    for kpi in (k for k in KPIS.values() if not isinstance(k.measure, Reported)):
        for group_by in ("", "team", "month"):
            params = {"from": "2026-01-01", "to": "2026-10-31", "groupBy": group_by}
            figure = client.get(f"/api/v1/kpis/{kpi.id}", params=params, headers=reader)
            if figure.status_code == 400:  # a breakdown this KPI does not have
                continue
            body = figure.json()
            counts = [*counts_in(body["groups"]), ("openIntervals", body["openIntervals"])]
            # a per-trajectory KPI's numerator is a total of hours or contacts, not of people
            hours = isinstance(kpi.measure, PerTrajectory)
            shown = [
                (where, c)
                for where, c in counts
                if c is not None and not (hours and where.endswith(".numerator"))
            ]
            assert all(c % 5 == 0 for _, c in shown), (kpi.id, group_by, shown)
            checked += len(shown)
            for group in body["groups"]:
                if group["numerator"] is not None and group["denominator"]:
                    scale = 100 if kpi.id == "complaints" else 1
                    share = scale * group["numerator"] / group["denominator"]
                    assert abs(group["value"] - share) < 1e-3, (kpi.id, group)
            audit = client.get(f"/api/v1/kpis/{kpi.id}", params=params).json()  # every scope
            exact_seen |= any(c % 5 for _, c in counts_in(audit["groups"]) if c is not None)
    assert checked > 200
    assert exact_seen, "a reader with audit:read sees exact counts"
