"""CSV beside JSON: which one a request asks for, and the CSV response a BI tool downloads."""

from typing import Annotated, Literal

from fastapi import Query, Request, Response

from app.schemas.kpi_table import Dialect

CSV_MEDIA_TYPE = "text/csv"

OutputFormat = Annotated[
    Literal["json", "csv"] | None,
    Query(alias="format", description="`csv` for a table (also chosen by `Accept: text/csv`)."),
]
CsvDialect = Annotated[
    Dialect,
    Query(
        alias="dialect",
        description="CSV only: `excel` for a Dutch-locale Excel (`;` between fields, decimal "
        "comma, UTF-8 byte order mark); `standard` is RFC 4180 with a decimal point.",
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


def csv_content(description: str) -> dict[str, object]:
    """The OpenAPI `content` of an operation answering JSON or CSV."""
    return {
        "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        "description": description,
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
