"""KPI figures as tables for BI tools: columns that never depend on the data, whole numbers
written as such, period days beside labels, an Excel dialect, and every KPI in one table."""

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.figures import DIMENSIONS, TIME_GRAINS
from app.domain.kpis.spec import NO_BREAKDOWN, NO_TIME_SERIES
from app.schemas import kpi_table
from app.schemas.kpi_table import figure_rows
from app.schemas.kpis import KpiFigure
from scripts.generate_events import generate

PERIOD = {"from": "2025-01-01", "to": "2026-11-30"}
GROUPINGS = [None, "team", "quarter", "district,tertial"]


def applicable(kpi: Any, grouping: str | None) -> bool:
    if not grouping:
        return True
    if isinstance(kpi.measure, NO_BREAKDOWN):
        return False
    grains = {"quarter", "tertial", "month", "year"}
    return not (isinstance(kpi.measure, NO_TIME_SERIES) and grains & set(grouping.split(",")))


def table(client: TestClient, path: str, **params: Any) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get(path, params={"format": "csv", **params})
    assert response.status_code == 200, response.text
    reader = csv.DictReader(io.StringIO(response.text))
    return list(reader.fieldnames or []), list(reader)


def headers(client: TestClient) -> dict[tuple[str, str | None], list[str]]:
    found = {}
    for kpi in CATALOGUE:
        for grouping in GROUPINGS:
            if applicable(kpi, grouping):
                params = {**PERIOD, **({"groupBy": grouping} if grouping else {})}
                found[(kpi.id, grouping)] = table(client, f"/api/v1/kpis/{kpi.id}", **params)[0]
    return found


def test_columns_depend_on_the_kpi_and_request_never_on_the_data(client: TestClient) -> None:
    empty = headers(client)
    events = list(generate(400, seed=5))
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    value = {**PERIOD, "value": 0.61, "n": 250, "source": "enquete", "group": {"team": "noord"}}
    assert client.post("/api/v1/kpis/awareness/values", json=value).status_code == 201
    busy = headers(client)
    assert busy == empty
    for (kpi_id, grouping), columns in busy.items():
        assert columns[:6] == ["kpi", "name", "unit", "value_is", "period_start", "period_end"]
        for dimension in (grouping or "").split(","):
            assert not dimension or dimension in columns, (kpi_id, grouping)
    assert "breakdown_deceased" in busy[("outflow", None)]
    assert "items_overall_share_agree" in busy[("satisfaction", "team")]


def test_counts_are_integers_and_each_row_names_its_days(client: TestClient) -> None:
    events = list(generate(300, seed=8))
    client.post("/api/v1/events/batch", json=events)
    _, rows = table(client, "/api/v1/kpis/provision_ratio", **PERIOD, groupBy="quarter")
    assert rows
    for row in rows:
        for name in ("n", "numerator", "denominator"):
            if row[name]:
                assert row[name].isdigit(), (name, row[name])
        assert row["period_start"] <= row["period_end"]
        assert row["period_start"][:4] == row["quarter"][:4]
    assert rows[0]["period_start"] == "2025-01-01"
    assert rows[-1]["period_end"] == "2026-11-30"  # cut at the query's end
    assert {row["unit"] for row in rows} == {"share (0..1)"}


def test_the_excel_dialect_opens_in_a_dutch_excel(client: TestClient) -> None:
    client.post("/api/v1/events/batch", json=list(generate(300, seed=8)))
    response = client.get(
        "/api/v1/kpis/waiting_time_intake",
        params={**PERIOD, "format": "csv", "dialect": "excel"},
    )
    text = response.text
    assert text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";")
    (row,) = list(reader)
    assert "," in row["mean"]  # a decimal comma
    assert "." not in row["mean"]
    assert row["period_start"] == "2025-01-01"
    assert row["suppressed"] == "ONWAAR"  # a truth value to a Dutch Excel, not text


def test_every_kpi_in_one_long_table(client: TestClient) -> None:
    client.post("/api/v1/events/batch", json=list(generate(300, seed=9)))
    value = {**PERIOD, "value": 0.72, "n": 400, "source": "telefonie"}
    assert client.post("/api/v1/kpis/reachability/values", json=value).status_code == 201
    columns, rows = table(client, "/api/v1/figures", **PERIOD, groupBy="team,tertial")
    assert columns == [
        "kpi",
        "unit",
        "value_is",
        "period_start",
        "period_end",
        "tertial",
        "team",
        "n",
        "value",
        "mean",
        "median",
        "p90",
        "target",
        "suppressed",
    ]
    as_json = client.get("/api/v1/figures", params={**PERIOD, "groupBy": "team,tertial"}).json()
    assert len(as_json["rows"]) == len(rows)
    omitted = set(as_json["omitted"])
    assert omitted == {k.id for k in CATALOGUE if not applicable(k, "team,tertial")}, (
        "every KPI is either in the rows or named as omitted"
    )
    shown = {row["kpi"] for row in rows}
    assert not shown & omitted
    assert len(shown) >= 10
    # one KPI's rows in the long table are its own figures
    inflow = [r for r in rows if r["kpi"] == "inflow"]
    own = table(client, "/api/v1/kpis/inflow", **PERIOD, groupBy="team,tertial")[1]
    assert [(r["team"], r["tertial"], r["n"]) for r in inflow] == [
        (r["team"], r["tertial"], r["n"]) for r in own
    ]
    whole = client.get("/api/v1/figures", params=PERIOD).json()
    reported = [r for r in whole["rows"] if r["kpi"] == "reachability"]
    assert [(r["periodStart"], r["value"]) for r in reported] == [("2025-01-01", 0.72)]


@pytest.mark.parametrize("dialect", ["standard", "excel"])
def test_the_catalogue_as_csv(client: TestClient, dialect: str) -> None:
    response = client.get("/api/v1/kpis", params={"format": "csv", "dialect": dialect})
    assert response.headers["content-type"].startswith("text/csv")
    text = response.text.removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";" if dialect == "excel" else ","))
    assert [r["id"] for r in rows] == [k.id for k in CATALOGUE]
    assert rows[0]["name_nl"]
    assert rows[0]["definition"]


def test_catalogue_text_is_dutch_unless_english_is_preferred(client: TestClient) -> None:
    dutch = client.get("/api/v1/kpis").json()
    assert client.get("/api/v1/kpis").headers["Content-Language"] == "nl"
    inflow = next(e for e in dutch if e["id"] == "inflow")
    assert inflow["definition"] == inflow["definitionNl"]
    assert inflow["name"] == "Instroom" or inflow["name"] == inflow["nameNl"]
    assert all(e["definitionNl"] and e["definitionEn"] for e in dutch)
    assert all(e["definitionNl"] != e["definitionEn"] for e in dutch)
    for header, expected in [
        ("en-GB,en;q=0.9", "en"),
        ("nl-NL, en;q=0.8", "nl"),
        ("de, en;q=0.5, nl;q=0.4", "en"),
        ("fr", "nl"),
        ("en;q=0, nl;q=0.1", "nl"),
        ("en;q=bogus", "nl"),
    ]:
        answer = client.get("/api/v1/kpis", headers={"Accept-Language": header})
        assert answer.headers["Content-Language"] == expected, header
        first = answer.json()[0]
        assert first["definition"] == first["definitionEn" if expected == "en" else "definitionNl"]
    # the validator follows the language: a Dutch ETag is no 304 for an English request
    etag = client.get("/api/v1/kpis").headers["ETag"]
    english = client.get("/api/v1/kpis", headers={"Accept-Language": "en", "If-None-Match": etag})
    assert english.status_code == 200


def documented_columns() -> list[re.Pattern[str]]:
    """The CSV column names of the BI guide's type table (`<item>` stands for any name)."""
    guide = (Path(__file__).resolve().parents[2] / "docs/bi.md").read_text()
    table = guide.split("## Columns and their types", 1)[1].split("\n## ", 1)[0]
    names: list[str] = []
    for line in table.splitlines():
        if line.startswith("| `"):
            names += re.findall(r"`([a-z0-9_<>]+)`", line.split(" | ")[0])
    return [re.compile("^" + re.sub(r"<[a-z]+>", "[a-z_]+", n) + "$") for n in names]


def test_every_csv_column_has_its_type_in_the_bi_guide() -> None:
    """A BI model sets each column's type from the guide: a column it does not list would
    be guessed from the data, and change type the day the data changes."""
    every_breakdown = [*DIMENSIONS, "month"]
    columns: set[str] = set()
    for kpi in CATALOGUE:
        figure = KpiFigure.model_validate(
            {"kpi": kpi.id, "name": kpi.name_nl, "unit": kpi.unit, "valueIs": kpi.value_is,
             "from": "2026-01-01", "to": "2026-12-31", "groupBy": every_breakdown,
             "openIntervals": None, "minCellSize": 5, "target": None, "groups": []}
        )  # fmt: skip
        columns |= set(figure_rows(figure, kpi)[0])
    columns |= {*kpi_table.LONG_FIGURES, *TIME_GRAINS}
    patterns = documented_columns()
    assert sorted(c for c in columns if not any(p.match(c) for p in patterns)) == []
