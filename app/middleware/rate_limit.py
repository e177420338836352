"""Requests per minute per authenticated client, answered with 429 and Retry-After.

The counting is the `limits` library's moving window (the engine slowapi uses), on the
storage the settings name: in memory for the embedded default, Redis where several
processes must share one budget. This module only decides the keys and the answer.
Public routes (health probes, the OpenAPI document) are never limited: a probe behind a
proxy must not be refused because the proxy's address spent its budget.
"""

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_BASE
from app.problems import problem_response


class Budget:
    """One limit (requests per minute) per key, on a shared storage; `policy` names it in
    the RateLimit header fields."""

    def __init__(self, storage: Storage, per_minute: int, namespace: str, policy: str) -> None:
        self.limit = RateLimitItemPerMinute(per_minute, namespace=namespace)
        self.limiter = MovingWindowRateLimiter(storage)
        self.policy = policy

    def hit(self, key: str) -> bool:
        return self.limiter.hit(self.limit, key)

    def exhausted(self, key: str) -> bool:
        return not self.limiter.test(self.limit, key)

    def retry_after(self, key: str) -> int:
        reset_at, _ = self.limiter.get_window_stats(self.limit, key)
        return max(1, math.ceil(reset_at - time.time()))

    def headers(self, key: str) -> dict[str, str]:
        """The budget as the IETF RateLimit header fields spell it
        (draft-ietf-httpapi-ratelimit-headers): the policy, and what is left of it now."""
        reset_at, remaining = self.limiter.get_window_stats(self.limit, key)
        seconds = max(0, math.ceil(reset_at - time.time()))
        return {
            "RateLimit-Policy": f'"{self.policy}";q={self.limit.amount};w=60',
            "RateLimit": f'"{self.policy}";r={max(0, remaining)};t={seconds}',
        }


def address_key(request: Request) -> str:
    """The key failed authentications are counted under: the caller's address."""
    return "address:" + (request.client.host if request.client else "unknown")


def make_storage(uri: str) -> Storage:
    storage = storage_from_string(uri)
    if not isinstance(storage, Storage):
        raise ValueError(
            f"RATE_LIMIT_STORAGE {uri!r} is an async storage; use memory:// or redis://"
        )
    return storage


def too_many(request: Request, budget: Budget, key: str, what: str) -> Response:
    retry_after = budget.retry_after(key)
    return problem_response(
        request,
        429,
        f"more than {budget.limit.amount} {what} a minute; retry after {retry_after} s",
        title="Too many requests",
        type_uri=PROBLEM_BASE + "rate-limited",
        headers={"Retry-After": str(retry_after), **budget.headers(key)},
    )


class RateLimitMiddleware:
    """Runs inside authentication: the key is the client's id, never its token."""

    def __init__(self, app: ASGIApp, budget: Budget) -> None:
        self.app = app
        self.budget = budget

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get("state", {}).get("principal") if scope["type"] == "http" else None
        if principal is None:
            await self.app(scope, receive, send)
            return
        key = "client:" + principal.client_id
        if not self.budget.hit(key):
            await too_many(Request(scope), self.budget, key, "requests")(scope, receive, send)
            return
        fields = [(k.lower().encode(), v.encode()) for k, v in self.budget.headers(key).items()]

        async def with_budget(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *fields]}
            await send(message)

        await self.app(scope, receive, with_budget)
