"""Each compliance rule: pass, fail, pending and not applicable, on plain states (no database)."""

import dataclasses
from collections import defaultdict
from datetime import date
from typing import Any

import pytest

from app.domain.audit import RULES, Finding, Status, audit
from app.domain.trajectory import TrajectoryState, fold
from scripts.generate_events import generate
from tests.helpers import domain_events
from tests.kpis.scenario import Case

TODAY = date(2026, 11, 24)


def state(case: Case) -> TrajectoryState:
    return fold(case.trajectory, domain_events(case.events))


def finding(case: Case, rule: str, today: date = TODAY) -> Any:
    (result,) = [f for f in audit(state(case), today) if f.rule == rule]
    return result


def full(case: Case, on: str = "2026-03-03") -> Case:
    return case.steps_1_to_3(on)


# --- step_order -------------------------------------------------------------------------


def test_step_order() -> None:
    assert finding(Case("T", "2026-03-02"), "step_order").status is Status.NOT_APPLICABLE
    ok = full(Case("T", "2026-03-02")).step("own_network", "2026-03-05", "partial")
    assert finding(ok, "step_order").status is Status.PASS
    swapped = Case("T", "2026-03-02").step("request", "2026-03-03").step("need", "2026-03-04")
    swapped.step("problems", "2026-03-06")
    result = finding(swapped, "step_order")
    assert (
        result.status is Status.FAIL
        and "need (2026-03-04) before problems (2026-03-06)" in result.explanation
    )
    skipped = Case("T", "2026-03-02").step("request", "2026-03-03").step("need", "2026-03-04")
    result = finding(skipped, "step_order")
    assert result.status is Status.FAIL
    assert "need done without problems" in result.explanation
    assert result.evidence == (skipped.events[2]["eventId"],)


def test_step_order_flags_every_lower_step_missing_not_only_the_one_before() -> None:
    # Steps 1, 3 and 4 done, step 2 never: step 3 and step 4 are both out of order.
    case = Case("T", "2026-03-02").step("request", "2026-03-03").step("need", "2026-03-04")
    case.step("own_network", "2026-03-05", "partial")
    result = finding(case, "step_order")
    assert result.explanation == ("need done without problems; own_network done without problems")
    # Step 5 `not_applicable` (with a reason) counts as completed for step 6.
    ok = full(Case("T", "2026-03-02")).step("own_network", "2026-03-05", "insufficient")
    ok.step("own_input", "2026-03-06", "not_applicable", reason="geen eigen inzet mogelijk")
    ok.step("provision", "2026-03-07", "granted")
    assert finding(ok, "step_order").status is Status.PASS
    # Step 6 without step 5 at all is out of order.
    no_five = full(Case("T", "2026-03-02")).step("own_network", "2026-03-05", "insufficient")
    no_five.step("provision", "2026-03-07", "granted")
    assert finding(no_five, "step_order").explanation == "provision done without own_input"


# --- provision_justified ---------------------------------------------------------------


def test_provision_justified() -> None:
    assert finding(Case("T", "2026-03-02"), "provision_justified").status is Status.NOT_APPLICABLE
    good = full(Case("T", "2026-03-02")).step("own_network", "2026-03-05", "partial")
    good.step("own_input", "2026-03-06", "insufficient", hours=2).step(
        "provision", "2026-03-10", "granted"
    )
    result = finding(good, "provision_justified")
    assert result.status is Status.PASS
    assert set(result.evidence) == {e["eventId"] for e in good.events[1:]}
    rushed = full(Case("T", "2026-03-02")).step("own_network", "2026-03-05", "sufficient")
    rushed.step("provision", "2026-03-10", "granted")
    result = finding(rushed, "provision_justified")
    assert result.status is Status.FAIL
    assert "own network was found sufficient" in result.explanation
    assert "step 6 granted on 2026-03-10 before step 5 own_input" in result.explanation


def test_a_granted_decision_without_step_6_is_a_grant_judged_like_one() -> None:
    # Steps 1-4 done, step 5 missing, a decision granting on 10 March: fail, named.
    case = full(Case("T", "2026-03-02")).step("own_network", "2026-03-05", "partial")
    case.then("decision.issued", "2026-03-10", result="partly_granted")
    result = finding(case, "provision_justified")
    assert result.status is Status.FAIL
    assert result.explanation == "the decision granted on 2026-03-10 before step 5 own_input"
    # With step 5 before it, the same decision passes.
    case.step("own_input", "2026-03-06", "insufficient", hours=1)
    result = finding(case, "provision_justified")
    assert result.status is Status.PASS
    assert result.explanation.startswith("the decision (2026-03-10)")
    # A refused decision is no grant.
    refused = full(Case("T", "2026-03-02")).then("decision.issued", "2026-03-10", result="refused")
    assert finding(refused, "provision_justified").status is Status.NOT_APPLICABLE


def test_every_grant_is_judged_whichever_came_first() -> None:
    # A decision granting on 6 March before step 5 (7 March), then step 6 granted on
    # 10 March after it: the early decision fails the rule although step 6 was in order.
    case = full(Case("T", "2026-03-02")).step("own_network", "2026-03-05", "partial")
    case.then("decision.issued", "2026-03-06", result="granted")
    case.step("own_input", "2026-03-07", "insufficient", hours=1)
    case.step("provision", "2026-03-10", "granted")
    result = finding(case, "provision_justified")
    assert result.status is Status.FAIL
    assert result.explanation == "the decision granted on 2026-03-06 before step 5 own_input"


# --- expert_advice ---------------------------------------------------------------------


def test_expert_advice() -> None:
    base = full(Case("T", "2026-03-02"))
    assert finding(base, "expert_advice").status is Status.NOT_APPLICABLE

    def with_advice(received: str | None) -> Case:
        case = full(Case("T", "2026-03-02"))
        case.then("expert_advice.requested", "2026-03-04", discipline="arts")
        if received:
            case.then("expert_advice.received", received, discipline="arts")
        return case.step("provision", "2026-03-10", "granted", expertAdviceRequired=True)

    assert finding(with_advice("2026-03-08"), "expert_advice").status is Status.PASS
    late = finding(with_advice("2026-03-12"), "expert_advice")
    assert late.status is Status.FAIL
    assert late.explanation == ("advice received 2026-03-12, after step 6 (2026-03-10)")
    assert finding(with_advice(None), "expert_advice").status is Status.FAIL


def test_expert_advice_is_pending_until_a_grant_and_judges_a_granted_decision() -> None:
    # Advice requested 4 March, nothing decided yet: pending.
    case = full(Case("T", "2026-03-02"))
    case.then("expert_advice.requested", "2026-03-04", discipline="arts")
    result = finding(case, "expert_advice")
    assert result.status is Status.PENDING
    assert result.explanation == "advice required; no provision step or grant yet"
    # A granted decision on 8 March without step 6 and before the advice (9 March): fail.
    case.then("decision.issued", "2026-03-08", result="granted")
    case.then("expert_advice.received", "2026-03-09", discipline="arts")
    result = finding(case, "expert_advice")
    assert result.status is Status.FAIL
    assert result.explanation == "advice received 2026-03-09, after the decision (2026-03-08)"


# --- assessment_term -------------------------------------------------------------------


def test_assessment_term_pass_fail_pending_and_not_applicable() -> None:
    # melding Fri 20 Feb 2026 + 42 days = Good Friday 3 April -> due Tue 7 April
    on_time = full(Case("T", "2026-02-20")).step("own_network", "2026-04-07", "partial")
    result = finding(on_time, "assessment_term")
    assert result.status is Status.PASS
    assert result.due == date(2026, 4, 7)
    assert [a.rule for a in result.adjustments] == ["algemene_termijnenwet"]
    assert result.evidence[0] == on_time.events[0]["eventId"]  # the melding starts the term
    late = full(Case("T", "2026-02-20")).step("own_network", "2026-04-09", "partial")
    result = finding(late, "assessment_term")
    assert (result.status, result.days_over) == (Status.FAIL, 2)
    waiting = Case("T", "2026-11-02")  # due 14 Dec 2026; judged on 24 Nov
    result = finding(waiting, "assessment_term")
    assert (result.status, result.days_remaining, result.due) == (
        Status.PENDING,
        20,
        date(2026, 12, 14),
    )
    assert finding(waiting, "assessment_term", date(2026, 12, 15)).status is Status.FAIL
    assert (
        finding(Case("T", "2026-02-20", domain="jeugdwet"), "assessment_term").status
        is Status.NOT_APPLICABLE
    )


def test_a_suspension_moves_the_assessment_due_date_and_says_so() -> None:
    case = Case("T", "2026-03-02")
    case.then("term.suspended", "2026-03-05", term="assessment", reason="wacht op informatie")
    case.then("term.resumed", "2026-03-12", term="assessment")
    result = finding(case, "assessment_term", date(2026, 4, 1))
    assert result.due == date(2026, 4, 20)  # 13 April + 7 suspended days
    assert [a.rule for a in result.adjustments] == ["suspension"]


def test_a_term_suspended_on_as_of_is_pending_whatever_the_day() -> None:
    # Melding 2 March; nominal due 13 April; suspended since 5 March and not resumed.
    case = Case("T", "2026-03-02")
    case.then("term.suspended", "2026-03-05", term="assessment", reason="wacht op informatie")
    for as_of in (date(2026, 3, 10), date(2026, 11, 24)):
        result = finding(case, "assessment_term", as_of)
        assert result.status is Status.PENDING
        assert result.due is None
        assert result.suspended_since == date(2026, 3, 5)
        assert "suspended since 2026-03-05" in result.explanation


def test_a_spell_for_the_other_term_does_not_move_this_one() -> None:
    # A decision-term suspension leaves the assessment term (due 13 April) where it was.
    case = Case("T", "2026-03-02")
    case.then("term.suspended", "2026-03-05", term="decision").then(
        "term.resumed", "2026-03-20", term="decision"
    )
    assert finding(case, "assessment_term", date(2026, 4, 1)).due == date(2026, 4, 13)


def test_a_suspension_after_the_due_date_cannot_turn_an_overrun_into_a_pass() -> None:
    # Due 13 April; suspended 15 -> 30 April (after the term ended); done 20 April: 7 late.
    case = Case("T", "2026-03-02")
    late = case.add("term.suspended", "2026-04-15", {"term": "assessment"})
    case.then("term.resumed", "2026-04-30", term="assessment")
    full(case, "2026-04-20").step("own_network", "2026-04-20", "partial")
    result = finding(case, "assessment_term")
    assert (result.status, result.due, result.days_over) == (Status.FAIL, date(2026, 4, 13), 7)
    assert [i.event_id for i in result.ignored] == [late["eventId"]]
    assert late["eventId"] in result.evidence


def test_an_open_suspension_ends_on_the_decision() -> None:
    # Aanvraag Monday 2 March (Wmo, 14 days -> 16 March); suspended 9 March, never resumed;
    # decision 25 March: the spell ends on 25 March = 16 days -> due 1 April: pass.
    case = Case("T", "2026-03-01").then("application.received", "2026-03-02")
    case.then("term.suspended", "2026-03-09", term="decision")
    case.then("decision.issued", "2026-03-25", result="granted")
    result = finding(case, "decision_term")
    assert (result.status, result.due) == (Status.PASS, date(2026, 4, 1))


def test_verdaging_before_and_after_the_due_date() -> None:
    # Aanvraag 2 March -> due 16 March. Notice of 14 more days on 12 March -> 30 March;
    # decision 27 March passes. The same notice on 17 March comes too late: 11 days over.
    for notice, status, due in (
        ("2026-03-12", Status.PASS, date(2026, 3, 30)),
        ("2026-03-17", Status.FAIL, date(2026, 3, 16)),
    ):
        case = Case("T", "2026-03-01").then("application.received", "2026-03-02")
        case.then("term.extended", notice, term="decision", days=14, reason="advies GGD")
        case.then("decision.issued", "2026-03-27", result="granted")
        result = finding(case, "decision_term")
        assert (result.status, result.due) == (status, due)


def test_a_retraction_changes_the_verdict() -> None:
    # Due 16 March; a verdaging of 14 days makes the 27 March decision a pass; once the
    # verdaging is retracted it is 11 days late.
    case = Case("T", "2026-03-01").then("application.received", "2026-03-02")
    extension = case.add(
        "term.extended", "2026-03-12", {"term": "decision", "days": 14, "reason": "advies"}
    )
    case.then("decision.issued", "2026-03-27", result="granted")
    assert finding(case, "decision_term").status is Status.PASS
    case.then("event.retracted", "2026-03-28", retracts=extension["eventId"])
    result = finding(case, "decision_term")
    assert (result.status, result.days_over) == (Status.FAIL, 11)
    assert extension["eventId"] not in result.evidence


def test_a_term_cut_short_by_a_closure() -> None:
    # Aanvraag 2 March -> due 16 March. Closed 10 March without a decision: not applicable;
    # closed 20 March without one: fail, 4 days after the due date.
    for closed, status in (("2026-03-10", Status.NOT_APPLICABLE), ("2026-03-20", Status.FAIL)):
        case = Case("T", "2026-03-01").then("application.received", "2026-03-02")
        case.then("trajectory.closed", closed, reason="client_withdrew")
        assert finding(case, "decision_term").status is status


# --- decision_term ---------------------------------------------------------------------


def test_decision_term() -> None:
    assert finding(Case("T", "2026-03-02"), "decision_term").status is Status.NOT_APPLICABLE
    case = Case("T", "2026-03-02").then(
        "application.received", "2026-03-07"
    )  # Sat + 14 = Sat 21 -> Mon 23
    assert finding(case, "decision_term", date(2026, 3, 20)).status is Status.PENDING
    assert finding(case, "decision_term", date(2026, 3, 24)).status is Status.FAIL
    decided = finding(case.then("decision.issued", "2026-03-23", result="granted"), "decision_term")
    assert decided.status is Status.PASS
    assert decided.due == date(2026, 3, 23)


# --- plan_recorded, closure_reason, case_lead_recorded -------------------------------------


def test_plan_recorded() -> None:
    assert finding(Case("T", "2026-03-02"), "plan_recorded").status is Status.NOT_APPLICABLE
    started = Case("T", "2026-03-02").then("support.started", "2026-03-05", kind="own_input")
    assert finding(started, "plan_recorded", date(2026, 3, 10)).status is Status.PENDING
    assert finding(started, "plan_recorded", date(2026, 3, 20)).status is Status.FAIL
    started.then("plan.recorded", "2026-03-09", goals=[{"id": "g1"}], caseLead="resident")
    assert finding(started, "plan_recorded").status is Status.PASS


def test_plan_recorded_is_cut_short_by_a_closure_like_a_term() -> None:
    # Support started 5 March: plan due 19 March. Closed 15 March without a plan: not
    # applicable; closed 25 March without one: fail, 6 days over.
    for closed, status in (("2026-03-15", Status.NOT_APPLICABLE), ("2026-03-25", Status.FAIL)):
        case = Case("T", "2026-03-02").then("support.started", "2026-03-05", kind="own_input")
        case.then("trajectory.closed", closed, reason="moved")
        result = finding(case, "plan_recorded")
        assert result.status is status
    assert result.days_over == 6  # the closure, not today, ends the count
    early = Case("T", "2026-03-02").then("support.started", "2026-03-05", kind="own_input")
    early.then("trajectory.closed", "2026-03-15", reason="moved")
    assert finding(early, "plan_recorded").explanation == (
        "closed on 2026-03-15, before the term ended on 2026-03-19"
    )


def test_closure_reason_and_case_lead() -> None:
    open_case = Case("T", "2026-03-02")
    assert finding(open_case, "closure_reason").status is Status.NOT_APPLICABLE
    assert finding(open_case, "case_lead_recorded").status is Status.NOT_APPLICABLE
    open_case.then("plan.recorded", "2026-03-09", goals=[], caseLead="network")
    open_case.then("trajectory.closed", "2026-04-01", reason="goals_achieved")
    assert finding(open_case, "closure_reason").status is Status.PASS
    assert finding(open_case, "case_lead_recorded").explanation == "regie: network"


@pytest.mark.parametrize("rule", [r.id for r in RULES])
def test_a_retracted_event_is_never_evidence(rule: str) -> None:
    case = full(Case("T", "2026-02-20")).step("own_network", "2026-03-05", "partial")
    mistaken = case.add("support.started", "2026-03-06", {"kind": "provision"})
    case.then("event.retracted", "2026-03-07", retracts=mistaken["eventId"])
    assert mistaken["eventId"] not in finding(case, rule).evidence


# --- the Dutch explanation ------------------------------------------------------------------


def test_every_finding_is_explained_in_dutch_too() -> None:
    """The workbench shows the Dutch explanation: every rule, in every outcome the generated
    trajectories reach, says it in Dutch (and says more than an empty string)."""
    by_trajectory: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for body in generate(200, seed=11):
        by_trajectory[body["trajectoryId"]].append(body)
    seen: set[tuple[str, Status]] = set()
    for trajectory_id, bodies in by_trajectory.items():
        for result in audit(fold(trajectory_id, domain_events(bodies)), TODAY):
            assert result.explanation_nl, (result.rule, result.explanation)
            assert "step" not in result.explanation_nl, result.explanation_nl
            seen.add((result.rule, result.status))
    # the generator reaches pass, fail and not applicable for the term rules at least
    for rule in ("assessment_term", "decision_term"):
        assert {(rule, Status.PASS), (rule, Status.FAIL)} <= seen


def test_dutch_explanations_name_the_steps_dates_and_days() -> None:
    skipped = Case("T", "2026-03-02").step("request", "2026-03-03").step("need", "2026-03-04")
    assert finding(skipped, "step_order").explanation_nl == (
        "stap 3 (behoefte) afgerond zonder stap 2 (problemen)"
    )
    late = Case("T", "2026-03-02", domain="wmo")
    assert finding(late, "assessment_term").explanation_nl == (
        "onderzoek (stap 1 tot en met 4) afgerond: nog niet, uiterlijk 2026-04-13, "
        "225 dag(en) over de termijn"
    )


def test_stamping_a_finding_with_its_rule_keeps_every_other_field() -> None:
    """for_rule lists the fields by hand: a field added to Finding and not to for_rule
    would be lost from every stored finding."""
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(Finding):
        # a distinct, non-default value per field, whatever its type
        values[spec.name] = object()
    unstamped = Finding(**values)
    stamped = unstamped.for_rule("step_order")
    for spec in dataclasses.fields(Finding):
        expected = "step_order" if spec.name == "rule" else values[spec.name]
        assert getattr(stamped, spec.name) is expected, spec.name
