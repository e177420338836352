"""Headers every response carries (NL GOV API Design Rules and basic hardening)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import API_VERSION

_HEADERS = [
    (b"api-version", API_VERSION.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # Responses hold case data or figures derived from it: no cache may keep a copy.
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
]


# What a validated answer (figures, catalogue, audit summary: aggregates within one
# client's reach) carries instead of no-store: the client may keep it but must revalidate
# with its ETag each time; no shared cache may, as it differs per token.
CACHE_HEADERS = {
    "Cache-Control": "private, no-cache",
    "Vary": "Authorization, Accept, Accept-Language",
}
_VALIDATED = [(k.lower().encode(), v.encode()) for k, v in CACHE_HEADERS.items()]


class StandardHeadersMiddleware:
    """Pure ASGI, so streaming and error responses get the headers too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                etag = scope.get("state", {}).get("etag")
                if etag and message["status"] == 200:
                    headers += [(b"etag", etag.encode()), *_VALIDATED]
                present = {name.lower() for name, _ in headers}
                message["headers"] = [*headers, *((k, v) for k, v in _HEADERS if k not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
