"""Query parameters several routers share: opaque keyset cursors and a period's order."""

import base64
from datetime import date

from app.errors import InvalidInput
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
