"""Shared building blocks of the wire format."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
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


def reject_bsn(value: str) -> str:
    if contains_bsn(value):
        raise PydanticCustomError(
            "bsn_not_allowed",
            "looks like a BSN (nine digits passing the elfproef); send a pseudonym, never a BSN",
        )
    return value


NoBsn = AfterValidator(reject_bsn)

# Identifiers and codes chosen by senders: short, URL-safe, never a BSN.
Code = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"),
    NoBsn,
]
Pseudonym = Annotated[
    str,
    StringConstraints(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_.:=+/-]+$"),
    NoBsn,
]
FreeText = Annotated[str, StringConstraints(min_length=1, max_length=500), NoBsn]
Gemeentecode = Annotated[str, Field(pattern=r"^\d{4}$", examples=["0193"])]
