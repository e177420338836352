"""RFC 9457 problem details, with the ZGW-style `invalidParams` extension."""

from pydantic import BaseModel, Field


class InvalidParam(BaseModel):
    name: str = Field(
        description="The offending field, as a dotted path (`data.step`, `[3].eventId`)."
    )
    code: str = Field(
        description="Machine-readable reason, e.g. `required`, `enum`, `bsn_not_allowed`."
    )
    reason: str = Field(description="Readable explanation.")


class Problem(BaseModel):
    type: str = Field(default="about:blank", description="URI identifying the problem type.")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The request path that caused the problem.")
    invalid_params: list[InvalidParam] | None = Field(default=None, alias="invalidParams")

    model_config = {"populate_by_name": True}
