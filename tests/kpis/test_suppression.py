"""Small numbers never leave the service (pure rule and through the API)."""

import csv
import io

from fastapi.testclient import TestClient

from app.domain.kpis.disclosure import protect
from app.domain.kpis.figures import Cell
from tests.kpis.scenario import Case, figure, post


def cell(team: str, n: int) -> Cell:
    return Cell(key={"team": team}, n=n, value=float(n))


def test_a_cell_under_the_threshold_is_nulled() -> None:
    result = protect([cell("noord", 4), cell("zuid", 5), cell("oost", 9)], 5)
    assert [(c.key["team"], c.suppressed, c.value) for c in result] == [
        ("noord", True, None),
        ("zuid", True, None),  # the smallest other cell goes too, or total - shown = noord
        ("oost", False, 9.0),
    ]


def test_with_two_small_cells_no_extra_cell_is_hidden() -> None:
    result = protect([cell("noord", 2), cell("zuid", 3), cell("oost", 9)], 5)
    assert [c.suppressed for c in result] == [True, True, False]


def test_a_lone_total_under_the_threshold_is_nulled() -> None:
    (only,) = protect([cell("all", 4)], 5)
    assert only.suppressed
    assert only.n == 0
    assert only.value is None


def _teams(noord: int, zuid: int, oost: int) -> list[Case]:
    cases = []
    for team, count in (("noord", noord), ("zuid", zuid), ("oost", oost)):
        for i in range(count):
            case = Case(f"{team}-{i}", "2026-03-02", team=team)
            cases.append(case.step("request", "2026-03-05"))
    return cases


def test_a_team_just_under_the_threshold_is_suppressed_in_json_and_csv(client: TestClient) -> None:
    post(client, *_teams(noord=4, zuid=6, oost=8))
    body = figure(client, "waiting_time_intake", "2026-03-01", "2026-03-31", groupBy="team")
    groups = {g["key"]["team"]: g for g in body["groups"]}
    assert body["minCellSize"] == 5
    assert (
        groups["noord"]["suppressed"]
        and groups["noord"]["n"] is None
        and groups["noord"]["mean"] is None
    )
    # zuid (6) is the smallest shown cell: hidden too, so the total cannot give noord back
    assert groups["zuid"]["suppressed"]
    assert groups["oost"] == {**groups["oost"], "n": 8, "median": 3.0, "suppressed": False}
    response = client.get(
        "/api/v1/kpis/waiting_time_intake",
        params={"from": "2026-03-01", "to": "2026-03-31", "groupBy": "team"},
        headers={"Accept": "text/csv"},
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = {r["team"]: r for r in csv.DictReader(io.StringIO(response.text))}
    assert (
        rows["noord"]["n"] == ""
        and rows["noord"]["median"] == ""
        and rows["noord"]["suppressed"] == "true"
    )
    assert rows["oost"]["n"] == "8"
    assert rows["oost"]["median"] == "3"  # whole numbers are written as such


def test_five_is_enough(client: TestClient) -> None:
    post(client, *_teams(noord=5, zuid=0, oost=0))
    (group,) = figure(client, "waiting_time_intake", "2026-03-01", "2026-03-31")["groups"]
    assert (group["n"], group["suppressed"]) == (5, False)
