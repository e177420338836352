"""The audit endpoints, on SQLite and PostgreSQL."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.domain.audit import RULES
from app.domain.calendar import local_today
from app.settings import Settings
from tests.helpers import assert_problem
from tests.kpis.scenario import Case, post

AUDIT = "/api/v1/audit"


def test_the_rule_catalogue_names_each_rule_with_its_source(client: TestClient) -> None:
    rules = client.get(f"{AUDIT}/rules").json()
    assert [r["id"] for r in rules] == [r.id for r in RULES]
    assert {r["id"] for r in rules} >= {
        "step_order", "provision_justified", "expert_advice", "assessment_term",
        "decision_term", "plan_recorded", "closure_reason", "case_lead_recorded",
    }  # fmt: skip
    term = next(r for r in rules if r["id"] == "assessment_term")
    assert "2.3.2" in term["source"]
    assert term["parameters"]["days"] == {"wmo": 42}


def test_findings_for_one_trajectory_with_evidence_and_a_late_step(client: TestClient) -> None:
    case = Case("T-1", "2026-02-20").steps_1_to_3("2026-03-01")
    post(client, case)
    before = client.get(f"{AUDIT}/trajectories/T-1", params={"asOf": "2026-04-10"}).json()
    term = next(f for f in before["findings"] if f["rule"] == "assessment_term")
    # due Good Friday 3 April -> Tue 7 April; on 10 April step 4 is still missing
    assert (term["status"], term["dueOn"], term["daysOver"]) == ("fail", "2026-04-07", 3)
    (adjustment,) = term["adjustments"]
    assert (adjustment["rule"], adjustment["movedFrom"], adjustment["movedTo"]) == (
        "algemene_termijnenwet",
        "2026-04-03",
        "2026-04-07",
    )
    assert "Goede Vrijdag" in adjustment["reason"]
    assert "art. 3 lid 2" in adjustment["source"]
    assert term["evidence"] == [case.events[0]["eventId"]]
    assert before["passes"] is False
    # the step arrives late (backfill), dated 6 April: the finding is re-evaluated
    late = Case("T-1").step("own_network", "2026-04-06", "partial")
    post(client, late)
    after = client.get(f"{AUDIT}/trajectories/T-1", params={"asOf": "2026-04-10"}).json()
    term = next(f for f in after["findings"] if f["rule"] == "assessment_term")
    assert (term["status"], term["daysRemaining"]) == ("pass", 1)
    assert late.events[0]["eventId"] in term["evidence"]


def test_an_unknown_trajectory_has_no_audit(client: TestClient) -> None:
    assert_problem(client.get(f"{AUDIT}/trajectories/NOPE"), 404)


def test_summary_gives_pass_rates_per_rule_and_group(client: TestClient) -> None:
    post(
        client,
        Case("A", "2026-03-02", team="noord")
        .steps_1_to_3("2026-03-03")
        .step("own_network", "2026-03-10", "partial"),
        Case("B", "2026-03-02", team="noord")
        .step("request", "2026-03-03")
        .step("need", "2026-03-04"),
        Case("C", "2026-03-02", team="zuid")
        .steps_1_to_3("2026-03-03")
        .step("own_network", "2026-04-20", "partial"),
    )
    body = client.get(
        f"{AUDIT}/summary", params={"from": "2026-03-01", "to": "2026-03-31", "groupBy": "team"}
    ).json()
    groups = {g["key"]["team"]: g for g in body["groups"]}
    noord, zuid = groups["noord"], groups["zuid"]
    # noord: A in order; B skips 'problems' -> step_order 1 of 2 passed
    assert noord["rules"]["step_order"] == {
        "passed": 1,
        "failed": 1,
        "pending": 0,
        "notApplicable": 0,
        "passRate": 0.5,
    }
    # B's assessment (due 13 April) was never done: failed by now; A was done on 10 March
    assert noord["rules"]["assessment_term"]["passed"] == 1
    assert noord["rules"]["assessment_term"]["failed"] == 1
    assert (noord["trajectories"], noord["passing"], noord["passRate"]) == (2, 1, 0.5)
    # zuid: C's assessment was done 20 April, a week after 13 April
    assert zuid["rules"]["assessment_term"]["failed"] == 1
    assert zuid["passing"] == 0
    overall = client.get(
        f"{AUDIT}/summary", params={"from": "2026-03-01", "to": "2026-03-31"}
    ).json()["groups"]
    assert [(g["key"], g["trajectories"], g["passing"]) for g in overall] == [({}, 3, 1)]


def test_the_worklist_shows_terms_about_to_be_missed(client: TestClient) -> None:
    today = local_today()
    soon = (today - timedelta(days=35)).isoformat()  # six weeks end in about a week
    later = (today - timedelta(days=5)).isoformat()  # about five weeks left
    post(client, Case("SOON", soon), Case("LATER", later))
    url = f"{AUDIT}/findings"
    due_soon = client.get(url, params={"rule": "assessment_term", "dueWithin": 14}).json()[
        "results"
    ]
    assert [(r["trajectoryId"], r["status"]) for r in due_soon] == [("SOON", "pending")]
    pending = client.get(url, params={"rule": "assessment_term", "status": "pending"}).json()[
        "results"
    ]
    assert {r["trajectoryId"] for r in pending} == {"SOON", "LATER"}


def test_the_worklist_pages_through_every_finding_once(client: TestClient) -> None:
    post(client, *(Case(f"W-{i}", "2026-03-02") for i in range(4)))
    seen, url = [], f"{AUDIT}/findings?pageSize=5"
    while url:
        page = client.get(url).json()
        seen += [(r["trajectoryId"], r["rule"]) for r in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 4 * len(RULES)


def test_the_worklist_lists_the_most_urgent_first_stable_across_pages(client: TestClient) -> None:
    # Assessment terms: A (melding 2 Feb) due 16 March, B and D (2 March) due 13 April;
    # B's aanvraag of 2 March is due 16 March; C (Jeugdwet) has no term. Every other
    # finding has no due date. Most urgent first: by due date, then no due date; ties by
    # trajectory id and rule, the same whatever the page size.
    post(
        client,
        Case("B", "2026-03-02").then("application.received", "2026-03-02"),
        Case("A", "2026-02-02"),
        Case("C", "2026-03-02", domain="jeugdwet"),
        Case("D", "2026-03-02"),
    )
    everything = []
    url: str | None = f"{AUDIT}/findings?pageSize=3&asOf=2026-03-20"
    while url:
        page = client.get(url).json()
        everything += [(r["dueOn"], r["trajectoryId"], r["rule"]) for r in page["results"]]
        url = page["next"]
    assert everything[:4] == [
        ("2026-03-16", "A", "assessment_term"),
        ("2026-03-16", "B", "decision_term"),
        ("2026-04-13", "B", "assessment_term"),
        ("2026-04-13", "D", "assessment_term"),
    ]
    rest = everything[4:]
    assert all(due is None for due, _, _ in rest)
    assert rest == sorted(rest, key=lambda f: f[1:])
    assert len(everything) == len(set(everything)) == 4 * len(RULES)


def test_a_sample_is_reproducible_stratified_and_kept(client: TestClient) -> None:
    cases = [Case(f"N-{i:02d}", "2026-03-02", team="noord") for i in range(30)]
    cases += [Case(f"Z-{i:02d}", "2026-03-02", team="zuid") for i in range(10)]
    post(client, *cases)
    request = {
        "size": 8,
        "from": "2026-03-01",
        "to": "2026-03-31",
        "stratifyBy": "team",
        "seed": 20261124,
    }
    first = client.post(f"{AUDIT}/samples", json=request)
    assert first.status_code == 201
    drawn = first.json()
    assert drawn["request"]["strata"] == {"noord": 6, "zuid": 2}  # 30:10 of 8
    again = client.post(f"{AUDIT}/samples", json=request).json()
    assert again["trajectoryIds"] == drawn["trajectoryIds"]
    assert again["id"] != drawn["id"]
    other = client.post(f"{AUDIT}/samples", json={**request, "seed": 7}).json()
    assert other["trajectoryIds"] != drawn["trajectoryIds"]
    kept = client.get(f"{AUDIT}/samples/{drawn['id']}").json()
    assert kept == drawn
    assert_problem(client.get(f"{AUDIT}/samples/00000000-0000-0000-0000-000000000000"), 404)
    assert_problem(client.post(f"{AUDIT}/samples", json={**request, "size": 0}), 400)


def test_a_sample_over_three_districts_follows_largest_remainder(client: TestClient) -> None:
    # 2, 3 and 4 trajectories; a sample of 4: quotas .89, 1.33, 1.78 -> 1, 1, 2.
    sizes = {"d-a": 2, "d-b": 3, "d-c": 4}
    post(
        client,
        *(
            Case(f"{district}-{i}", "2026-03-02", district=district)
            for district, n in sizes.items()
            for i in range(n)
        ),
    )
    request = {"size": 4, "from": "2026-03-01", "to": "2026-03-31", "stratifyBy": "district"}
    drawn = client.post(f"{AUDIT}/samples", json={**request, "seed": 1}).json()
    assert drawn["request"]["strata"] == {"d-a": 1, "d-b": 1, "d-c": 2}
    assert len(drawn["trajectoryIds"]) == 4


def test_term_lengths_are_settings_that_rules_and_due_dates_follow(
    settings: Settings, engine: Engine, tokens: dict[str, str]
) -> None:
    from fastapi.testclient import TestClient as Client

    from app.main import create_app
    from tests.conftest import authorised, empty_all_tables

    empty_all_tables(engine)
    strict = settings.model_copy(update={"decision_term_days": {"wmo": 7, "*": 56}})
    with Client(create_app(strict)) as client:
        authorised(client, tokens["all"])
        rules = client.get(f"{AUDIT}/rules").json()
        assert (
            next(r for r in rules if r["id"] == "decision_term")["parameters"]["days"]["wmo"] == 7
        )
        # aanvraag Mon 2 March + 7 = Mon 9 March; decided 10 March: late under this setting
        case = Case("T-1", "2026-02-20").then("application.received", "2026-03-02")
        post(client, case.then("decision.issued", "2026-03-10", result="granted"))
        body = client.get(f"{AUDIT}/trajectories/T-1", params={"asOf": "2026-04-01"}).json()
        term = next(f for f in body["findings"] if f["rule"] == "decision_term")
        assert (term["status"], term["dueOn"], term["daysOver"]) == ("fail", "2026-03-09", 1)
        # the stored findings (refolded on ingest) used the same setting
        period = {"from": "2026-02-01", "to": "2026-02-28"}
        summary = client.get(f"{AUDIT}/summary", params=period).json()
        assert summary["groups"][0]["rules"]["decision_term"]["failed"] == 1


def test_a_verdaging_and_a_declared_day_reach_the_finding_and_the_stored_due_date(
    client: TestClient,
) -> None:
    # Aanvraag Thursday 16 April 2026 (Wmo, 14 days) -> Thursday 30 April. Verdaging of
    # 14 days on 20 April -> Thursday 14 May, Hemelvaartsdag; Friday 15 May is declared
    # equal (Atw art. 3 lid 3); weekend -> Monday 18 May. Decided 18 May: in time.
    case = Case("T-1", "2026-04-01").then("application.received", "2026-04-16")
    extension = case.add(
        "term.extended", "2026-04-20", {"term": "decision", "days": 14, "reason": "advies GGD"}
    )
    post(client, case.then("decision.issued", "2026-05-18", result="granted"))
    body = client.get(f"{AUDIT}/trajectories/T-1").json()
    term = next(f for f in body["findings"] if f["rule"] == "decision_term")
    assert (term["status"], term["dueOn"]) == ("pass", "2026-05-18")
    verdaging, atw = term["adjustments"]
    assert (verdaging["rule"], verdaging["eventId"]) == ("verdaging", extension["eventId"])
    assert (verdaging["movedFrom"], verdaging["movedTo"]) == ("2026-04-30", "2026-05-14")
    assert (atw["movedFrom"], atw["movedTo"]) == ("2026-05-14", "2026-05-18")
    assert "art. 3 lid 3" in atw["source"]
    assert "Besluit gelijkstelling" in atw["source"]


def test_a_verdaging_needs_exactly_one_of_days_and_new_due_on(client: TestClient) -> None:
    case = Case("T-1", "2026-04-01")
    bad = case.add("term.extended", "2026-04-20", {"term": "decision", "reason": "x"})
    response = client.post("/api/v1/events", json=bad)
    assert_problem(response, 400)
    assert client.get("/api/v1/trajectories/T-1").status_code == 404


def test_the_atw_calendar_of_a_year_names_every_day_and_its_source(client: TestClient) -> None:
    body = client.get(f"{AUDIT}/calendar", params={"year": 2026}).json()
    assert body["declaredDaysCovered"] is True
    days = {d["date"]: d for d in body["days"]}
    assert days["2026-05-15"]["kind"] == "gelijkgesteld"
    assert days["2026-04-03"]["kind"] == "goede_vrijdag"
    assert days["2026-04-27"]["name"] == "Koningsdag"
    assert (
        client.get(f"{AUDIT}/calendar", params={"year": 2031}).json()["declaredDaysCovered"]
        is False
    )
