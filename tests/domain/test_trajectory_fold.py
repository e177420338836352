"""The fold defines a trajectory's state; these tests pin its meaning without a database."""

from datetime import date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.trajectory import fold
from app.domain.vocabulary import Step, Term, TrajectoryStatus
from app.services.projection.project import state_document
from tests.factories import closed, event, full_trajectory, opened, retraction, step
from tests.helpers import domain_events


def test_a_full_trajectory_folds_to_its_milestones() -> None:
    state = fold("T-1", domain_events(full_trajectory()))
    assert state.status is TrajectoryStatus.CLOSED
    assert state.opened is not None
    assert state.opened.on == date(2026, 3, 2)
    assert [s.value for s in state.steps] == [s.value for s in Step]
    assert state.resolution is not None
    assert state.resolution.step is Step.PROVISION  # step 4 partial, step 5 insufficient
    assert state.resolution.milestone.on == date(2026, 3, 25)
    assert state.own_input_hours == 4.5
    assert state.goals == {"g1": "achieved", "g2": "partly"}
    assert state.satisfaction == {"overall": 4, "listenedTo": 5}
    assert state.close_reason == "goals_achieved"


def test_local_date_is_the_amsterdam_date_not_the_utc_date() -> None:
    # 23:30 UTC on 1 March is 00:30 on 2 March in Amsterdam (CET, UTC+1).
    state = fold("T-1", domain_events([opened("2026-03-01T23:30:00Z")]))
    assert state.opened is not None
    assert state.opened.on == date(2026, 3, 2)
    # In summer time (CEST, UTC+2) 22:30 UTC is already the next local day.
    state = fold("T-1", domain_events([opened("2026-07-01T22:30:00+00:00")]))
    assert state.opened is not None
    assert state.opened.on == date(2026, 7, 2)


def test_a_retracted_event_stops_counting() -> None:
    wrong = step("own_network", "2026-03-16T10:00:00+01:00", "sufficient")
    right = step("own_network", "2026-03-16T11:00:00+01:00", "insufficient")
    events = [
        opened("2026-03-02T09:00:00+01:00"),
        wrong,
        retraction(wrong, "2026-03-17T09:00:00+01:00"),
        right,
    ]
    state = fold("T-1", domain_events(events))
    record = state.steps[Step.OWN_NETWORK]
    assert record.outcome == "insufficient"
    assert record.completed.event_id == right["eventId"]
    assert state.resolution is None  # the retracted 'sufficient' no longer resolves it
    assert state.retracted_event_ids == [wrong["eventId"]]


def test_resolution_is_the_first_resolving_event_by_occurred_at() -> None:
    events = [
        opened("2026-03-02T09:00:00+01:00"),
        step("own_input", "2026-03-20T10:00:00+01:00", "sufficient", hours=2),
        step("own_network", "2026-03-10T10:00:00+01:00", "sufficient"),
    ]
    state = fold("T-1", domain_events(events))
    assert state.resolution is not None
    assert state.resolution.step is Step.OWN_NETWORK
    assert state.resolution.milestone.on == date(2026, 3, 10)


def test_reopening_clears_the_closure_and_a_later_closure_counts() -> None:
    events = [
        opened("2026-01-05T09:00:00+01:00"),
        closed("2026-02-01T09:00:00+01:00", "client_withdrew"),
        event("trajectory.reopened", "2026-02-10T09:00:00+01:00"),
    ]
    state = fold("T-1", domain_events(events))
    assert state.status is TrajectoryStatus.OPEN
    assert state.closed is None
    state = fold("T-1", domain_events([*events, closed("2026-03-01T09:00:00+01:00")]))
    assert state.closed is not None
    assert state.closed.on == date(2026, 3, 1)
    assert state.close_reason == "goals_achieved"
    assert state.reopened_count == 1


def test_suspended_days_are_counted_per_term() -> None:
    events = [
        opened("2026-03-02T09:00:00+01:00"),
        event(
            "term.suspended",
            "2026-03-05T09:00:00+01:00",
            {"term": "assessment", "reason": "wacht op info"},
        ),
        event("term.resumed", "2026-03-12T09:00:00+01:00", {"term": "assessment"}),
        event("term.suspended", "2026-03-20T09:00:00+01:00", {"term": "decision"}),
    ]
    state = fold("T-1", domain_events(events))
    assessment = state.due(Term.ASSESSMENT)
    assert assessment is not None
    assert assessment.suspended_days == 7
    assert state.is_suspended(Term.DECISION)
    assert not state.is_suspended(Term.ASSESSMENT)


@settings(max_examples=60, deadline=None)
@given(st.permutations(list(range(len(full_trajectory())))), st.randoms(use_true_random=False))
def test_the_order_events_arrive_in_never_changes_the_state(order: list[int], rnd: Any) -> None:
    events = full_trajectory()
    extra = step("need", "2026-03-11T10:00:00+01:00")  # same instant as the first 'need'
    wrong = step("own_input", "2026-03-17T10:00:00+01:00", "sufficient", hours=1)
    events += [extra, wrong, retraction(wrong, "2026-03-18T12:00:00+01:00")]
    in_order = state_document(fold("T-1", domain_events(events)))
    shuffled = [events[i] for i in order] + events[len(order) :]
    rnd.shuffle(shuffled)
    assert state_document(fold("T-1", domain_events(shuffled))) == in_order


def test_state_document_is_plain_json_in_lower_camel_case() -> None:
    document = state_document(fold("T-1", domain_events(full_trajectory())))
    assert document["steps"][0]["step"] == "request"
    assert document["steps"][0]["number"] == 1
    assert document["opened"]["on"] == "2026-03-02"
    assert isinstance(datetime.fromisoformat(document["opened"]["at"]), datetime)
    assert {"id": "g1", "result": "achieved"} in document["goals"]
    assert "ownInputHours" in document
    assert "own_input_hours" not in document
