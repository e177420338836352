"""No suppressed number can be recovered by subtracting shown numbers from a total.

A property over random tables (the pure rule) and a walk over every KPI, breakdown and
details block of generated data (JSON and CSV, both databases).
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.disclosure import BREAKDOWN_CATEGORIES, protect
from app.domain.kpis.figures import Cell, DurationStats
from app.domain.kpis.spec import NO_BREAKDOWN, NO_TIME_SERIES, Reported
from scripts.generate_events import generate

K = 5
REASONS = BREAKDOWN_CATEGORIES["close_reason"]

# --- the pure rule ---------------------------------------------------------------------


@st.composite
def tables(draw: st.DrawFn) -> list[Cell]:
    teams = draw(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=5, unique=True))
    months = draw(
        st.lists(st.sampled_from(["01", "02", "03"]), min_size=1, max_size=3, unique=True)
    )
    cells = []
    # Sparse on purpose: a team without cases in some months, a reason seldom given. A
    # group alone in its row and its column is where complementary suppression has no
    # partner (the leak a run of this test once found).
    count = st.one_of(st.just(0), st.integers(1, 12))
    for team in teams:
        for month in months:
            if not draw(st.booleans()):
                continue
            reasons = draw(st.lists(count, min_size=len(REASONS), max_size=len(REASONS)))
            n = sum(reasons)
            if n == 0:
                continue
            cells.append(
                Cell(
                    key={"team": team, "month": month},
                    n=n,
                    value=n,
                    extra={
                        "breakdown": dict(zip(REASONS, reasons, strict=True)),
                        "items": {
                            "overall": {
                                "n": draw(st.integers(0, n)),
                                "mean": 3.0,
                                "shareAgree": 0.5,
                            }
                        },
                        "resolution": DurationStats(draw(st.integers(0, 8)), 2.0, 2.0, 2.0),
                        "partly": draw(st.integers(0, 9)),
                        "partlyShare": 0.1,
                    },
                )
            )
    return cells


def aggregate(cells: list[Cell], keep: tuple[str, ...]) -> list[Cell]:
    """The same population grouped by fewer dimensions: what another request would show."""
    merged: dict[tuple[Any, ...], list[Cell]] = defaultdict(list)
    for cell in cells:
        merged[tuple((d, cell.key[d]) for d in keep)].append(cell)
    result = []
    for key, group in merged.items():
        n = sum(c.n for c in group)
        result.append(
            Cell(
                key=dict(key),
                n=n,
                value=n,
                extra={
                    "breakdown": {r: sum(c.extra["breakdown"][r] for c in group) for r in REASONS},
                    "items": {
                        "overall": {
                            "n": sum(c.extra["items"]["overall"]["n"] for c in group),
                            "mean": 3.0,
                            "shareAgree": 0.5,
                        }
                    },
                    "resolution": DurationStats(
                        sum(c.extra["resolution"].n for c in group), 2.0, 2.0, 2.0
                    ),
                    "partly": sum(c.extra["partly"] for c in group),
                    "partlyShare": 0.1,
                },
            )
        )
    return result


def shown_numbers(cell: Cell) -> dict[str, int | None]:
    """Every count of a protected cell by name (None: suppressed)."""
    if cell.suppressed:
        return {}
    extra = cell.extra
    numbers: dict[str, int | None] = {"n": cell.n}
    numbers |= {f"reason.{r}": extra["breakdown"][r] for r in REASONS}
    numbers["item"] = extra["items"]["overall"]["n"]
    numbers["resolution"] = extra["resolution"]["n"]
    numbers["partly"] = extra["partly"]
    return numbers


def true_numbers(cell: Cell) -> dict[str, int]:
    numbers = {"n": cell.n} | {f"reason.{r}": cell.extra["breakdown"][r] for r in REASONS}
    numbers["item"] = cell.extra["items"]["overall"]["n"]
    numbers["resolution"] = cell.extra["resolution"].n
    numbers["partly"] = cell.extra["partly"]
    return numbers


Sum = tuple[list[Any], Any, Any]  # (its parts, its total if given, or where to read it)


def subtract(sums: list[Sum], known: dict[Any, Any]) -> list[tuple[Any, Any]]:
    """The reader's attack: any sum with one unknown part left gives that part away, and
    may open the next sum; repeated while it yields anything. Returns what it recovered."""
    recovered = []
    progress = True
    while progress:
        progress = False
        for parts, stated, total_of in sums:
            total = known.get(total_of) if total_of is not None else stated
            unknown = [p for p in parts if p not in known]
            if total is None or len(unknown) != 1:
                continue
            known[unknown[0]] = total - sum(known[p] for p in parts if p in known)
            recovered.append((unknown[0], known[unknown[0]]))
            progress = True
    return recovered


def leaks(cells: list[Cell]) -> list[Any]:
    """Small hidden numbers a reader recovers by subtraction, repeated as long as it helps.

    The reader knows every shown number of this figure, the shown numbers of the same
    figure without a breakdown (its total), and that the reasons of a group add up to its
    n. Any sum with one unknown left gives that unknown away, which may open the next.
    (Totals of *other* breakdowns, e.g. by team alone against team x month, are not in
    the model: a sparse table can be differenced across requests; see disclosure.py.)
    """
    if not cells:
        return []
    table = protect(cells, K, "close_reason")
    known: dict[tuple[int, str], int] = {}
    for index, out in enumerate(table):
        known |= {(index, name): v for name, v in shown_numbers(out).items() if v is not None}
    truth = {(i, name): v for i, c in enumerate(cells) for name, v in true_numbers(c).items()}
    sums: list[tuple[list[tuple[int, str]], int | None, tuple[int, str] | None]] = []
    (grand,) = protect(aggregate(cells, ()), K, "close_reason")
    for name, total in shown_numbers(grand).items():
        sums.append(([(i, name) for i in range(len(cells))], total, None))
    for index in range(len(cells)):
        sums.append(([(index, f"reason.{r}") for r in REASONS], None, (index, "n")))
    subtract(sums, known)
    return [
        (cells[i].key, name, truth[(i, name)])
        for (i, name), value in known.items()
        if 0 < truth[(i, name)] < K
    ]


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_suppressed_number_is_recoverable_by_subtraction(cells: list[Cell]) -> None:
    for dims in (("team", "month"), ("team",), ("month",)):
        table = cells if len(dims) == 2 else aggregate(cells, dims)
        shown = protect(table, K, "close_reason")
        for true, out in zip(table, shown, strict=True):
            for name, count in shown_numbers(out).items():
                # shown: the true number, and 0 or at least K
                assert count is None or (
                    count == true_numbers(true)[name] and (count == 0 or count >= K)
                )
        assert leaks(table) == []


def test_a_group_alone_in_its_row_and_its_column_is_not_given_away_by_the_total() -> None:
    """Team a has one closure, in February, when no other team has any; the others close
    in January. No row or column can complement team a's February, but the figure
    without a breakdown (total 19) minus the shown 10 and 8 gave its 1 back."""

    def closed(team: str, month: str, reason: str, n: int) -> Cell:
        breakdown = dict.fromkeys(REASONS, 0) | {reason: n}
        extra = {
            "breakdown": breakdown,
            "items": {"overall": {"n": 0, "mean": None, "shareAgree": None}},
            "resolution": DurationStats(0, None, None, None),
            "partly": 0,
            "partlyShare": None,
        }
        return Cell(key={"team": team, "month": month}, n=n, value=n, extra=extra)

    cells = [closed("a", "02", "other", 1), closed("b", "01", "moved", 10)]
    cells.append(closed("c", "01", "moved", 8))
    assert leaks(cells) == []
    # 8, the smallest other, hides with it; then January's column would give the 8 back
    # from the figure by month (18), so the 10 hides too.
    assert [cell.suppressed for cell in protect(cells, K, "close_reason")] == [True] * 3


def test_the_tester_example_a_month_with_three_deceased() -> None:
    # total 203, one reason of 3: before, 203 - 200 shown gave "deceased: 3" back.
    breakdown = dict.fromkeys(REASONS, 0) | {"goals_achieved": 150, "moved": 50, "deceased": 3}
    (cell,) = protect(
        [Cell(key={"month": "2026-03"}, n=203, value=203, extra={"breakdown": breakdown})],
        K,
        "close_reason",
    )
    shown = cell.extra["breakdown"]
    assert shown["deceased"] is None and shown["moved"] is None  # the smallest other goes too
    assert shown["goals_achieved"] == 150
    assert shown["other"] == 0


# --- through the API, every KPI and breakdown ---------------------------------------------

DERIVED = [k for k in CATALOGUE if not isinstance(k.measure, Reported)]


def group_bys(kpi: Any) -> list[str | None]:
    if isinstance(kpi.measure, NO_BREAKDOWN):
        return [None]
    if isinstance(kpi.measure, NO_TIME_SERIES):
        return [None, "team", "district"]
    return [None, "team", "month", "team,month", "district,quarter"]


def numbers_of(group: dict[str, Any]) -> Iterator[tuple[str, int | None]]:
    yield "n", group["n"]
    details = group.get("details") or {}
    for reason, count in (details.get("breakdown") or {}).items():
        yield f"breakdown.{reason}", count
    for item, stats in (details.get("items") or {}).items():
        yield f"items.{item}", stats["n"]
    if details.get("resolution") is not None:
        yield "resolution", details["resolution"]["n"]
    if "partly" in details:
        yield "partly", details["partly"]


def check_figure(groups: list[dict[str, Any]], totals: list[dict[str, Any]]) -> None:
    """Shown counts are 0 or at least K, and the reader's subtraction attack (this figure's
    numbers, the figure's total without a breakdown, the reasons adding up to a group's n,
    repeated while it helps) recovers no number between 1 and K-1."""
    names = sorted(
        {name for g in [*groups, *totals] if not g["suppressed"] for name, _ in numbers_of(g)}
    )
    known: dict[tuple[int, str], float] = {}
    for index, group in enumerate(groups):
        if group["suppressed"]:
            continue
        for name, count in numbers_of(group):
            assert count is None or count == 0 or count >= K, (name, count)
            if count is not None:
                known[(index, name)] = count
    grand = {} if not totals or totals[0]["suppressed"] else dict(numbers_of(totals[0]))
    sums: list[tuple[list[tuple[int, str]], float | None, tuple[int, str] | None]] = [
        ([(i, name) for i in range(len(groups))], grand.get(name), None) for name in names
    ]
    for index in range(len(groups)):
        reasons = [(index, name) for name in names if name.startswith("breakdown.")]
        if reasons:
            sums.append((reasons, None, (index, "n")))
    recovered = [(groups[i]["key"], name, v) for (i, name), v in subtract(sums, known)]
    assert [r for r in recovered if 0 < r[2] < K] == []


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def csv_groups(text: str, dims: list[str]) -> list[dict[str, Any]]:
    """The CSV rebuilt into the JSON shape: an empty cell is null, a number a number."""
    groups = []
    for row in csv.DictReader(io.StringIO(text)):
        details: dict[str, Any] = {}
        breakdown = {
            k.removeprefix("breakdown_"): number(v)
            for k, v in row.items()
            if k.startswith("breakdown_")
        }
        if breakdown:
            details["breakdown"] = breakdown
        items = {
            k[len("items_") : -len("_n")]: {"n": number(v)}
            for k, v in row.items()
            if k.startswith("items_") and k.endswith("_n")
        }
        if items:
            details["items"] = items
        if "resolution_n" in row:
            details["resolution"] = {"n": number(row["resolution_n"])}
        if "partly" in row:
            details["partly"] = number(row["partly"])
        key = {d: row[d.replace("ageBand", "age_band")] for d in dims}
        groups.append(
            {
                "key": key,
                "n": number(row["n"]),
                "suppressed": row["suppressed"] == "true",
                "details": details,
            }
        )
    return groups


@pytest.fixture
def generated(client: TestClient) -> TestClient:
    events = list(generate(700, seed=11))
    for start in range(0, len(events), 5000):
        assert (
            client.post("/api/v1/events/batch", json=events[start : start + 5000]).json()[
                "rejected"
            ]
            == 0
        )
    return client


def test_every_kpi_breakdown_and_details_block_is_protected_in_json_and_csv(
    generated: TestClient,
) -> None:
    checked = 0
    for kpi in DERIVED:
        for group_by in group_bys(kpi):
            params = {"from": "2025-01-01", "to": "2026-10-31", "asOf": "2026-11-30"}
            if group_by:
                params["groupBy"] = group_by
            dims = group_by.split(",") if group_by else []
            response = generated.get(f"/api/v1/kpis/{kpi.id}", params=params)
            assert response.status_code == 200, (kpi.id, response.text)
            whole = {k: v for k, v in params.items() if k != "groupBy"}
            totals = generated.get(f"/api/v1/kpis/{kpi.id}", params=whole).json()["groups"]
            check_figure(response.json()["groups"], totals)
            as_csv = generated.get(f"/api/v1/kpis/{kpi.id}", params={**params, "format": "csv"})
            check_figure(csv_groups(as_csv.text, dims), totals)
            checked += 1
    assert checked >= 60
