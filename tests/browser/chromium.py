"""What every browser test shares: Debian's Chromium started by its path, and a page that
refuses (and records) every request off the loopback and records console errors."""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from playwright.sync_api import Browser, Page, Route

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "build" / "screenshots"
# What a browser on a closed network must be told not to try (the machine refuses them).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Watched:
    def __init__(self, browser: Browser) -> None:
        # The pages forbid every script (Content-Security-Policy); axe-core is the test's own
        # script, so only this context lets it in.
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        self.page: Page = self.context.new_page()
        self.external: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._only_loopback)
        self.page.on("console", self._console)

    def _only_loopback(self, route: Route) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def axe_violations(self) -> list[str]:
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("async () => await axe.run()")
        return [
            f"{v['id']}: {v['help']}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    def screenshot(self, name: str, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)

    def close(self) -> None:
        """Ends the page; no request left the machine and the console stayed clean."""
        assert self.external == [], self.external
        assert self.errors == [], self.errors
        self.context.close()


def sign_in(watched: Watched, base: str, token: str) -> None:
    page = watched.page
    page.goto(f"{base}/werkbank/")
    assert page.url.endswith("/werkbank/inloggen")  # not signed in: sent to sign in
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/werkbank/$"))


def signed_in(browser: Browser, base: str, token: str) -> Watched:
    """A fresh browser context, signed in with the token."""
    watched = Watched(browser)
    sign_in(watched, base, token)
    return watched
