"""The quality officer's flows in a real browser, on both databases, over a year with misses
in 2025 (closed) and 2026 (open): from a breakdown cell to the trajectories it counts, the
worklist's filters, sorting and counts, the teams side by side against a target, and the
report with her comment as the server's PDF (read with poppler's pdftotext, as a reader
would) and as an Excel workbook (read with openpyxl)."""

import io
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page
from pypdf import PdfReader
from sqlalchemy import Engine

from tests.browser.chromium import SCREENSHOTS, signed_in
from tests.conftest import empty_all_tables
from tests.factories import event, opened, step
from tests.helpers import live_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

YEAR = {"from": "2026-01-01", "to": "2026-12-31"}

OLD = [f"OUD-{i:02d}" for i in range(12)]  # 2025, closed after missing the assessment term
NOORD = [f"NOORD-{i}" for i in range(8)]  # 2026, open, intake after 2 days
ZUID = [f"ZUID-{i}" for i in range(6)]  # 2026, open, intake after 20 days
SOON = [f"NIEUW-{i}" for i in range(5)]  # reported on 16 November: the term runs in December
TAKER = "prof-0042-pseudo"  # took in the first three of noord


def history() -> list[dict[str, Any]]:
    events = [opened("2025-02-03T09:00:00+01:00", t, team="noord") for t in OLD]
    events += [
        event("trajectory.closed", "2025-06-02T09:00:00+02:00", {"reason": "moved"}, t) for t in OLD
    ]
    for cases, team, day in ((NOORD, "noord", 4), (ZUID, "zuid", 22)):
        for i, case in enumerate(cases):
            by = TAKER if case in NOORD[:3] else f"prof-00{i}{team}-pseudo"
            events += [
                opened("2026-03-02T09:00:00+01:00", case, team=team),
                step(
                    "request",
                    f"2026-03-{day:02d}T09:00:00+01:00",
                    trajectory=case,
                    professionalRef=by,
                ),
            ]
    events += [opened("2026-11-16T09:00:00+01:00", t, team="zuid") for t in SOON]
    return events


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, engine: Engine
) -> Iterator[tuple[str, str, str]]:
    empty_all_tables(engine)
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with live_server(tmp_path_factory.mktemp("flows"), database_url) as (base, token):
        headers = {"Authorization": f"Bearer {token}"}
        posted = httpx.post(f"{base}/api/v1/events/batch", json=history(), headers=headers)
        assert posted.json()["rejected"] == 0, posted.text
        target = httpx.put(
            f"{base}/api/v1/kpis/waiting_time_intake/target", json={"value": 10}, headers=headers
        )
        assert target.is_success, target.text
        yield base, token, backend


def listed_ids(page: Page, table_name: str) -> list[str]:
    table = page.get_by_role("table", name=re.compile(f"^{re.escape(table_name)}"))
    return [link.inner_text() for link in table.locator("tbody a").all()]


def test_a_breakdown_cell_drills_down_to_the_trajectories_it_counts(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.goto(f"{base}/werkbank/kpis/inflow?from={YEAR['from']}&to={YEAR['to']}&naar=team")
    per_team = page.get_by_role("table", name="Per team")
    zuid = per_team.get_by_role("row", name=re.compile("^zuid"))
    shown = int(zuid.locator("td").first.inner_text())
    assert shown == len(ZUID) + len(SOON)  # 2026's inflow of zuid
    zuid.get_by_role("link", name="zuid").click()
    page.wait_for_url(re.compile(r"/werkbank/kpis/inflow/trajecten\?.*team=zuid"))
    ids = listed_ids(page, "Trajecten achter Instroom")
    assert len(ids) == shown and sorted(ids) == sorted(ZUID + SOON)
    assert f"{shown} trajecten" in page.locator("main").inner_text()
    watched.screenshot(f"flow-breakdown-drilldown-{backend}.png")
    assert watched.axe_violations() == []
    page.get_by_role("link", name=ZUID[0]).click()
    page.wait_for_url(re.compile(rf"/werkbank/trajecten/{ZUID[0]}$"))
    assert page.get_by_role("heading", level=1).count() == 1
    watched.close()


def test_the_worklist_filters_sorts_and_counts_open_and_closed_misses(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.get_by_role("link", name="Werklijst").click()
    late = "Te laat: termijn verstreken of niet gehaald"
    soon = "Verloopt binnen"
    # open trajectories by default: 2026's fourteen misses, none of 2025's closed ones
    assert sorted(listed_ids(page, late)) == sorted(NOORD + ZUID)
    assert f"{late}: {len(NOORD + ZUID)} termijnen" in page.locator("main").inner_text()

    page.get_by_label("Verloopt binnen (dagen)").fill("30")
    page.get_by_label("Team").select_option("zuid")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url(re.compile(r"team=zuid"))
    assert sorted(listed_ids(page, soon)) == sorted(SOON)  # due in December
    assert sorted(listed_ids(page, late)) == sorted(ZUID)

    page.get_by_label("Team").select_option("")
    page.get_by_label("Ook afgesloten trajecten").check()
    page.get_by_label("Sorteer op").select_option(label="uiterste datum, laatste eerst")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url(re.compile(r"sorteer=recentst"))
    everything = listed_ids(page, late)
    total = len(OLD + NOORD + ZUID)
    assert f"{late}: {total} termijnen" in page.locator("main").inner_text()
    assert sorted(everything[: len(NOORD + ZUID)]) == sorted(NOORD + ZUID)  # recent first
    assert sorted(everything[len(NOORD + ZUID) :]) == sorted(OLD)

    page.get_by_label("Professional (pseudoniem)").fill(TAKER)
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url(re.compile(TAKER))
    assert sorted(listed_ids(page, late)) == sorted(NOORD[:3])
    watched.screenshot(f"flow-worklist-{backend}.png")
    assert watched.axe_violations() == []
    watched.close()


def test_the_team_matrix_sets_teams_against_the_target_in_words_and_colour(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.get_by_role("link", name="Teams").click()
    page.get_by_label("Van").fill(YEAR["from"])
    page.get_by_label("Tot en met").fill(YEAR["to"])
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url(re.compile(f"from={YEAR['from']}"))  # the answer to the form, not before
    matrix = page.get_by_role("table", name=re.compile("^KPI's per team"))
    matrix.locator("thead th").first.wait_for()
    headers = [h.inner_text() for h in matrix.locator("thead th").all()]
    assert headers == ["KPI", "Streefwaarde", "noord", "zuid"]
    waiting = matrix.get_by_role("row", name=re.compile("^Wachttijd en intake"))
    # as a screen reader reads them: the mark has its words
    cells = [" ".join((c.text_content() or "").split()) for c in waiting.locator("td").all()]
    assert cells == ["10", "2 ✓ gehaald", "20 ✗ niet gehaald"]
    assert "missed" in (waiting.locator("td").nth(2).get_attribute("class") or "")
    watched.screenshot(f"flow-teams-{backend}.png")
    assert watched.axe_violations() == []
    watched.close()


def test_the_report_with_a_comment_as_pdf_and_workbook(
    server: tuple[str, str, str], browser: Browser, tmp_path: Path
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.goto(f"{base}/werkbank/rapport?periode=2026-T1")
    summary = page.locator("ul.summary").inner_text()
    assert "Streefwaarde gehaald door 1 van de 1 KPI's" in summary
    assert "Wachttijd en intake" in summary
    comment = "Zuid nam meer dan twee weken voor de intake; een vacature is vervuld."
    page.get_by_label("KPI", exact=True).select_option(label="Wachttijd en intake")
    page.get_by_label(re.compile("^Toelichting bij")).fill(comment)
    page.get_by_role("button", name="Bewaar toelichting").click()
    page.wait_for_url(re.compile(r"#toelichting-waiting_time_intake$"))
    assert comment in page.locator("main").inner_text()

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download de rapportage als PDF").click()
    pdf = tmp_path / "rapport.pdf"
    pdf_download.value.save_as(pdf)
    render_pages(pdf, f"flow-report-{backend}")
    pages = read_pdf(pdf)
    assert len(pages) == len(PdfReader(pdf).pages) >= 2
    assert "Gemeente Zwolle (0193)" in pages[0] and "Instroom" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"pagina {number} van {len(pages)}" in text, (number, text[-300:])
        assert len(text.split()) > 30, f"page {number} holds next to nothing: {text!r}"
    assert comment in " ".join(" ".join(pages).split())  # wrapped lines read as one
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", "".join(pages))  # no client's id

    with page.expect_download() as book_download:
        page.get_by_role("link", name="de cijfers als Excel-werkmap").click()
    book = load_workbook(io.BytesIO(Path(book_download.value.path()).read_bytes()))
    rows = list(book["KPI's"].iter_rows(values_only=True))
    by_id = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_id["inflow"]["Waarde"] == len(NOORD + ZUID)
    assert isinstance(by_id["waiting_time_intake"]["Waarde"], int | float)
    assert isinstance(by_id["inflow"]["Van"], datetime)
    assert watched.axe_violations() == []
    watched.close()


def read_pdf(path: Path) -> list[str]:
    """The PDF's text per page as poppler reads it (pages end in a form feed)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


def render_pages(path: Path, name: str) -> None:
    """The PDF's pages as PNG under build/screenshots/, to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(SCREENSHOTS / name)], check=True)
