"""The projection's version moves with what it computes.

A fixed synthetic scenario is projected by the pure code (fold, terms, audit, rows) on a
fixed day; the digest of every row is pinned per PROJECTION_VERSION. Change what any of
them computes and this fails until the version is bumped (and the new digest recorded),
so a deployment never serves rows built by older code without knowing it.
"""

import hashlib
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import orjson

from app.domain.events import DomainEvent
from app.domain.terms import DEFAULT_TERMS
from app.domain.vocabulary import EventType
from app.schemas.events import EVENT_ADAPTER
from app.services.projection.project import PROJECTION_VERSION, project
from scripts.generate_events import generate

GOLDEN = {
    # 15: open periods (state as of a date; a closure without its opening is a period of
    # that day); complaintId pairing; goals of the latest plan; a decision term per
    # aanvraag; support spells ending with their own period's closure; step completions;
    # plan_recorded judged (and explained) like a term. Re-pinned without the state
    # document once it was no longer stored (migration 0015): the same digest of the other
    # rows came out of the code before and after that change, so no version bump.
    15: "5faebcb47cd30bcb8edf4d7e55e7e2534a73814c337adac9ada3899f702c51d2",
}


def scenario_digest() -> str:
    by_trajectory: dict[str, list[DomainEvent]] = defaultdict(list)
    for body in generate(120, seed=17):
        event = EVENT_ADAPTER.validate_python(body)
        by_trajectory[event.trajectory_id].append(
            DomainEvent(
                event_id=str(event.event_id),
                trajectory_id=event.trajectory_id,
                type=EventType(event.type),
                occurred_at=event.occurred_at,
                data=event.model_dump(mode="json", by_alias=True, exclude_none=True)["data"]
                if "data" in body
                else {},
            )
        )
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    rows: list[Any] = []
    for trajectory_id in sorted(by_trajectory):
        projected = project(
            "0193",
            trajectory_id,
            by_trajectory[trajectory_id],
            DEFAULT_TERMS,
            now,
            date(2026, 11, 30),
        )
        rows.append(
            [
                projected.trajectory,
                projected.complaints,
                projected.findings,
                projected.periods,
                projected.applications,
                projected.supports,
                projected.step_completions,
            ]
        )
    return hashlib.sha256(orjson.dumps(rows, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()


def test_what_the_projection_computes_is_pinned_to_its_version() -> None:
    digest = scenario_digest()
    assert GOLDEN.get(PROJECTION_VERSION) == digest, (
        "the fold, terms, audit or projection rows compute something new: bump "
        "PROJECTION_VERSION in app/services/projection/project.py and record "
        f"{digest!r} for it here"
    )
