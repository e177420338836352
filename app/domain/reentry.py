"""Re-entry: does a resident come back? The next opening of the same client after a closure."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Stay:
    trajectory_id: str
    opened_on: date | None
    closed_on: date | None


def next_openings(stays: Iterable[Stay]) -> dict[str, date | None]:
    """Per trajectory of one client: the first day another of theirs opened after it closed."""
    all_stays = list(stays)
    result: dict[str, date | None] = {}
    for stay in all_stays:
        later = [
            other.opened_on
            for other in all_stays
            if other.trajectory_id != stay.trajectory_id
            and stay.closed_on is not None
            and other.opened_on is not None
            and other.opened_on > stay.closed_on
        ]
        result[stay.trajectory_id] = min(later) if later else None
    return result
