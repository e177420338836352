"""Request bodies are limited on every route, as they stream in, before anything reads them.

A declared Content-Length over the limit is refused at once; a body that grows past it
while streaming (chunked, or a lying header) is cut off with 413 the moment it does.
"""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_BASE
from app.problems import problem_response


class BodyTooLarge(HTTPException):
    """A body that grew past the limit while streaming in.

    Raised from inside `receive`, so it is an HTTPException: FastAPI lets those through its
    body parsing (any other exception there becomes a 400).
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, default_limit: int, limits: dict[str, int]) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = limits  # per path, e.g. the batch route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default_limit)
        request = Request(scope)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await problem_response(
                request,
                413,
                f"the body is {declared} bytes; at most {limit} are accepted here",
                title="Payload too large",
                type_uri=PROBLEM_BASE + "payload-too-large",
            )(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)
