"""The route class every router uses: the HTTP contract checked before a handler runs.

- 415 when a body comes in a media type the operation does not take (JSON, and NDJSON
  for the batch), 406 when the `Accept` header admits nothing the operation produces;
- JSON bodies parsed strictly: UTF-8 only (RFC 8259), no NaN or Infinity, nesting
  bounded (orjson's limit), so a parse error is a 400 with `invalidParams`, never a
  lenient guess.
"""

from collections.abc import Callable, Coroutine, Iterable
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute

from app.errors import InvalidInput, ServiceError
from app.schemas.bounds import bounds_problem

JSON = "application/json"
PROBLEM = "application/problem+json"
NDJSON = ("application/x-ndjson", "application/ndjson", "application/jsonl")


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())
        return self._json


def _media_type(header: str) -> str:
    return header.split(";")[0].strip().lower()


def accepts(accept: str, produced: Iterable[str]) -> bool:
    """Whether an Accept header admits one of the produced media types (q=0 refuses)."""
    for part in accept.split(","):
        media_range, *params = (p.strip() for p in part.split(";"))
        if any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params):
            continue
        wanted = media_range.lower()
        for media_type in produced:
            kind = media_type.split("/")[0]
            if wanted in ("*/*", "*", media_type, f"{kind}/*"):
                return True
    return False


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return "transfer-encoding" in request.headers or (length is not None and length != "0")


async def _check_bounds(request: StrictJsonRequest) -> None:
    """A JSON body within app/schemas/bounds.py's bounds, parsed once for the handler."""
    raw = await request.body()
    if not raw:
        return
    try:
        parsed = await request.json()
    except orjson.JSONDecodeError:
        return  # FastAPI reports it, with where
    problem = bounds_problem(raw, parsed)
    if problem is not None:
        raise InvalidInput(problem.reason, invalid_params=[problem])


class ContractRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        consumes = self._consumes()
        produces = self._produces()

        async def checked(request: Request) -> Response:
            accept = request.headers.get("accept")
            if accept and not accepts(accept, produces):
                raise ServiceError(
                    f"this operation answers in {', '.join(sorted(produces))}",
                    status=406,
                    title="Not acceptable",
                    slug="not-acceptable",
                )
            content_type = request.headers.get("content-type")
            if consumes and (
                _media_type(content_type) not in consumes if content_type else _has_body(request)
            ):
                raise ServiceError(
                    f"send the body as {' or '.join(consumes)}, with its Content-Type",
                    status=415,
                    title="Unsupported media type",
                    slug="unsupported-media-type",
                )
            strict = StrictJsonRequest(request.scope, request.receive)
            await self.prepare(strict)
            if self.body_field is not None:
                await _check_bounds(strict)
            return await handler(strict)

        return checked

    async def prepare(self, request: StrictJsonRequest) -> None:
        """A route class's chance to turn a body it also takes into the one the handler
        parses (the events routes: a CloudEvent into our event). Nothing here."""

    def _consumes(self) -> tuple[str, ...]:
        extra = (self.openapi_extra or {}).get("requestBody", {}).get("content")
        parsed = (JSON,) if self.body_field is not None else ()
        if extra:
            others = tuple(m for m in extra if m not in parsed)
            return parsed + others + (NDJSON[1:] if NDJSON[0] in extra else ())
        return parsed

    def _produces(self) -> set[str]:
        produced = {JSON, PROBLEM}
        for response in self.responses.values():
            produced |= set(response.get("content", {}))
        if any(param.alias == "format" for param in self.dependant.query_params):
            produced.add("text/csv")  # the CSV a JSON operation still gives (routers/tables.py)
        return produced
