"""The KPI endpoints: catalogue, parameters, CSV, targets and reported values."""

import csv
import io

from fastapi.testclient import TestClient

from app.domain.kpis.catalogue import CATALOGUE
from tests.helpers import assert_problem
from tests.kpis.scenario import Case, figure, post, total

KPIS = "/api/v1/kpis"


def test_the_catalogue_lists_every_kpi_with_its_definition(client: TestClient) -> None:
    entries = client.get(KPIS).json()
    assert [e["id"] for e in entries] == [k.id for k in CATALOGUE]
    required = {
        "id",
        "nameNl",
        "nameEn",
        "type",
        "definition",
        "unit",
        "sourceEvents",
        "procedure",
        "frequency",
        "owner",
        "target",
    }
    assert all(required <= e.keys() for e in entries)
    ids = {e["id"] for e in entries}
    assert {
        "waiting_time_intake",
        "provision_stacking",
        "efficiency",
        "process_quality",
        "awareness",
    } <= ids


def test_an_unknown_kpi_is_a_404_problem(client: TestClient) -> None:
    assert_problem(
        client.get(f"{KPIS}/happiness", params={"from": "2026-01-01", "to": "2026-12-31"}), 404
    )


def test_period_and_group_by_are_validated_all_at_once(client: TestClient) -> None:
    problem = assert_problem(client.get(f"{KPIS}/lead_time", params={"groupBy": "team"}), 400)
    assert {p["name"] for p in problem["invalidParams"]} == {"from", "to"}
    problem = assert_problem(
        client.get(
            f"{KPIS}/lead_time",
            params={
                "from": "2026-01-01",
                "to": "2026-12-31",
                "groupBy": "team,shoeSize,month,year",
            },
        ),
        400,
    )
    # the document's pattern: known dimensions, at most one of month, quarter, year
    assert [(p["name"], p["code"]) for p in problem["invalidParams"]] == [
        ("groupBy", "string_pattern_mismatch")
    ]
    for invalid in ("team,month,year", "shoeSize", "team,,month"):
        params = {"from": "2026-01-01", "to": "2026-12-31", "groupBy": invalid}
        assert_problem(client.get(f"{KPIS}/lead_time", params=params), 400)
    # a dimension named twice is a mistake, not a wish: said, on every route of figures
    for twice in ("team,team", "team,month,team", "district,team,district,month"):
        period = {"from": "2026-01-01", "to": "2026-12-31", "groupBy": twice}
        for path in (f"{KPIS}/inflow", f"{KPIS}/inflow/table", "/api/v1/figures"):
            problem = assert_problem(client.get(path, params=period), 400)
            assert ("groupBy", "duplicate") in {
                (p["name"], p["code"]) for p in problem["invalidParams"]
            }, (path, twice)
    problem = assert_problem(
        client.get(f"{KPIS}/lead_time", params={"from": "2026-02-01", "to": "2026-01-01"}), 400
    )
    assert problem["invalidParams"][0]["name"] == "from"


def test_a_per_client_measure_refuses_a_breakdown(client: TestClient) -> None:
    response = client.get(
        f"{KPIS}/provision_stacking",
        params={"from": "2026-01-01", "to": "2026-12-31", "groupBy": "team"},
    )
    assert assert_problem(response, 400)["invalidParams"][0]["code"] == "not_supported"


def test_a_measure_without_breakdowns_names_each_filter_it_refuses(client: TestClient) -> None:
    response = client.get(
        f"{KPIS}/awareness",
        params={"from": "2026-01-01", "to": "2026-12-31", "district": "noord", "team": "west"},
    )
    problem = assert_problem(response, 400)
    named = {(p["name"], p["code"]) for p in problem["invalidParams"]}
    assert named == {("district", "not_supported"), ("team", "not_supported")}


def test_process_quality_is_the_share_of_closed_trajectories_passing_every_rule(
    kpi_client: TestClient,
) -> None:
    post(
        kpi_client,
        # no steps yet, closed before the assessment was due: every applicable rule passes
        Case("A", "2026-03-02").then("trajectory.closed", "2026-03-20", reason="client_withdrew"),
        # step 3 without steps 1 and 2: step_order fails
        Case("B", "2026-03-02")
        .step("need", "2026-03-03")
        .then("trajectory.closed", "2026-03-20", reason="moved"),
        # support from 5 March, never a plan (due 19 March): plan_recorded fails
        Case("C", "2026-03-02")
        .then("support.started", "2026-03-05", kind="own_input")
        .then("trajectory.closed", "2026-03-25", reason="goals_achieved"),
        Case("D", "2026-03-02"),  # open: not judged yet
    )
    group = total(kpi_client, "process_quality", "2026-03-01", "2026-03-31")
    assert (group["numerator"], group["denominator"]) == (1, 3)


def test_filters_narrow_the_population(kpi_client: TestClient) -> None:
    post(
        kpi_client,
        Case("A", "2026-03-02", team="noord").step("request", "2026-03-04"),
        Case("B", "2026-03-02", team="zuid").step("request", "2026-03-12"),
    )
    assert (
        total(kpi_client, "waiting_time_intake", "2026-03-01", "2026-03-31", team="zuid")["mean"]
        == 10.0
    )


def test_csv_is_one_flat_row_per_group_with_iso_dates_and_dot_decimals(
    kpi_client: TestClient,
) -> None:
    post(
        kpi_client,
        Case("A", "2026-03-02").then("trajectory.closed", "2026-03-09", reason="moved"),
        Case("B", "2026-03-02").then("trajectory.closed", "2026-04-12", reason="goals_achieved"),
    )
    response = kpi_client.get(
        f"{KPIS}/outflow",
        params={"from": "2026-03-01", "to": "2026-04-30", "groupBy": "month", "format": "csv"},
    )
    assert response.status_code == 200
    assert 'filename="outflow_2026-03-01_2026-04-30.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [
        (r["kpi"], r["period_start"], r["period_end"], r["month"], r["n"], r["breakdown_moved"])
        for r in rows
    ] == [
        ("outflow", "2026-03-01", "2026-03-31", "2026-03", "1", "1"),
        ("outflow", "2026-04-01", "2026-04-30", "2026-04", "1", "0"),  # every reason, 0 if none
    ]
    lead = kpi_client.get(
        f"{KPIS}/lead_time", params={"from": "2026-03-01", "to": "2026-04-30", "format": "csv"}
    )
    (row,) = csv.DictReader(io.StringIO(lead.text))
    # 7 and 41 days: mean 24; p90 at rank 0.9 -> 7 + 0.9 * (41 - 7) = 37.6
    assert row["mean"] == "24"  # a whole number is written as one
    assert row["p90"] == "37.6"


def test_a_target_is_shown_with_every_figure_and_judged(kpi_client: TestClient) -> None:
    post(kpi_client, Case("A", "2026-03-02").step("request", "2026-03-04"))  # 2 days
    response = kpi_client.put(
        f"{KPIS}/waiting_time_intake/target", json={"value": 3, "note": "eerste streefwaarde"}
    )
    assert response.status_code == 200
    assert response.json()["value"] == 3
    group = total(kpi_client, "waiting_time_intake", "2026-03-01", "2026-03-31")
    assert (group["target"], group["targetMet"]) == (3, True)  # lower is better: 2 <= 3
    entry = next(e for e in kpi_client.get(KPIS).json() if e["id"] == "waiting_time_intake")
    assert entry["target"]["value"] == 3


def test_a_target_from_a_baseline_period_plus_a_change(kpi_client: TestClient) -> None:
    post(
        kpi_client,
        Case("A", "2025-03-02").step("own_network", "2025-03-05", "sufficient"),
        Case("B", "2025-03-02")
        .step("own_network", "2025-03-05", "partial")
        .step("own_input", "2025-03-09", "sufficient"),
        Case("C", "2025-03-02").step("provision", "2025-03-12", "granted"),
        Case("D", "2025-03-02").step("provision", "2025-03-12", "refused"),
    )
    # 0-meting 2025: own_input_ratio = 2/4 = 0.5; target = 0.5 + 0.1
    response = kpi_client.put(
        f"{KPIS}/own_input_ratio/target",
        json={"baselineFrom": "2025-01-01", "baselineTo": "2025-12-31", "change": 0.1},
    )
    body = response.json()
    assert (body["baselineValue"], body["value"], body["change"]) == (0.5, 0.6, 0.1)
    group = total(kpi_client, "own_input_ratio", "2025-01-01", "2025-12-31")
    assert (group["target"], group["targetMet"]) == (0.6, False)


def test_a_target_needs_a_value_or_a_baseline(client: TestClient) -> None:
    assert_problem(client.put(f"{KPIS}/lead_time/target", json={}), 400)
    assert_problem(
        client.put(f"{KPIS}/lead_time/target", json={"value": 1, "baselineFrom": "2025-01-01"}), 400
    )
    problem = assert_problem(
        client.put(
            f"{KPIS}/lead_time/target",
            json={"baselineFrom": "2025-01-01", "baselineTo": "2025-12-31"},
        ),
        409,  # a sound request the stored data cannot answer: no figure in that period
    )
    assert "baseline period has no figure" in problem["detail"]


def test_reported_values_are_returned_by_the_same_endpoint(client: TestClient) -> None:
    body = {
        "from": "2026-01-01",
        "to": "2026-12-31",
        "value": 0.64,
        "n": 812,
        "source": "inwonerspanel",
    }
    assert client.post(f"{KPIS}/awareness/values", json=body).status_code == 201
    assert (
        client.post(f"{KPIS}/awareness/values", json={**body, "value": 0.66}).status_code == 200
    )  # replaced
    small = {**body, "group": {"district": "holtenbroek"}, "value": 0.5, "n": 3}
    assert client.post(f"{KPIS}/awareness/values", json=small).status_code == 201
    groups = figure(client, "awareness", "2026-01-01", "2026-12-31")["groups"]
    assert [(g["key"], g["value"], g["suppressed"]) for g in groups] == [
        ({"period": "2026-01-01/2026-12-31"}, 0.66, False),
        (
            {"period": "2026-01-01/2026-12-31", "district": "holtenbroek"},
            None,
            True,
        ),  # 3 respondents
    ]


def test_derived_kpis_do_not_take_posted_values(client: TestClient) -> None:
    body = {"from": "2026-01-01", "to": "2026-12-31", "value": 3, "source": "excel"}
    problem = assert_problem(client.post(f"{KPIS}/lead_time/values", json=body), 404)
    assert "only reported KPIs take posted values" in problem["detail"]
