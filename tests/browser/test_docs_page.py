"""The API documentation in a real browser (Debian's Chromium, headless, driven by
Playwright): Swagger UI and ReDoc render every operation from the service's own assets,
and no request leaves the machine."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.helpers import live_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
# What a browser on a closed network must be told not to try (the machine refuses them).
QUIET = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    with live_server(tmp_path_factory.mktemp("docs")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET)
        yield chromium
        chromium.close()


def watched(browser: Browser) -> tuple[Page, list[str], list[str]]:
    """A page that refuses (and records) every request off the loopback, and records
    console errors."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    external: list[str] = []
    errors: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, external, errors


def test_swagger_ui_shows_every_operation_offline(
    server: tuple[str, str], browser: Browser
) -> None:
    base, _ = server
    page, external, errors = watched(browser)
    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    operations = page.locator(".opblock").count()
    document = page.request.get(f"{base}/api/v1/openapi.json").json()
    expected = sum(len(ops) for ops in document["paths"].values())
    assert operations == expected
    assert page.get_by_text("/kpis/{kpiId}/table").count() >= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "swagger-ui.png"), full_page=False)
    assert external == []
    assert errors == []
    page.close()


def test_redoc_renders_offline(server: tuple[str, str], browser: Browser) -> None:
    base, _ = server
    page, external, errors = watched(browser)
    page.goto(f"{base}/api/v1/redoc")
    page.wait_for_selector("text=kpi_read", timeout=30_000, state="attached")
    page.screenshot(path=str(SCREENSHOTS / "redoc.png"), full_page=False)
    assert external == []
    assert errors == []
    page.close()
