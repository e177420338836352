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
from app.services.projection import PROJECTION_VERSION, project
from scripts.generate_events import generate

GOLDEN = {
    # 15: open periods (state as of a date; a closure without its opening is a period of
    # that day); complaintId pairing; goals of the latest plan; a decision term per
    # aanvraag; support spells ending with their own period's closure; step completions;
    # plan_recorded judged (and explained) like a term
    15: "289fbe7a4d14a80da89edd82cae1bdfbfd5b9b157ec8841c3265118777b93904",
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
                projected.document,
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
        f"PROJECTION_VERSION in app/services/projection.py and record {digest!r} for it here"
    )
