"""Parameters several routers share: path ids, readable keyset cursors, a period's order,
and the screening of every query and path value."""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Path, Request

from app.domain.audit import RULES_BY_ID
from app.domain.bsn import contains_bsn
from app.errors import InvalidInput
from app.openapi import BASE_PATH
from app.schemas.base import (
    DATE_TEXT,
    TRAJECTORY_ID_PATTERN,
    control_character_path,
    without_control_characters,
)
from app.schemas.problem import InvalidParam

TrajectoryIdPath = Annotated[
    str, Path(alias="trajectoryId", max_length=64, pattern=TRAJECTORY_ID_PATTERN)
]
KpiIdPath = Annotated[str, Path(alias="kpiId", max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
ClientIdPath = Annotated[str, Path(alias="clientId", max_length=36)]
SampleIdPath = Annotated[str, Path(alias="sampleId", max_length=36)]


def worklist_cursor_pattern(rules: Iterable[str]) -> str:
    """`<due date or empty>~<trajectoryId>~<rule>`: the worklist position after a finding."""
    return rf"^({DATE_TEXT})?~{TRAJECTORY_ID_PATTERN[1:-1]}~({'|'.join(rules)})$"


RULE_PATTERN = "^(" + "|".join(RULES_BY_ID) + ")$"


def worklist_cursor(due_on: str, trajectory_id: str, rule: str) -> str:
    return f"{due_on}~{trajectory_id}~{rule}"


def parse_worklist_cursor(cursor: str | None) -> tuple[str, str, str] | None:
    """A cursor is a position, readable on purpose: any value the pattern admits is one."""
    if cursor is None:
        return None
    due_on, trajectory_id, rule = cursor.split("~")
    if due_on:
        try:
            date.fromisoformat(due_on)
        except ValueError as exc:
            raise InvalidInput(
                "the cursor's date is not a calendar date",
                invalid_params=[
                    InvalidParam(name="cursor", code="invalid", reason="use the `next` link")
                ],
            ) from exc
    return due_on, trajectory_id, rule


def check_period(start: date, end: date) -> None:
    if start > end:
        raise InvalidInput(
            "from is after to",
            invalid_params=[
                InvalidParam(name="from", code="order", reason="from must not be after to")
            ],
        )


# Parameters that carry numbers or ids the service made itself; everything else a client
# types (filters, path ids) is screened.
_SERVICE_MADE = frozenset(
    {
        "pageSize",
        "before",
        "dueWithin",
        "year",
        "cursor",
        "clientId",
        "sampleId",
        "subscriptionId",
        "notificationId",
    }
)


def screen_parameters(request: Request) -> None:
    """Query and path values: no control characters, no BSN (they reach logs and the
    access log, and URLs must never carry personal data)."""
    problems = []
    values = [*request.query_params.multi_items(), *request.path_params.items()]
    # A parameter's name is typed by the client too (and reaches the access log's query).
    names = [(without_control_characters(name), name) for name in request.query_params]
    for name, value in [*values, *names]:
        if not isinstance(value, str) or name in _SERVICE_MADE:
            continue
        name = without_control_characters(name)
        if control_character_path(value) is not None:
            problems.append(
                InvalidParam(
                    name=name,
                    code="control_character",
                    reason="text may not hold NUL or other control characters",
                )
            )
        elif contains_bsn(value):
            problems.append(
                InvalidParam(
                    name=name,
                    code="bsn_not_allowed",
                    reason="looks like a BSN (nine digits passing the elfproef); never put a "
                    "BSN in a URL",
                )
            )
    if problems:
        raise InvalidInput(
            f"{len(problems)} invalid parameter(s); see invalidParams", invalid_params=problems
        )


def location(request: Request, path: str, query: Mapping[str, str] | None = None) -> str:
    """An absolute URL under the base path, on the host the client used (proxy headers
    included), for a `Location` header."""
    url = str(request.base_url).rstrip("/") + BASE_PATH + path
    return f"{url}?{urlencode(query)}" if query else url


SubscriptionIdPath = Annotated[
    str, Path(alias="subscriptionId", max_length=36, pattern=r"^[0-9a-f-]{36}$")
]
NotificationIdPath = Annotated[
    str, Path(alias="notificationId", max_length=36, pattern=r"^[0-9a-f-]{36}$")
]
