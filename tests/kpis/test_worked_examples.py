"""One small scenario per KPI, its expected figures worked out by hand (on both databases).

Events are posted in reverse order unless said otherwise; the arithmetic is in the comments.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.helpers import assert_reference_agrees
from tests.kpis.scenario import Case, figure, post, total


def test_waiting_time_intake_counts_local_days_in_the_period_of_step_1(
    kpi_client: TestClient,
) -> None:
    post(
        kpi_client,
        Case("A", "2026-03-02").step("request", "2026-03-04"),  # 2 days
        # 23:30 UTC on 1 March is 00:30 on 2 March in Amsterdam: 2 -> 12 March = 10 days
        Case("B", "2026-03-01T23:30:00Z").step("request", "2026-03-12"),
        Case("C", "2026-02-20").step("request", "2026-03-01"),  # 9 days, counts in March
        Case("D", "2026-03-25").step(
            "request", "2026-04-02"
        ),  # April: not in March, open on 31 March
        Case("E", "2026-03-20"),  # no intake yet: open
    )
    group = total(kpi_client, "waiting_time_intake", "2026-03-01", "2026-03-31")
    # days 2, 9, 10: mean 7; median 9; p90 at rank (3-1)*0.9 = 1.8 -> 9 + 0.8*(10-9) = 9.8
    assert (group["n"], group["mean"], group["median"], group["p90"]) == (3, 7.0, 9.0, 9.8)
    assert group["value"] == 9.0  # the median is the headline for durations
    assert (
        figure(kpi_client, "waiting_time_intake", "2026-03-01", "2026-03-31")["openIntervals"] == 2
    )


def test_an_interval_ending_before_it_starts_is_stored_and_never_open(
    kpi_client: TestClient,
) -> None:
    """A step backdated before the melding ends its interval before it starts. It is
    accepted (on PostgreSQL the range index must not refuse the row) and never open;
    the other intervals are open on a day from their start to the day before their end."""
    post(
        kpi_client,
        Case("A", "2026-03-10").step("request", "2026-03-01"),  # ends before it starts
        Case("B", "2026-03-20").step("request", "2026-04-02"),  # open on 31 March
        Case("C", "2026-03-25"),  # no intake yet: open
        Case("D", "2026-03-02").step("request", "2026-03-31"),  # ended on the day: not open
        Case("E", "2026-04-01"),  # starts after the day: not open
    )
    body = figure(kpi_client, "waiting_time_intake", "2026-03-01", "2026-03-31")
    assert body["openIntervals"] == 2  # B and C


def test_lead_time_of_a_reopened_trajectory_runs_to_its_final_closure(
    kpi_client: TestClient,
) -> None:
    post(
        kpi_client,
        Case("R", "2026-01-05")
        .then("trajectory.closed", "2026-02-01", reason="client_withdrew")
        .then("trajectory.reopened", "2026-02-10")
        .then("trajectory.closed", "2026-03-01", reason="goals_achieved"),  # 26 + 28 + 1 = 55 days
        Case("S", "2026-02-02").then("trajectory.closed", "2026-02-12", reason="moved"),  # 10 days
    )
    assert (
        total(kpi_client, "lead_time", "2026-02-01", "2026-02-28")["mean"] == 10.0
    )  # R not closed in Feb
    both = total(kpi_client, "lead_time", "2026-02-01", "2026-03-31")
    # 10 and 55: mean = median = 32.5; p90 = 10 + 0.9 * 45 = 50.5
    assert (both["n"], both["mean"], both["median"], both["p90"]) == (2, 32.5, 32.5, 50.5)
    by_month = figure(kpi_client, "lead_time", "2026-01-01", "2026-03-31", groupBy="month")[
        "groups"
    ]
    assert [(g["key"], g["n"]) for g in by_month] == [
        ({"month": "2026-02"}, 1),
        ({"month": "2026-03"}, 1),
    ]


def test_resolution_ratios_ignore_a_retracted_outcome(kpi_client: TestClient) -> None:
    wrong = Case("D", "2026-03-01").steps_1_to_3("2026-03-02")
    mistaken = wrong.add(
        "step.completed", "2026-03-09",
        {"step": "own_network", "outcome": "sufficient", "professionalRef": "prof-test-0001"},
    )  # fmt: skip
    wrong.then("event.retracted", "2026-03-10", retracts=mistaken["eventId"])
    wrong.step("own_network", "2026-03-11", "partial").step(
        "own_input", "2026-03-20", "not_applicable", reason="specialistische hulp nodig"
    ).step("provision", "2026-03-25", "not_needed")
    post(
        kpi_client,
        Case("A", "2026-03-01")
        .steps_1_to_3("2026-03-02")
        .step("own_network", "2026-03-10", "sufficient"),
        Case("B", "2026-03-01")
        .steps_1_to_3("2026-03-02")
        .step("own_network", "2026-03-05", "partial")
        .step("own_input", "2026-03-12", "sufficient", hours=6),
        Case("C", "2026-03-01")
        .steps_1_to_3("2026-03-02")
        .step("own_network", "2026-03-05", "insufficient")
        .step("own_input", "2026-03-09", "insufficient", hours=2)
        .step("provision", "2026-03-20", "granted", provisionCategory="hulpmiddelen"),
        wrong,
        Case("E", "2026-03-01")
        .steps_1_to_3("2026-03-02")
        .step("own_network", "2026-04-02", "sufficient"),
    )
    # Resolved in March: A (step 4), B (step 5), C (step 6 granted), D (step 6 not needed;
    # its retracted 'sufficient' on 9 March does not count). E resolves in April.
    march = ("2026-03-01", "2026-03-31")
    own = total(kpi_client, "own_input_ratio", *march)
    assert (own["numerator"], own["denominator"], own["value"]) == (2, 4, 0.5)  # A, B
    assert total(kpi_client, "social_base_ratio", *march)["value"] == 0.25  # A
    assert (
        total(kpi_client, "provision_ratio", *march)["value"] == 0.25
    )  # C only: D was not granted
    # assessment lead time: last of steps 4-6, once resolved. A 9, B 11, C 19, D 24 days
    lead = total(kpi_client, "assessment_lead_time", *march)
    assert (lead["n"], lead["mean"], lead["median"]) == (4, 15.75, 15.0)


def test_statutory_assessment_term_counts_holidays_and_suspensions(kpi_client: TestClient) -> None:
    post(
        kpi_client,
        # melding Fri 20 Feb + 42 days = Fri 3 Apr (Good Friday) -> Tue 7 Apr; done 7 Apr: in time
        Case("A", "2026-02-20")
        .steps_1_to_3("2026-03-01")
        .step("own_network", "2026-04-07", "partial"),
        # melding Mon 2 Mar + 42 = Mon 13 Apr; done 14 Apr: one day late
        Case("B", "2026-03-02")
        .steps_1_to_3("2026-03-03")
        .step("own_network", "2026-04-14", "partial"),
        # suspended 5 -> 8 Mar (3 days): due 16 Apr; done 15 Apr: in time
        Case("C", "2026-03-02")
        .then("term.suspended", "2026-03-05", term="assessment", reason="wacht op informatie")
        .then("term.resumed", "2026-03-08", term="assessment")
        .steps_1_to_3("2026-03-09")
        .step("own_network", "2026-04-15", "insufficient"),
        # Jeugdwet: the Wmo's six weeks do not apply
        Case("D", "2026-03-02", domain="jeugdwet")
        .steps_1_to_3("2026-03-03")
        .step("own_network", "2026-04-30", "partial"),
    )
    group = total(kpi_client, "statutory_assessment_within_term", "2026-04-01", "2026-04-30")
    assert (group["numerator"], group["denominator"]) == (2, 3)
    assert group["value"] == pytest.approx(2 / 3, abs=1e-4)


def test_statutory_decision_term_follows_the_atw_calendar_and_suspension_rules(
    kpi_client: TestClient,
) -> None:
    post(
        kpi_client,
        # aanvraag Thu 30 Apr + 14 = Thu 14 May (Hemelvaartsdag, lid 1); Fri 15 May declared
        # (lid 3); weekend -> Mon 18 May; decided 18 May: in time
        Case("A", "2026-04-01")
        .then("application.received", "2026-04-30")
        .then("decision.issued", "2026-05-18", result="granted"),
        # aanvraag Mon 4 May + 14 = Mon 18 May; a suspension begun 20 May (after the due
        # date) moves nothing; decided 22 May: 4 days late
        Case("B", "2026-04-01")
        .then("application.received", "2026-05-04")
        .then("term.suspended", "2026-05-20", term="decision")
        .then("term.resumed", "2026-05-27", term="decision")
        .then("decision.issued", "2026-05-22", result="granted"),
        # aanvraag Mon 4 May + 14 = 18 May; verdaging on 11 May to 29 May; decided 28 May: in time
        Case("C", "2026-04-01")
        .then("application.received", "2026-05-04")
        .then(
            "term.extended", "2026-05-11", term="decision", newDueOn="2026-05-29", reason="advies"
        )
        .then("decision.issued", "2026-05-28", result="granted"),
    )
    group = total(kpi_client, "statutory_decision_within_term", "2026-05-01", "2026-05-31")
    assert (group["numerator"], group["denominator"]) == (2, 3)


def test_every_aanvraag_has_its_own_decision_term_and_counts_once(
    kpi_client: TestClient, engine: Engine
) -> None:
    # Wmo, 14 days. Aanvraag 1 on Mon 2 Mar (due Mon 16 Mar), decided 10 Mar: in time.
    # Aanvraag 2 on Mon 6 Apr (tweede Paasdag; + 14 = Mon 20 Apr), decided 24 Apr: 4 days
    # late. A suspension 4 -> 6 Mar ran during aanvraag 1's term only (its due date moves to
    # 18 Mar; aanvraag 2's term had not begun). Two aanvragen, one in time: 1 of 2, each
    # counted in the month of its decision.
    case = Case("A", "2026-02-20").then("application.received", "2026-03-02")
    case.then("term.suspended", "2026-03-04", term="decision")
    case.then("term.resumed", "2026-03-06", term="decision")
    case.then("decision.issued", "2026-03-10", result="granted")
    case.then("application.received", "2026-04-06")
    case.then("decision.issued", "2026-04-24", result="refused")
    post(kpi_client, case)
    both = total(kpi_client, "statutory_decision_within_term", "2026-03-01", "2026-04-30")
    assert (both["numerator"], both["denominator"]) == (1, 2)
    march = total(kpi_client, "statutory_decision_within_term", "2026-03-01", "2026-03-31")
    assert (march["numerator"], march["denominator"]) == (1, 1)
    audit = kpi_client.get("/api/v1/audit/trajectories/A", params={"asOf": "2026-05-01"}).json()
    (finding,) = [f for f in audit["findings"] if f["rule"] == "decision_term"]
    # the worst of the two: the second aanvraag, 4 days late; both explained
    assert (finding["status"], finding["dueOn"], finding["daysOver"]) == ("fail", "2026-04-20", 4)
    assert "aanvraag of 2026-03-02" in finding["explanation"]
    assert "aanvraag of 2026-04-06" in finding["explanation"]
    assert_reference_agrees(engine, "statutory_decision_within_term", "2026-03-01", "2026-04-30")
    first = finding["adjustments"][0]
    assert (first["rule"], first["movedTo"]) == ("suspension", "2026-03-18")
    assert finding["ignored"] == []  # the spell counted for aanvraag 1: not "ignored"


def test_statutory_decision_term_per_domain(kpi_client: TestClient) -> None:
    post(
        kpi_client,
        # Wmo: aanvraag Mon 2 Mar + 14 = Mon 16 Mar; decided 16 Mar: in time
        Case("A", "2026-02-20")
        .then("application.received", "2026-03-02")
        .then("decision.issued", "2026-03-16", result="granted"),
        # Wmo: aanvraag Sat 7 Mar + 14 = Sat 21 Mar -> Mon 23 Mar; decided 23 Mar: in time
        Case("B", "2026-02-20")
        .then("application.received", "2026-03-07")
        .then("decision.issued", "2026-03-23", result="refused"),
        # Jeugdwet: 2 Mar + 56 = Mon 27 Apr, King's Day -> Tue 28 Apr; decided 28 Apr: in time
        Case("C", "2026-02-20", domain="jeugdwet")
        .then("application.received", "2026-03-02")
        .then("decision.issued", "2026-04-28", result="granted"),
        # Wmo: 2 Mar + 14 = 16 Mar; decided 17 Mar: late
        Case("D", "2026-02-20")
        .then("application.received", "2026-03-02")
        .then("decision.issued", "2026-03-17", result="granted"),
    )
    group = total(kpi_client, "statutory_decision_within_term", "2026-03-01", "2026-04-30")
    assert (group["numerator"], group["denominator"], group["value"]) == (3, 4, 0.75)


def test_waiting_time_support_starts_at_the_first_grant(kpi_client: TestClient) -> None:
    post(
        kpi_client,
        # step 6 granted 10 Mar, decision 12 Mar: the first grant counts; support 24 Mar = 14 days
        Case("A", "2026-03-01")
        .step("provision", "2026-03-10", "granted")
        .then("decision.issued", "2026-03-12", result="granted")
        .then("support.started", "2026-03-24", kind="provision"),
        # only a decision, partly granted 12 Mar; support 20 Mar = 8 days
        Case("B", "2026-03-01")
        .then("decision.issued", "2026-03-12", result="partly_granted")
        .then("support.started", "2026-03-20", kind="provision"),
        # own-input support without a grant: not in this KPI
        Case("C", "2026-03-01").then("support.started", "2026-03-05", kind="own_input"),
    )
    group = total(kpi_client, "waiting_time_support", "2026-03-01", "2026-03-31")
    assert (group["n"], group["mean"], group["median"]) == (2, 11.0, 11.0)


def test_flows_and_caseload(kpi_client: TestClient) -> None:
    post(
        kpi_client,
        Case("A", "2026-01-10", team="noord").then(
            "trajectory.closed", "2026-02-05", reason="goals_achieved"
        ),
        Case("B", "2026-02-03", team="noord").then(
            "trajectory.closed", "2026-02-20", reason="moved"
        ),
        Case("C", "2026-02-10", team="zuid").then(
            "trajectory.closed", "2026-03-02", reason="goals_achieved"
        ),
        Case("D", "2026-02-15", team="zuid"),
    )
    feb = ("2026-02-01", "2026-02-28")
    assert total(kpi_client, "inflow", *feb)["value"] == 3  # B, C, D
    outflow = total(kpi_client, "outflow", *feb)
    assert outflow["value"] == 2
    assert outflow["details"]["breakdown"] == {
        "goals_achieved": 1,
        "moved": 1,
        **dict.fromkeys(("referred_specialist", "referred_social_base", "client_withdrew"), 0),
        **dict.fromkeys(("deceased", "other"), 0),
    }
    # open at 28 Feb: C (closes 2 Mar) and D
    caseload = figure(kpi_client, "caseload", *feb, groupBy="team")["groups"]
    assert [(g["key"]["team"], g["value"]) for g in caseload] == [("zuid", 2)]


def test_a_later_reopening_never_rewrites_an_earlier_period(
    kpi_client: TestClient, engine: Engine
) -> None:
    # The tester's case: opened 19 May 2025, closed 10 July, reopened 4 August. On 31 July
    # it was closed (docs/domain.md: state as of a date), so July's caseload holds only the other
    # case; July's outflow keeps the closure; the complaints denominator (active in the
    # period) counts it in July (open 1-10 July) and in August (reopened).
    reopened = Case("R", "2025-05-19").then("trajectory.closed", "2025-07-10", reason="moved")
    other = Case("O", "2025-06-01")
    post(kpi_client, reopened, other)
    july = ("2025-07-01", "2025-07-31")
    before = [total(kpi_client, k, *july) for k in ("caseload", "outflow")]
    assert (before[0]["value"], before[1]["value"]) == (1, 1)  # O open; R closed on 10 July
    post(kpi_client, Case("R").then("trajectory.reopened", "2025-08-04"))
    after = [total(kpi_client, k, *july) for k in ("caseload", "outflow")]
    assert after == before  # the report sent in August still holds
    assert total(kpi_client, "caseload", "2025-08-01", "2025-08-31")["value"] == 2
    # a second closure counts in its own period: 1 in July, 1 in September
    post(kpi_client, Case("R").then("trajectory.closed", "2025-09-15", reason="goals_achieved"))
    assert total(kpi_client, "outflow", *july)["value"] == 1
    assert total(kpi_client, "outflow", "2025-09-01", "2025-09-30")["value"] == 1
    # complaints per 100 active: R and O were both active in July -> 1 complaint = 50.0
    post(kpi_client, Case("O").then("complaint.received", "2025-07-20", category="bejegening"))
    assert total(kpi_client, "complaints", *july)["denominator"] == 2
    for kpi in ("caseload", "outflow", "complaints"):
        assert_reference_agrees(engine, kpi, *july)


def test_a_trajectory_belongs_to_the_professional_of_its_latest_step_by_then(
    kpi_client: TestClient, engine: Engine
) -> None:
    # Steps 1-3 by prof-a (March), step 4 by prof-b (15 April), closed 10 May. At the end
    # of March the case is prof-a's, at the end of April prof-b's; its closure (10 May)
    # counts for prof-b. A case opened with no step yet belongs to no professional.
    case = Case("A", "2026-03-02")
    for name in ("request", "problems", "need"):
        case.step(name, "2026-03-05", professionalRef="prof-a-pseudo")
    case.step("own_network", "2026-04-15", "partial", professionalRef="prof-b-pseudo")
    case.then("trajectory.closed", "2026-05-10", reason="goals_achieved")
    post(kpi_client, case, Case("B", "2026-03-20"))

    def by_professional(kpi: str, start: str, end: str) -> list[tuple[str | None, int]]:
        groups = figure(kpi_client, kpi, start, end, groupBy="professional")["groups"]
        return [(g["key"]["professional"], g["value"]) for g in groups]

    assert by_professional("caseload", "2026-03-01", "2026-03-31") == [
        (None, 1),
        ("prof-a-pseudo", 1),
    ]
    assert ("prof-b-pseudo", 1) in by_professional("caseload", "2026-04-01", "2026-04-30")
    assert by_professional("outflow", "2026-05-01", "2026-05-31") == [("prof-b-pseudo", 1)]
    only_a = figure(
        kpi_client, "caseload", "2026-03-01", "2026-03-31", professional="prof-a-pseudo"
    )["groups"]
    assert [g["value"] for g in only_a] == [1]
    assert_reference_agrees(engine, "caseload", "2026-04-01", "2026-04-30", ("professional",))
    assert_reference_agrees(engine, "outflow", "2026-05-01", "2026-05-31", ("professional",))


def test_a_closure_counts_in_the_outflow_before_its_opening_arrives(
    kpi_client: TestClient, engine: Engine
) -> None:
    # The closure of 10 March arrives before the melding (a backfill in pieces): it counts
    # as one closure in March at once (a period of that one day), and it is not in the
    # caseload at the end of March; once the melding of 2 February arrives nothing changes.
    closure = Case("A").then("trajectory.closed", "2026-03-10", reason="moved")
    post(kpi_client, closure)
    march = ("2026-03-01", "2026-03-31")
    assert total(kpi_client, "outflow", *march)["value"] == 1
    assert figure(kpi_client, "caseload", *march)["groups"] == []
    post(kpi_client, Case("A", "2026-02-02"))
    assert total(kpi_client, "outflow", *march)["value"] == 1
    assert_reference_agrees(engine, "outflow", *march)


def test_satisfaction_per_item_with_response_rate(kpi_client: TestClient) -> None:
    def closed(name: str) -> Case:
        return Case(name, "2026-01-05").then(
            "trajectory.closed", "2026-03-10", reason="goals_achieved"
        )

    a, b, c, d = closed("A"), closed("B"), closed("C"), closed("D")
    a.then("satisfaction.recorded", "2026-03-11", scores={"overall": 4, "listenedTo": 5})
    b.then("satisfaction.recorded", "2026-03-12", scores={"overall": 2})
    c.then("satisfaction.recorded", "2026-03-13", scores={"overall": 5, "listenedTo": 3})
    post(kpi_client, a, b, c, d)
    group = total(kpi_client, "satisfaction", "2026-03-01", "2026-03-31")
    overall = group["details"]["items"]["overall"]
    # overall 4, 2, 5: mean 11/3 = 3.6667; two of three score 4 or 5
    assert (overall["n"], overall["mean"], overall["shareAgree"]) == (3, 3.6667, 0.6667)
    assert group["details"]["items"]["listenedTo"] == {
        "n": 2,
        "mean": 4.0,
        "shareAgree": 0.5,
        "responseRate": 0.5,  # 2 of the 4 closed trajectories answered this item
        "suppressed": False,
    }
    assert group["details"]["responseRate"] == 0.75  # 3 respondents / 4 closures
    assert group["value"] == 0.6667


def test_satisfaction_is_per_closed_trajectory_and_its_response_rate_never_exceeds_one(
    kpi_client: TestClient, engine: Engine
) -> None:
    # docs/domain.md: for the trajectories closed in the period, each one's latest answer per item
    # (an item missing from a later response keeps its earlier answer). A answers twice
    # in March (overall 2, then 5 with listenedTo missing: listenedTo 4 stays); B answers in
    # March but closes in April; C closes in March without answering. March: closed A and C,
    # respondents A only: response rate 1/2; B counts in April (1/1), never twice.
    a = Case("A", "2026-01-05").then("trajectory.closed", "2026-03-10", reason="moved")
    a.then("satisfaction.recorded", "2026-03-11", scores={"overall": 2, "listenedTo": 4})
    a.then("satisfaction.recorded", "2026-03-20", scores={"overall": 5})
    b = Case("B", "2026-01-05").then("satisfaction.recorded", "2026-03-15", scores={"overall": 4})
    b.then("trajectory.closed", "2026-04-02", reason="goals_achieved")
    c = Case("C", "2026-01-05").then("trajectory.closed", "2026-03-12", reason="moved")
    post(kpi_client, a, b, c)
    march = total(kpi_client, "satisfaction", "2026-03-01", "2026-03-31")
    assert (march["n"], march["details"]["closed"], march["details"]["responseRate"]) == (1, 2, 0.5)
    items = march["details"]["items"]
    assert (items["overall"]["mean"], items["listenedTo"]["mean"]) == (5.0, 4.0)
    april = total(kpi_client, "satisfaction", "2026-04-01", "2026-04-30")
    assert (april["n"], april["details"]["responseRate"]) == (1, 1.0)
    assert_reference_agrees(engine, "satisfaction", "2026-03-01", "2026-03-31")


def test_goal_attainment_counts_partly_apart(kpi_client: TestClient) -> None:
    def plan(case: Case, *goals: str) -> Case:
        return case.then(
            "plan.recorded", "2026-02-01", goals=[{"id": g} for g in goals], caseLead="resident"
        )

    a = plan(Case("A", "2026-01-05"), "g1", "g2")
    a.then("goal.evaluated", "2026-03-01", goalId="g1", result="achieved")
    a.then("goal.evaluated", "2026-03-02", goalId="g2", result="partly")
    b = plan(Case("B", "2026-01-05"), "g1", "g2", "g3")
    b.then("goal.evaluated", "2026-03-03", goalId="g1", result="not_achieved")
    b.then("goal.evaluated", "2026-03-04", goalId="g2", result="achieved")
    b.then("goal.evaluated", "2026-03-05", goalId="g3", result="achieved")
    post(kpi_client, a, b)
    group = total(kpi_client, "goal_attainment", "2026-03-01", "2026-03-31")
    # achieved 3 of 5 evaluated = 0.6; partly 1 of 5 = 0.2
    assert (group["numerator"], group["denominator"], group["value"]) == (3, 5, 0.6)
    assert group["details"] == {"partly": 1, "partlyShare": 0.2}


def test_goal_attainment_reads_the_latest_plan_and_each_goals_last_evaluation(
    kpi_client: TestClient, engine: Engine
) -> None:
    # Plan 1 has g1, g2; g1 is evaluated not_achieved, then achieved (the last counts); a
    # revised plan keeps g1 and adds g3 (g2 drops out, its evaluation ignored); g3 partly;
    # an evaluation of g9 (in no plan) is ignored. Counted: g1 achieved, g3 partly: 1 of 2
    # achieved, 1 of 2 partly; period: the last evaluation of a plan goal (12 March).
    a = Case("A", "2026-01-05")
    a.then("plan.recorded", "2026-02-01", goals=[{"id": "g1"}, {"id": "g2"}], caseLead="resident")
    a.then("goal.evaluated", "2026-03-01", goalId="g1", result="not_achieved")
    a.then("goal.evaluated", "2026-03-02", goalId="g2", result="achieved")
    a.then("goal.evaluated", "2026-03-10", goalId="g1", result="achieved")
    a.then("plan.recorded", "2026-03-11", goals=[{"id": "g1"}, {"id": "g3"}], caseLead="resident")
    a.then("goal.evaluated", "2026-03-12", goalId="g3", result="partly")
    a.then("goal.evaluated", "2026-04-20", goalId="g9", result="achieved")
    post(kpi_client, a)
    group = total(kpi_client, "goal_attainment", "2026-03-01", "2026-03-31")
    assert (group["numerator"], group["denominator"], group["value"]) == (1, 2, 0.5)
    assert group["details"] == {"partly": 1, "partlyShare": 0.5}
    assert figure(kpi_client, "goal_attainment", "2026-04-01", "2026-04-30")["groups"] == []
    assert_reference_agrees(engine, "goal_attainment", "2026-03-01", "2026-03-31")


def test_complaints_pair_by_id_else_by_category(kpi_client: TestClient, engine: Engine) -> None:
    # A: two complaints of one category, with ids: the resolution naming k2 resolves k2
    # (received 10 March, resolved 17 March: 7 days), k1 stays open. B: without ids a
    # resolution closes the earliest open complaint of its category (received 2 March,
    # resolved 5 March: 3 days), never one of another category.
    a = Case("A", "2026-01-05")
    a.then("complaint.received", "2026-03-01", category="wachttijd", complaintId="k1")
    a.then("complaint.received", "2026-03-10", category="wachttijd", complaintId="k2")
    a.then("complaint.resolved", "2026-03-17", category="wachttijd", complaintId="k2")
    b = Case("B", "2026-01-05")
    b.then("complaint.received", "2026-03-02", category="bejegening")
    b.then("complaint.received", "2026-03-04", category="bejegening")
    b.then("complaint.resolved", "2026-03-05", category="bejegening")
    b.then("complaint.resolved", "2026-03-06", category="informatie")  # pairs with nothing
    post(kpi_client, a, b)
    group = total(kpi_client, "complaints", "2026-03-01", "2026-03-31")
    assert (group["numerator"], group["denominator"]) == (4, 2)
    resolution = group["details"]["resolution"]
    assert (resolution["n"], resolution["mean"]) == (2, 5.0)  # (7 + 3) / 2
    assert_reference_agrees(engine, "complaints", "2026-03-01", "2026-03-31")


def test_lead_time_ends_at_resolution_and_open_intervals_need_an_open_trajectory(
    kpi_client: TestClient,
) -> None:
    # A: melding 2 March, step 4 sufficient 12 March (resolution), step 6 on 30 March: the
    # assessment lead time is 10 days, counted in March, not 28. B: melding 2 March, no
    # resolution, open at 31 March: one open interval. C: melding 2 March, no resolution,
    # closed 20 March: no longer an open interval.
    a = (
        Case("A", "2026-03-02")
        .steps_1_to_3("2026-03-05")
        .step("own_network", "2026-03-12", "sufficient")
    )
    a.step("provision", "2026-03-30", "not_needed")
    b = Case("B", "2026-03-02")
    c = Case("C", "2026-03-02").then("trajectory.closed", "2026-03-20", reason="moved")
    post(kpi_client, a, b, c)
    body = figure(kpi_client, "assessment_lead_time", "2026-03-01", "2026-03-31")
    (group,) = body["groups"]
    assert (group["n"], group["median"]) == (1, 10.0)
    assert body["openIntervals"] == 1  # B; C closed before `to`


def test_reentry_boundaries(kpi_client: TestClient) -> None:
    # Closed 1 March 2025. A new melding on the same day is a parallel trajectory (no
    # re-entry); one 365 days later (1 March 2026) is; one 366 days later is not. The
    # closure's year has passed when asOf >= closure + 365 days (1 March 2026).
    def story(client: str, back_on: str) -> list[Case]:
        first = Case(f"{client}-1", "2025-01-10", client=f"client-{client}-pseudo")
        first.then("trajectory.closed", "2025-03-01", reason="goals_achieved")
        return [first, Case(f"{client}-2", back_on, client=f"client-{client}-pseudo")]

    post(
        kpi_client,
        *story("same", "2025-03-01"),
        *story("d365", "2026-03-01"),
        *story("d366", "2026-03-02"),
    )
    period = ("2025-03-01", "2025-03-01")
    waiting = total(kpi_client, "reentry_rate", *period, asOf="2026-02-28")
    assert waiting["value"] is None  # all three still wait for their year
    judged = total(kpi_client, "reentry_rate", *period, asOf="2026-03-01")
    assert (judged["numerator"], judged["denominator"]) == (1, 3)  # only d365


def test_complaints_per_hundred_active_trajectories(kpi_client: TestClient) -> None:
    a = Case("A", "2026-01-05")
    a.then("complaint.received", "2026-03-02", category="wachttijd")
    a.then("complaint.resolved", "2026-03-09", category="wachttijd")  # 7 days
    b = Case("B", "2026-03-10").then("complaint.received", "2026-03-20", category="bejegening")
    c = Case("C", "2026-02-01").then("trajectory.closed", "2026-03-01", reason="moved")
    d = Case("D", "2026-01-01").then(
        "trajectory.closed", "2026-02-27", reason="moved"
    )  # not active in March
    e = Case("E", "2026-03-31")
    post(kpi_client, a, b, c, d, e)
    group = total(kpi_client, "complaints", "2026-03-01", "2026-03-31")
    # active in March: A, B, C, E = 4; complaints received: 2 -> 50 per 100
    assert (group["numerator"], group["denominator"], group["value"]) == (2, 4, 50.0)
    assert group["details"]["resolution"] == {
        "n": 1,
        "mean": 7.0,
        "median": 7.0,
        "p90": 7.0,
        "suppressed": False,
    }


def test_reentry_within_a_year_waits_for_the_window(kpi_client: TestClient) -> None:
    post(
        kpi_client,
        Case("A1", "2025-01-10", client="client-a-pseudo").then(
            "trajectory.closed", "2025-03-01", reason="goals_achieved"
        ),
        Case("A2", "2025-06-01", client="client-a-pseudo"),  # back within a year: re-entry
        Case("B1", "2025-01-10", client="client-b-pseudo").then(
            "trajectory.closed", "2025-03-10", reason="goals_achieved"
        ),
        Case("B2", "2026-04-01", client="client-b-pseudo"),  # 387 days later: not a re-entry
        Case("C1", "2025-01-10", client="client-c-pseudo").then(
            "trajectory.closed", "2025-03-20", reason="goals_achieved"
        ),
        Case("P", "2026-01-10", client="client-p-pseudo").then(
            "trajectory.closed", "2026-03-05", reason="goals_achieved"
        ),
    )
    march_2025 = total(kpi_client, "reentry_rate", "2025-03-01", "2025-03-31", asOf="2026-11-24")
    assert (march_2025["numerator"], march_2025["denominator"]) == (1, 3)
    assert march_2025["value"] == pytest.approx(1 / 3, abs=1e-4)
    # a closure of March 2026 still waits for its year to pass: nothing to measure yet
    assert (
        total(kpi_client, "reentry_rate", "2026-03-01", "2026-03-31", asOf="2026-11-24")["value"]
        is None
    )
    both = total(kpi_client, "reentry_rate", "2025-03-01", "2026-03-31", asOf="2026-11-24")
    assert (both["numerator"], both["denominator"], both["details"]["pending"]) == (1, 3, 1)


def test_involvement_duration_and_efficiency(kpi_client: TestClient) -> None:
    post(
        kpi_client,
        Case("A", "2026-01-05")
        .step("own_network", "2026-01-10", "partial")
        .step("own_input", "2026-01-15", "sufficient", hours=10)
        .then("trajectory.closed", "2026-03-05", reason="goals_achieved"),  # 59 days, 10 h
        Case("B", "2026-02-01")
        .step("own_network", "2026-02-03", "partial")
        .step("own_input", "2026-02-05", "sufficient", hours=5.5)
        .then("trajectory.closed", "2026-03-03", reason="goals_achieved"),  # 30 days, 5.5 h
        Case("C", "2026-02-01")
        .step("own_network", "2026-02-03", "sufficient")
        .then("trajectory.closed", "2026-03-20", reason="referred_social_base"),
    )
    march = ("2026-03-01", "2026-03-31")
    involvement = total(kpi_client, "involvement_duration", *march)
    assert (involvement["n"], involvement["mean"]) == (2, 44.5)  # (59 + 30) / 2; C was step 4
    efficiency = total(kpi_client, "efficiency", *march)
    assert (efficiency["numerator"], efficiency["denominator"], efficiency["value"]) == (
        15.5,
        3,
        5.1667,
    )


def test_efficiency_sums_the_hours_of_every_own_input_spell(kpi_client: TestClient) -> None:
    # Own input in three spells: 2.5 h (its first completion: the step's record), 4 h and
    # 1.25 h (repeats, kept in the timeline); closed in March: 7.75 h for one trajectory.
    # The figure is exact: stored in whole minutes (465), divided once (465 / 60 / 1).
    case = Case("A", "2026-01-05").step("own_network", "2026-01-10", "partial")
    case.step("own_input", "2026-01-15", "sufficient", hours=2.5)
    case.step("own_input", "2026-02-01", "sufficient", hours=4)
    case.step("own_input", "2026-02-20", "partial", hours=1.25)
    case.then("trajectory.closed", "2026-03-05", reason="goals_achieved")
    post(kpi_client, case)
    efficiency = total(kpi_client, "efficiency", "2026-03-01", "2026-03-31")
    assert (efficiency["numerator"], efficiency["value"]) == (7.75, 7.75)
    # the step's outcome stays that of its first completion: resolved at step 5
    assert total(kpi_client, "own_input_ratio", "2026-01-01", "2026-01-31")["numerator"] == 1


def test_terms_cut_short_and_a_suspension_open_at_the_decision(kpi_client: TestClient) -> None:
    # A: aanvraag Mon 2 Mar (Wmo, due 16 Mar), closed 10 Mar without a decision: the
    # decision term is not applicable (cut short). B: the same, closed 20 Mar: fail, 4 days.
    # C: aanvraag 2 Mar, suspended 9 Mar and never resumed, decided 25 Mar: the spell ends
    # on the decision (16 days) -> due 1 Apr: in time, and the KPI counts it in time.
    a = Case("A", "2026-03-01").then("application.received", "2026-03-02")
    a.then("trajectory.closed", "2026-03-10", reason="client_withdrew")
    b = Case("B", "2026-03-01").then("application.received", "2026-03-02")
    b.then("trajectory.closed", "2026-03-20", reason="client_withdrew")
    c = Case("C", "2026-03-01").then("application.received", "2026-03-02")
    c.then("term.suspended", "2026-03-09", term="decision", reason="wacht op stukken")
    c.then("decision.issued", "2026-03-25", result="granted")
    post(kpi_client, a, b, c)

    def decision_term(trajectory: str) -> dict[str, Any]:
        body = kpi_client.get(
            f"/api/v1/audit/trajectories/{trajectory}", params={"asOf": "2026-05-01"}
        )
        (finding,) = [f for f in body.json()["findings"] if f["rule"] == "decision_term"]
        result: dict[str, Any] = finding
        return result

    assert decision_term("A")["status"] == "not_applicable"
    assert (decision_term("B")["status"], decision_term("B")["daysOver"]) == ("fail", 4)
    assert (decision_term("C")["status"], decision_term("C")["dueOn"]) == ("pass", "2026-04-01")
    kpi = total(kpi_client, "statutory_decision_within_term", "2026-03-01", "2026-03-31")
    assert (kpi["numerator"], kpi["denominator"]) == (1, 1)  # only C was decided


def test_provision_stacking_counts_clients_with_overlapping_domains(kpi_client: TestClient) -> None:
    post(
        kpi_client,
        Case("A1", "2026-01-05", client="client-a-pseudo")
        .then("support.started", "2026-03-01", kind="provision")
        .then("support.ended", "2026-06-01"),
        Case("A2", "2026-02-05", domain="jeugdwet", client="client-a-pseudo").then(
            "support.started", "2026-04-01", kind="provision"
        ),  # overlaps A1 from 1 April: client A is stacked
        Case("B1", "2026-01-05", client="client-b-pseudo")
        .then("support.started", "2026-03-01", kind="provision")
        .then("support.ended", "2026-03-31"),
        Case("B2", "2026-01-05", domain="jeugdwet", client="client-b-pseudo").then(
            "support.started", "2026-05-01", kind="provision"
        ),  # after B1 ended: not at the same time
    )
    group = total(kpi_client, "provision_stacking", "2026-01-01", "2026-12-31")
    assert (group["numerator"], group["denominator"], group["value"]) == (1, 2, 0.5)


def test_stacking_spells_pair_by_provider_end_on_closure_and_touching_ones_do_not_stack(
    kpi_client: TestClient, engine: Engine
) -> None:
    # Client C: Wmo spells at provider p1 (1 -> 10 March) and p2 (5 March -> ...), the
    # support.ended of p1 names its provider, so p2 runs on; a Jeugdwet spell starts 10
    # March, the day p1 ends (end day excluded) - yet overlaps p2 from 10 March: stacked.
    # Client D: a Wmo spell ends with the trajectory's closure on 15 March; a Jeugdwet spell
    # starts 15 March: touching, not overlapping: not stacked.
    c1 = Case("C1", "2026-01-05", client="client-c-pseudo")
    c1.then("support.started", "2026-03-01", kind="provision", provider="p1")
    c1.then("support.started", "2026-03-05", kind="provision", provider="p2")
    c1.then("support.ended", "2026-03-10", kind="provision", provider="p1")
    c2 = Case("C2", "2026-01-05", domain="jeugdwet", client="client-c-pseudo")
    c2.then("support.started", "2026-03-10", kind="provision", provider="p3")
    d1 = Case("D1", "2026-01-05", client="client-d-pseudo")
    d1.then("support.started", "2026-03-01", kind="provision", provider="p1")
    d1.then("trajectory.closed", "2026-03-15", reason="goals_achieved")
    d2 = Case("D2", "2026-01-05", domain="jeugdwet", client="client-d-pseudo")
    d2.then("support.started", "2026-03-15", kind="provision", provider="p4")
    post(kpi_client, c1, c2, d1, d2)
    group = total(kpi_client, "provision_stacking", "2026-03-01", "2026-03-31")
    assert (group["numerator"], group["denominator"]) == (1, 2)
    # only days inside the period count: in a period that ends on 9 March nothing stacks
    early = total(kpi_client, "provision_stacking", "2026-03-01", "2026-03-09")
    assert (early["numerator"], early["denominator"]) == (0, 2)
    assert_reference_agrees(engine, "provision_stacking", "2026-03-01", "2026-03-31")


def test_reentry_is_seen_when_the_return_arrives_in_a_later_request(kpi_client: TestClient) -> None:
    first = Case("A1", "2025-01-10", client="client-a-pseudo")
    first.then("trajectory.closed", "2025-03-01", reason="goals_achieved")
    post(kpi_client, first)
    before = total(kpi_client, "reentry_rate", "2025-03-01", "2025-03-31", asOf="2026-11-24")
    assert (before["numerator"], before["denominator"]) == (0, 1)
    post(
        kpi_client, Case("A2", "2025-09-01", client="client-a-pseudo")
    )  # A1 itself is not refolded
    after = total(kpi_client, "reentry_rate", "2025-03-01", "2025-03-31", asOf="2026-11-24")
    assert (after["numerator"], after["denominator"]) == (1, 1)
