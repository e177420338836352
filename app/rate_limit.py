"""Requests per minute per client, answered with 429 problem+json and Retry-After.

The counting is the `limits` library's moving window (the engine slowapi uses); this
module only decides the key and the answer.
"""

import hashlib
import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import PROBLEM_BASE
from app.problems import problem_response


def client_key(request: Request) -> str:
    """One budget per bearer token (hashed: tokens are never kept in clear), else per address."""
    authorization = request.headers.get("authorization")
    if authorization:
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]
    return "address:" + (request.client.host if request.client else "unknown")


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        self.app = app
        self.limit = RateLimitItemPerMinute(per_minute)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        key = client_key(request)
        if self.limiter.hit(self.limit, key):
            await self.app(scope, receive, send)
            return
        reset_at, _ = self.limiter.get_window_stats(self.limit, key)
        retry_after = max(1, math.ceil(reset_at - time.time()))
        response = problem_response(
            request,
            429,
            f"more than {self.limit.amount} requests a minute; retry after {retry_after} s",
            title="Too many requests",
            type_uri=PROBLEM_BASE + "rate-limited",
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)
