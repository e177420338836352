"""Foresight in a real browser, on both databases, over four years of a growing
municipality with a winter peak generated up to last month: the forecast as a band after
the last actual month on the KPI page (the picture read back: the bands are drawn), its
table and the Dutch words on how reliable it was; the worklist's risk column, sorted by
risk, with its explanation; the report's "Verwacht", in a table and as bands."""

import base64
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser
from sqlalchemy import Engine

from app.domain.calendar import local_today
from app.routers.workbench.charts import BAND80, BAND95
from scripts.generate_events import Pattern, generate
from tests.browser.chromium import signed_in
from tests.conftest import empty_all_tables
from tests.helpers import live_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, engine: Engine
) -> Iterator[tuple[str, str, str]]:
    empty_all_tables(engine)
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    this_month = local_today().replace(day=1)
    start = this_month.replace(year=this_month.year - 4)
    made = generate(
        2000,
        seed=8,
        start=start,
        end=this_month - timedelta(days=1),
        pattern=Pattern(trend=0.3, season=0.4, peak_month=2),
    )
    # what has happened by now: the rest of the stories is still to come
    now = datetime.now(UTC)
    events = [e for e in made if datetime.fromisoformat(e["occurredAt"]) <= now]
    with live_server(tmp_path_factory.mktemp("foresight"), database_url) as (base, token):
        headers = {"Authorization": f"Bearer {token}"}
        for first in range(0, len(events), 5000):
            posted = httpx.post(
                f"{base}/api/v1/events/batch",
                json=events[first : first + 5000],
                headers=headers,
                timeout=120,
            )
            assert posted.json()["rejected"] == 0, posted.text[:300]
        yield base, token, backend


def test_the_kpi_page_shows_the_forecast_as_a_band_with_how_reliable_it_was(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.goto(f"{base}/werkbank/kpis/inflow")
    section = page.locator("section.foresight")
    assert section.get_by_role("heading", name="Verwacht").is_visible()
    picture = section.get_by_role("img")
    assert "verwachting voor de komende drie" in (picture.get_attribute("alt") or "")
    svg = base64.b64decode((picture.get_attribute("src") or "").split(",", 1)[1]).decode()
    assert BAND80 in svg and BAND95 in svg and "verwacht" in svg  # the bands are drawn
    table = section.get_by_role("table", name=re.compile("verwacht$"))
    rows = table.locator("tbody tr").all_inner_texts()
    assert len(rows) == 4 and "(volgend tertiaal)" in rows[-1]
    following = date(
        local_today().year + local_today().month // 12, local_today().month % 12 + 1, 1
    )
    assert rows[1].startswith(f"{following.year}-{following.month:02d}")
    words = section.inner_text()
    assert "Hoe betrouwbaar" in words and "80%-band" in words and "MASE" in words
    section.scroll_into_view_if_needed()
    watched.screenshot(f"foresight-kpi-inflow-{backend}.png")
    assert watched.axe_violations() == []
    watched.close()


def test_the_worklist_sorts_open_terms_by_their_risk_and_says_what_it_is(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.get_by_role("link", name="Werklijst").click()
    page.get_by_label("Verloopt binnen (dagen)").fill("60")
    page.get_by_label("Sorteer op").select_option(label="kans te laat, hoogste eerst")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url(re.compile(r"sorteer=risico"))
    soon = page.get_by_role("table", name=re.compile("^Verloopt binnen 60 dagen"))
    headers = soon.locator("thead th").all_inner_texts()
    assert headers[-1] == "Kans te laat"
    shown = soon.locator("tbody tr td:last-child").all_inner_texts()
    risks = [int(cell.rstrip("%")) for cell in shown if cell.endswith("%")]
    assert len(risks) >= 5 and risks == sorted(risks, reverse=True), shown
    explained = page.locator("#kans-te-laat").inner_text()
    assert "nooit iets over de inwoner" in explained and "Brier-score" in explained
    watched.screenshot(f"foresight-worklist-risk-{backend}.png")
    assert watched.axe_violations() == []
    watched.close()


def test_the_report_says_what_the_next_tertial_is_expected_to_bring(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, _ = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.goto(f"{base}/werkbank/rapport")
    table = page.get_by_role("table", name="Verwacht in het volgende tertiaal")
    rows = table.locator("tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == [
        "Instroom",
        "Uitstroom met reden",
        "Doorstroom (caseload)",
        "Wachttijd en intake",
        "Wachttijd ondersteuning",
    ]
    assert all("MASE" in row for row in rows[:4]), rows  # support starts: perhaps too few
    assert "dagen" in rows[3]  # a waiting time in days, a tertial's mean of them
    for kpi_id in ("inflow", "outflow", "caseload"):  # each drawn as a band, as on its page
        picture = page.locator(f"img#verwacht-{kpi_id}")
        svg = base64.b64decode((picture.get_attribute("src") or "").split(",", 1)[1]).decode()
        assert BAND80 in svg and "80%- en 95%-band" in (picture.get_attribute("alt") or "")
    watched.close()
