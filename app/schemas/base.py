"""Shared building blocks of the wire format."""

import re
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from app.domain.bsn import contains_bsn


class ApiModel(BaseModel):
    """lowerCamelCase on the wire (NL GOV API Design Rules), snake_case in Python."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        use_enum_values=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text or jsonb, and no field here needs a control
        # character: refused in every input, nested values included, naming the field.
        where = control_character_path(value)
        if where is not None:
            raise PydanticCustomError(
                "control_character",
                "text may not hold NUL or other control characters",
                {"field": where},
            )
        return value


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_control_characters(text: str) -> str:
    """The text fit to echo or store anywhere: each control character as U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


# repr() escapes every control character but tab, newline and carriage return (DEL too) as
# backslash-x, and doubles a backslash of the text itself: a repr with no backslash-x holds
# no control character, found in one pass in C instead of a walk in Python (the walk was a
# third of validating an event). Anything else that repr escapes so (a literal backslash-x,
# a non-printable letter) takes the exact walk.
_MAYBE_CONTROL = re.compile(r"\\x")


def control_character_path(value: Any, path: str = "") -> str | None:
    """Where the first control character sits in a string, list or dict (dotted path), or
    None (tab, newline and carriage return are text; the rest, NUL first, are not)."""
    if not path and isinstance(value, dict | list) and not _MAYBE_CONTROL.search(repr(value)):
        return None
    return _walk(value, path)


def _walk(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if _CONTROL.search(value) else None
    if isinstance(value, list | tuple):
        items: Any = enumerate(value)
    elif isinstance(value, dict):
        items = value.items()
    else:
        return None
    for key, item in items:
        where = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}".lstrip(".")
        if isinstance(key, str) and _CONTROL.search(key):
            return where
        found = _walk(item, where)
        if found is not None:
            return found
    return None


def reject_bsn(value: Any) -> Any:
    if isinstance(value, str) and contains_bsn(value):
        raise PydanticCustomError(
            "bsn_not_allowed",
            "looks like a BSN (nine digits passing the elfproef); send a pseudonym, never a BSN",
        )
    return value


# Before the field's own pattern: a BSN is named as such, whatever else is wrong with it.
NoBsn = BeforeValidator(reject_bsn)

# Identifiers and codes chosen by senders: short, URL-safe, never a BSN.
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
PSEUDONYM_PATTERN = r"^[A-Za-z0-9_.:=+/-]+$"
TRAJECTORY_ID_PATTERN = CODE_PATTERN
Code = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=CODE_PATTERN),
    NoBsn,
]
Pseudonym = Annotated[
    str,
    StringConstraints(min_length=8, max_length=128, pattern=PSEUDONYM_PATTERN),
    NoBsn,
]
FreeText = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=500, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+$"
    ),
    NoBsn,
]
Gemeentecode = Annotated[str, Field(max_length=4, pattern=r"^[0-9]{4}$", examples=["0193"])]


# --- strict scalars ------------------------------------------------------------------------
# Input is taken as the OpenAPI document promises it, never coerced: a JSON number where a
# number is asked (not "4", not true), a whole number where an integer is, a boolean where
# a boolean is, and dates and timestamps as RFC 3339 text in years the service handles.

EARLIEST_YEAR, LATEST_YEAR = 1900, 2199
_YEAR = r"(19[0-9]{2}|2[01][0-9]{2})"  # 1900-2199, the years the service handles
DATE_TEXT = _YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_LOCAL_TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?$"
)
_TIME_TEXT = (
    r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
)
_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T" + _TIME_TEXT + "$")
TIMESTAMP_MAX_LENGTH = len("2026-03-02T09:15:00.123456789+01:00")  # what _TIMESTAMP admits


def _year_in_range(text: str) -> None:
    if not EARLIEST_YEAR <= int(text[:4]) <= LATEST_YEAR:
        raise PydanticCustomError(
            "year_out_of_range",
            "the year must lie between {earliest} and {latest}",
            {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise PydanticCustomError("date_format", "a date as YYYY-MM-DD")
    _year_in_range(value)
    return value


def _timestamp(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _LOCAL_TIMESTAMP.match(value):
        raise PydanticCustomError("timezone_aware", "the timestamp needs an offset (Z or +01:00)")
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        raise PydanticCustomError(
            "datetime_format",
            "an RFC 3339 timestamp with an offset, e.g. 2026-03-02T09:15:00+01:00",
        )
    _year_in_range(value)
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("number_type", "a JSON number")
    return value


def _integer(value: Any) -> Any:
    # JSON Schema counts 4.0 as an integer; "4", true and 4.5 are not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("int_type", "a whole JSON number")
    return value


def _boolean(value: Any) -> Any:
    if not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "true or false")
    return value


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": f"^{DATE_TEXT}$", "maxLength": 10}
    ),
]
Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_timestamp),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": f"^{DATE_TEXT}T{_TIME_TEXT}$",
            "maxLength": TIMESTAMP_MAX_LENGTH,
            "example": "2026-03-02T09:15:00+01:00",
        }
    ),
]
# Constraints go before the validator (Annotated[int, Field(ge=0), WholeNumber]), so the
# OpenAPI document shows them as minimum/maximum.
# The longest text pydantic reads as a UUID: `urn:uuid:` and the 36 characters.
UUID_MAX_LENGTH = len("urn:uuid:") + 36


def _uuid_text(value: Any) -> Any:
    if isinstance(value, str) and len(value) > UUID_MAX_LENGTH:
        raise PydanticCustomError(
            "uuid_parsing", "a UUID, e.g. 6f1c2f0e-8d7a-4a53-9a43-2b1f5d0c7e11"
        )
    return value


Uuid = Annotated[
    UUID,
    BeforeValidator(_uuid_text),
    WithJsonSchema({"type": "string", "format": "uuid", "maxLength": UUID_MAX_LENGTH}),
]
WholeNumber = BeforeValidator(_integer)
JsonNumber = BeforeValidator(_number)
Number = Annotated[float, Field(allow_inf_nan=False), JsonNumber]
Integer = Annotated[int, WholeNumber]
Boolean = Annotated[bool, BeforeValidator(_boolean)]
