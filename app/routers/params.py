"""Query parameters several routers share: opaque keyset cursors and a period's order."""

import base64
from datetime import date

from fastapi import Request

from app.domain.bsn import contains_bsn
from app.errors import InvalidInput
from app.schemas.base import control_character_path
from app.schemas.problem import InvalidParam


def encode_cursor(*key: str) -> str:
    """An opaque `cursor` for the position after `key` (e.g. a trajectoryId and a rule)."""
    return base64.urlsafe_b64encode("\n".join(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, parts: int) -> tuple[str, ...] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = tuple(base64.b64decode(padded, altchars=b"-_", validate=True).decode().split("\n"))
    except ValueError as exc:  # binascii.Error, UnicodeDecodeError, non-ASCII text
        raise _bad_cursor() from exc
    if len(key) != parts:
        raise _bad_cursor()
    return key


def check_cursor_date(value: str) -> None:
    """A date inside a cursor: one this service wrote, else the cursor was tampered with."""
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise _bad_cursor() from exc


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        "cursor is not one this service handed out",
        invalid_params=[
            InvalidParam(name="cursor", code="invalid", reason="use the `next` link as given")
        ],
    )


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
    {"pageSize", "before", "dueWithin", "year", "cursor", "clientId", "sampleId"}
)


def screen_parameters(request: Request) -> None:
    """Query and path values: no control characters, no BSN (they reach logs and the
    access log, and URLs must never carry personal data)."""
    problems = []
    values = [*request.query_params.multi_items(), *request.path_params.items()]
    for name, value in values:
        if not isinstance(value, str) or name in _SERVICE_MADE:
            continue
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
