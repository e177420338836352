"""ReDoc from the service's own copy of its bundle (shipped by fastapi-offline), with the one
reference that would leave the machine taken out: the bundle shows Redocly's logo from
their CDN beside "API docs by Redocly". It becomes an inline blank image."""

from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse

_BUNDLE = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"
_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
_BLANK = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


@lru_cache(maxsize=1)
def _offline_bundle() -> bytes:
    return _BUNDLE.read_text(encoding="utf-8").replace(_CDN_LOGO, _BLANK).encode()


def add_redoc(app: FastAPI, page: str, script: str, openapi_url: str, favicon: str) -> None:
    @app.get(page, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{script}",
            redoc_favicon_url=f"{root}{favicon}",
            with_google_fonts=False,
        )

    @app.get(script, include_in_schema=False)
    def redoc_bundle() -> Response:
        return Response(
            _offline_bundle(),
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=86400"},
        )
