"""A workbench page as a PDF made by the server (WeasyPrint, CSS paged media): the same
HTML and print stylesheet the browser prints, so what the officer sees is what the council
gets. It fetches nothing but the workbench's own stylesheet, from disk."""

from pathlib import Path
from typing import Any

from app.errors import ServiceUnavailable

STATIC = Path(__file__).resolve().parents[2] / "static" / "workbench"
_BASE = "http://werkbank.invalid/"  # never fetched: every URL goes through _own_files


def own_file(url: str) -> bytes:
    """The workbench asset a URL names, read from disk; anything else is refused."""
    prefix = _BASE + "werkbank/static/"
    if not url.startswith(prefix):
        raise ValueError(f"the PDF fetches nothing from elsewhere ({url})")
    name = url.removeprefix(prefix)
    path = (STATIC / name).resolve()
    if path.parent != STATIC.resolve():
        raise ValueError(f"not a workbench asset: {name}")
    return path.read_bytes()


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
            css = {"Content-Type": "text/css"}
            return URLFetcherResponse(url, body=own_file(url), headers=css)

    document = HTML(string=html, base_url=_BASE, url_fetcher=OwnFiles())
    pdf: bytes = document.write_pdf()
    return pdf
