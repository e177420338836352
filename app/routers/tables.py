"""CSV beside JSON: which one a request asks for, and the CSV response a BI tool downloads."""

from typing import Annotated, Any, Literal

from fastapi import Query, Request, Response

from app.schemas.kpi_table import Dialect

CSV_MEDIA_TYPE = "text/csv"

# A JSON operation still answers CSV to `format=csv` or `Accept: text/csv`, as BI tools
# were set up to ask; the contract leaves it out so that a generated client types the
# answer as JSON only, and points to the operation of the table (`..._table_read`).
OutputFormat = Annotated[
    Literal["json", "csv"] | None, Query(alias="format", include_in_schema=False)
]
LegacyDialect = Annotated[Dialect, Query(alias="dialect", include_in_schema=False)]
CsvDialect = Annotated[
    Dialect,
    Query(
        alias="dialect",
        description="`excel` for a Dutch-locale Excel (`;` between fields, decimal comma, "
        "WAAR/ONWAAR, UTF-8 byte order mark); `standard` is RFC 4180 with a decimal point.",
    ),
]


def csv_requested(request: Request, output: str | None) -> bool:
    return output == "csv" or (
        output is None and CSV_MEDIA_TYPE in request.headers.get("accept", "")
    )


def csv_response(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_table(description: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answer of an operation that gives a CSV table."""
    return {
        200: {
            "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string", "maxLength": 2**31}}},
            "description": description,
        }
    }


def preferred_language(accept_language: str | None) -> Literal["nl", "en"]:
    """Dutch unless the client ranks English above Dutch (RFC 9110 §12.5.4 weights)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("nl", "en") and weight > 0:
            ranked.append((-weight, position, primary))
    return "en" if ranked and min(ranked)[2] == "en" else "nl"
