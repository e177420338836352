"""The API documentation in a real browser (Debian's Chromium, headless, driven by
Playwright): Swagger UI and ReDoc render every operation from the service's own assets,
and no request leaves the machine."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser.chromium import Watched
from tests.helpers import live_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    with live_server(tmp_path_factory.mktemp("docs")) as running:
        yield running


def test_swagger_ui_shows_every_operation_offline(
    server: tuple[str, str], browser: Browser
) -> None:
    base, _ = server
    watched = Watched(browser)
    page = watched.page
    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    operations = page.locator(".opblock").count()
    document = page.request.get(f"{base}/api/v1/openapi.json").json()
    expected = sum(len(ops) for ops in document["paths"].values())
    assert operations == expected
    assert page.get_by_text("/kpis/{kpiId}/table").count() >= 1
    watched.screenshot("swagger-ui.png", full_page=False)
    watched.close()


def test_redoc_renders_offline(server: tuple[str, str], browser: Browser) -> None:
    base, _ = server
    watched = Watched(browser)
    watched.page.goto(f"{base}/api/v1/redoc")
    watched.page.wait_for_selector("text=kpi_read", timeout=30_000, state="attached")
    watched.screenshot("redoc.png", full_page=False)
    watched.close()
