"""A workbench page as a PDF made by the server (WeasyPrint, CSS paged media): the same
HTML and print stylesheet the browser prints, so what the officer sees is what the council
gets. It fetches nothing but the workbench's own stylesheets, from disk, and the charts the
page carries as data: URIs."""

import base64
from pathlib import Path
from typing import Any

from app.errors import ServiceUnavailable

STATIC = Path(__file__).resolve().parents[2] / "static" / "workbench"
_BASE = "http://werkbank.invalid/"  # never fetched: every URL goes through _own_files


CHART_PREFIX = "data:image/svg+xml;base64,"


def own_file(url: str) -> tuple[bytes, str]:
    """The bytes and type of a workbench asset a URL names (a stylesheet on disk, or a
    chart the page carries); anything else is refused."""
    if url.startswith(CHART_PREFIX):
        return base64.b64decode(url.removeprefix(CHART_PREFIX)), "image/svg+xml"
    prefix = _BASE + "werkbank/static/"
    if not url.startswith(prefix):
        raise ValueError(f"the PDF fetches nothing from elsewhere ({url[:80]})")
    name = url.removeprefix(prefix)
    path = (STATIC / name).resolve()
    if STATIC.resolve() not in path.parents or path.suffix != ".css":
        raise ValueError(f"not a workbench stylesheet: {name}")
    return path.read_bytes(), "text/css"


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango on import, which only this route needs; a
    # machine without it serves everything else and says what this needs.
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
        from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]
    except (OSError, ImportError) as exc:
        raise ServiceUnavailable(
            "a PDF needs Pango on the server (Debian: apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0); print the report from the browser meanwhile"
        ) from exc

    class OwnFiles(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            body, kind = own_file(url)
            return URLFetcherResponse(url, body=body, headers={"Content-Type": kind})

    document = HTML(string=html, base_url=_BASE, url_fetcher=OwnFiles())
    pdf: bytes = document.write_pdf()
    return pdf
