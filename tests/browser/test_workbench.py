"""The workbench in a real browser on both databases: sign in with a token, the overview
shows every KPI with its figures (suppressed cells as "< 5", never 0), a team-limited
client sees its team only, sign out ends the session; no request leaves the machine, no
console error, and axe-core finds no serious or critical accessibility violation."""

import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page
from pypdf import PdfReader
from sqlalchemy import Engine, select

from app.domain.kpis.catalogue import CATALOGUE
from app.models import SampleReview
from tests.browser.chromium import SCREENSHOTS, Watched, sign_in, signed_in
from tests.conftest import empty_all_tables
from tests.factories import opened
from tests.helpers import live_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

YEAR = {"from": "2026-01-01", "to": "2026-12-31"}
DASH = "\N{EN DASH}"  # how a page writes "no value"


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, engine: Engine
) -> Iterator[tuple[str, str, str]]:
    empty_all_tables(engine)
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with live_server(tmp_path_factory.mktemp("workbench"), database_url) as (base, token):
        headers = {"Authorization": f"Bearer {token}"}
        events = [opened("2026-03-02T09:00:00+01:00", f"N-{i}", team="noord") for i in range(7)]
        events += [opened("2026-03-03T09:00:00+01:00", f"Z-{i}", team="zuid") for i in range(3)]
        posted = httpx.post(f"{base}/api/v1/events/batch", json=events, headers=headers)
        assert posted.json()["created"] == 10
        yield base, token, backend


def test_sign_in_overview_and_sign_out(server: tuple[str, str, str], browser: Browser) -> None:
    base, token, backend = server
    watched = Watched(browser)
    page = watched.page
    login = Watched(browser)
    login.page.goto(f"{base}/werkbank/inloggen")
    assert login.axe_violations() == []
    login.page.get_by_label("Token").fill("wk_not-a-real-token")
    login.page.get_by_role("button", name="Inloggen").click()
    assert login.page.get_by_role("alert").inner_text() == "Dit token is onbekend of ingetrokken."
    login.errors.clear()  # the browser logs the 401 of the refused sign-in as an error
    login.close()

    sign_in(watched, base, token)
    page.goto(f"{base}/werkbank/?from={YEAR['from']}&to={YEAR['to']}")
    rows = page.locator("tbody tr")
    assert rows.count() == len(CATALOGUE)
    inflow = page.get_by_role("row", name=re.compile("^Instroom"))
    assert inflow.locator("td").nth(0).inner_text() == "10"  # both teams (n is the same)
    watched.screenshot(f"workbench-overview-{backend}.png")
    assert watched.axe_violations() == []

    # the session cookie is HttpOnly and SameSite=Strict
    (cookie,) = [c for c in watched.context.cookies() if c["name"] == "wk_session"]
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(re.compile(r"/werkbank/inloggen$"))
    page.goto(f"{base}/werkbank/")
    assert page.url.endswith("/werkbank/inloggen")  # the session is gone
    watched.close()


def test_a_team_limited_client_sees_its_team_only(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, _ = server
    made = httpx.post(
        f"{base}/api/v1/clients",
        json={
            "name": "teamleider zuid",
            "scopes": ["kpi:read"],
            "municipality": "0193",
            "teams": ["zuid"],
        },
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    watched = Watched(browser)
    sign_in(watched, base, made["token"])
    page = watched.page
    page.goto(f"{base}/werkbank/?from={YEAR['from']}&to={YEAR['to']}")
    assert "team zuid" in page.locator("caption").inner_text()
    inflow = page.get_by_role("row", name=re.compile("^Instroom"))
    # zuid has 3 trajectories: fewer than 5, so shown as "< 5", never as 3 or 0
    assert inflow.locator("td").nth(0).inner_text() == "< 5"
    watched.close()


def test_worklist_leads_to_the_trajectory_audit_and_both_are_logged(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.get_by_role("link", name="Werklijst").click()
    page.wait_for_url(re.compile(r"/werkbank/werklijst$"))
    late = page.get_by_role("table", name=re.compile("^Te laat"))
    # opened in March: the six-week Wmo assessment term ran out long ago, nothing done
    assert late.get_by_role("link", name="N-0").count() >= 1
    assert watched.axe_violations() == []
    late.get_by_role("link", name="N-0").first.click()
    page.wait_for_url(re.compile(r"/werkbank/trajecten/N-0$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Traject N-0"
    findings = page.get_by_role("table", name=re.compile("^Toetsing per regel"))
    assert findings.get_by_text("niet gehaald").count() >= 1
    assessment = findings.get_by_role("row", name=re.compile("^Onderzoek binnen zes weken"))
    said = r"onderzoek \(stap 1 tot en met 4\) afgerond: nog niet, uiterlijk 2026-04-13, \d+ dag"
    assert re.search(said, assessment.inner_text())
    watched.screenshot(f"workbench-trajectory-{backend}.png")
    assert watched.axe_violations() == []
    watched.close()
    log = httpx.get(
        f"{base}/api/v1/access-log",
        params={"trajectoryId": "N-0"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["results"]
    routes = {entry["route"] for entry in log}
    assert {"/werkbank/werklijst", "/werkbank/trajecten/{trajectoryId}"} <= routes


def test_a_kpi_page_shows_definition_chart_and_breakdown(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.goto(f"{base}/werkbank/?from={YEAR['from']}&to={YEAR['to']}")
    page.get_by_role("link", name="Instroom").click()
    page.wait_for_url(re.compile(r"/werkbank/kpis/inflow\?"))
    assert page.get_by_role("heading", level=1).inner_text() == "Instroom"
    assert page.get_by_role("img", name=re.compile("^Instroom per maand")).count() == 1
    months = page.get_by_role("table", name="Instroom per maand")
    march = months.get_by_role("row", name=re.compile("^2026-03"))
    assert march.locator("td").nth(0).inner_text() == "10"
    teams = page.get_by_role("table", name="Per team")
    # zuid has 3 (< 5): hidden; noord's 7 goes too, or the total of 10 would give zuid away
    for team in ("noord", "zuid"):
        row = teams.get_by_role("row", name=re.compile(f"^{team}"))
        assert row.locator("td").nth(0).inner_text() == "< 5", team
    page.get_by_label("Per", exact=True).select_option("tertial")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url(re.compile(r"korrel=tertial"))
    assert page.get_by_role("table", name="Instroom per tertiaal").get_by_text("2026-T1").count()
    watched.screenshot(f"workbench-kpi-{backend}.png")
    assert watched.axe_violations() == []
    watched.close()


def test_compliance_shows_pass_rates_per_rule_and_team(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.get_by_role("link", name="Naleving").click()
    page.goto(f"{base}/werkbank/naleving?from={YEAR['from']}&to={YEAR['to']}")
    table = page.get_by_role("table", name=re.compile("^Aandeel gehaald per regel"))
    headers = [h.inner_text() for h in table.locator("thead th").all()]
    assert headers == ["Regel", "Totaal", "noord", "zuid"]
    # nobody finished an assessment within six weeks: 0 of 10, 0 of 7, 0 of 3
    row = table.get_by_role("row", name=re.compile("^Onderzoek binnen zes weken"))
    cells = [c.inner_text() for c in row.locator("td").all()]
    assert cells == ["0,0% (0 van 10)", "0,0% (0 van 7)", "0,0% (0 van 3)"]
    watched.screenshot(f"workbench-compliance-{backend}.png")
    assert watched.axe_violations() == []
    watched.close()


def test_a_sample_is_drawn_and_judged_with_history_kept(
    server: tuple[str, str, str], browser: Browser, engine: Engine
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.get_by_role("link", name="Steekproeven").click()
    page.wait_for_url(re.compile(r"/werkbank/steekproeven$"))
    assert watched.axe_violations() == []
    page.get_by_label("Aantal trajecten").fill("4")
    page.get_by_label("Trajecten geopend van").fill(YEAR["from"])
    page.get_by_label("tot en met").fill(YEAR["to"])
    page.get_by_label("Startgetal").fill("7")
    page.get_by_role("button", name="Trek steekproef").click()
    page.wait_for_url(re.compile(r"/werkbank/steekproeven/[0-9a-f-]{36}$"))
    cases = page.get_by_role("table", name="Trajecten in de steekproef")
    drawn = [link.inner_text() for link in cases.locator("tbody th a").all()]
    assert len(drawn) == 4
    first = drawn[0]
    page.get_by_label(f"Oordeel over {first}", exact=True).select_option("afwijking")
    page.get_by_label("Toelichting").first.fill("ondersteuningsplan ontbreekt")
    page.get_by_role("button", name=f"Leg oordeel vast voor {first}").click()
    page.wait_for_load_state()
    assert "1 afwijking" in page.locator("#uitkomst").inner_text()
    assert cases.get_by_text("ondersteuningsplan ontbreekt").count() == 1
    page.get_by_label(f"Oordeel over {first}", exact=True).select_option("akkoord")
    page.get_by_role("button", name=f"Leg oordeel vast voor {first}").click()
    page.wait_for_load_state()
    summary = page.locator("#uitkomst").inner_text()
    assert "1 akkoord, 0 afwijking, 3 nog te beoordelen" in summary
    watched.screenshot(f"workbench-sample-{backend}.png")
    assert watched.axe_violations() == []
    watched.close()
    with engine.connect() as connection:
        judged = connection.execute(
            select(SampleReview.judgement)
            .where(SampleReview.trajectory_id == first)
            .order_by(SampleReview.id)
        ).scalars()
        assert list(judged) == ["afwijking", "akkoord"]  # the earlier judgement stays


def test_the_periodic_report_compares_periods_and_prints(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.get_by_role("link", name="Rapportage").click()
    page.get_by_label("Periode").select_option("2026-T1")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url(re.compile(r"periode=2026-T1"))
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Rapportage sociaal wijkteam, 1e tertiaal 2026"
    # no data at all in the last tertial of 2025: nothing to compare with, and it says so
    assert "Gemeente Zwolle (0193)" in page.locator("main").inner_text()
    assert "Over 3e tertiaal 2025 zijn geen gegevens" in page.locator("main").inner_text()
    kpis = page.get_by_role("table", name="KPI's, 1e tertiaal 2026")
    headers = [h.inner_text() for h in kpis.locator("thead th").all()]
    assert headers[:4] == ["KPI", "2026-T1", "n", "Eenheid"]
    inflow = kpis.get_by_role("row", name=re.compile("^Instroom"))
    # ten opened in March 2026 (T1); a count's n is its value: the n column stays empty
    assert [c.inner_text() for c in inflow.locator("td").all()[:2]] == ["10", ""]
    # each chart is named by its numbers (its text alternative)
    chart = page.get_by_role("img", name=re.compile("^Instroom per maand"))
    assert f"2026-02 {DASH}; 2026-03 10; 2026-04 {DASH}" in (chart.get_attribute("alt") or "")
    rules = page.get_by_role("table", name=re.compile("^Aandeel gehaald per regel"))
    row = rules.get_by_role("row", name=re.compile("^Onderzoek binnen zes weken"))
    assert row.locator("td").first.inner_text() == "0,0% (0 van 10)"
    assert page.get_by_role("table", name=re.compile("^Steekproeven over")).count() == 1
    assert watched.axe_violations() == []
    watched.screenshot(f"workbench-report-{backend}.png")

    # printed: menu and forms drop out, the report itself stays, A4 pages come out
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation").is_visible()
    assert not page.get_by_role("button", name="Toon").is_visible()
    assert kpis.is_visible()
    watched.screenshot(f"workbench-report-print-{backend}.png")
    pdf = page.pdf(format="A4", print_background=True)
    (SCREENSHOTS / f"workbench-report-{backend}.pdf").write_bytes(pdf)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 2
    # the first page holds the title and the whole KPI table, not the title alone
    assert "Rapportage sociaal wijkteam" in pages[0] and "Bereikbaarheid" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"pagina {number} van {len(pages)}" in text, (number, text[-200:])
        assert len(text.split()) > 20, f"page {number} holds next to nothing"

    # a period with one before it to compare with: both columns
    page.emulate_media(media="screen")
    page.goto(f"{base}/werkbank/rapport?periode=2026-T2")
    both = page.get_by_role("table", name="KPI's, 2e tertiaal 2026 en 1e tertiaal 2026")
    assert [h.inner_text() for h in both.locator("thead th").all()][:4] == [
        "KPI",
        "2026-T2",
        "n",
        "2026-T1",
    ]
    watched.close()


def test_the_report_tells_an_unknown_period_in_a_page(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, _ = server
    watched = signed_in(browser, base, token)
    page = watched.page
    answer = page.goto(f"{base}/werkbank/rapport?periode=2026-T4")
    assert answer is not None and answer.status == 400
    assert page.get_by_role("heading", level=1).inner_text() == "De invoer klopt niet"
    assert "2026-T4" in page.get_by_role("alert").inner_text()
    watched.errors.clear()  # the browser logs the 400 itself
    watched.close()


def test_administration_sets_targets_values_and_clients(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page

    # a target from a 0-meting: inflow in March (10) minus 2
    page.get_by_role("link", name="Streefwaarden").click()
    page.wait_for_url(re.compile(r"/beheer/streefwaarden$"))
    assert watched.axe_violations() == []
    page.get_by_label("of 0-meting van", exact=True).nth(_row_of(page, "Instroom")).fill(
        "2026-03-01"
    )
    page.get_by_label("tot en met", exact=True).nth(_row_of(page, "Instroom")).fill("2026-03-31")
    page.get_by_label("plus verandering", exact=True).nth(_row_of(page, "Instroom")).fill("-2")
    page.get_by_role("button", name="Bewaar streefwaarde voor Instroom", exact=True).click()
    page.wait_for_url(re.compile(r"/beheer/streefwaarden$"))
    row = page.get_by_role("row", name=re.compile("^Instroom"))
    assert f"0-meting 2026-03-01 {DASH} 2026-03-31: 10" in row.inner_text()
    watched.screenshot(f"workbench-targets-{backend}.png")
    page.goto(f"{base}/werkbank/kpis/inflow?from={YEAR['from']}&to={YEAR['to']}")
    assert "8 (0-meting 2026-03-01 tot en met 2026-03-31: 10)" in page.locator("dl").inner_text()
    assert "rode streepjeslijn: streefwaarde" in page.locator("figcaption").inner_text()

    # a reported value, posted as events:write does through the API
    page.get_by_role("link", name="Gerapporteerde waarden").click()
    page.get_by_label("KPI").select_option("awareness")
    page.get_by_label("Van").fill("2026-01-01")
    page.get_by_label("Tot en met").fill("2026-06-30")
    page.get_by_label("Waarde", exact=False).first.fill("0,62")
    page.get_by_label("Aantal waarnemingen", exact=False).fill("120")
    page.get_by_label("Bron", exact=False).fill("enquete-2026")
    page.get_by_role("button", name="Leg waarde vast").click()
    assert "Vastgelegd: awareness" in page.get_by_role("status").inner_text()
    assert watched.axe_violations() == []

    # a client: made with a team limit, its token shown once, then revoked
    page.get_by_role("link", name="Koppelingen").click()
    page.get_by_label("Naam").fill("teamleider noord")
    page.get_by_label("kengetallen lezen").check()
    page.get_by_label("Teams", exact=False).fill("noord")
    page.get_by_role("button", name="Maak client").click()
    new_token = page.get_by_label("Token").input_value()
    assert new_token.startswith("wk_")
    assert watched.axe_violations() == []
    watched.screenshot(f"workbench-clients-{backend}.png")
    limited = Watched(browser)
    sign_in(limited, base, new_token)
    assert "(team noord)" in limited.page.locator("header").inner_text()
    limited.close()
    page.get_by_role("link", name="Trek teamleider noord in…").first.click()
    page.wait_for_url(re.compile(r"/intrekken$"))  # asked once more: it cannot be undone
    assert watched.axe_violations() == []
    page.get_by_role("button", name="Ja, trek teamleider noord in").click()
    page.wait_for_url(re.compile(r"/beheer/clients$"))
    made = page.get_by_role("row", name=re.compile("^teamleider noord")).filter(
        has_text="ingetrokken"
    )
    assert made.count() >= 1
    watched.close()


def _row_of(page: Page, kpi_name: str) -> int:
    """The position of a KPI's row among the targets form's rows."""
    names = [h.inner_text() for h in page.locator("tbody th a").all()]
    return names.index(kpi_name)


def test_a_kpi_table_downloads_as_the_csv_it_shows(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, _ = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.goto(f"{base}/werkbank/kpis/inflow?from={YEAR['from']}&to={YEAR['to']}&naar=team")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download deze tabel als CSV").last.click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = [line.split(";") for line in text.strip().splitlines()]
    header = rows[0]
    assert {"kpi", "team", "value", "n", "suppressed"} <= set(header)
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    by_team = {record["team"]: record for record in records}
    assert set(by_team) == {"noord", "zuid"}
    # both teams suppressed in the file too, as on the page (never the 7 or the 3)
    assert by_team["noord"]["suppressed"] == "WAAR"  # the Dutch Excel dialect
    assert by_team["zuid"]["suppressed"] == "WAAR"
    assert by_team["noord"]["n"] == "" and by_team["zuid"]["n"] == ""
    watched.close()


PAGES = [
    "/werkbank/?from=2026-01-01&to=2026-12-31",
    "/werkbank/kpis/inflow?from=2026-01-01&to=2026-12-31",
    "/werkbank/teams?from=2026-01-01&to=2026-12-31",
    "/werkbank/kpis/waiting_time_intake?from=2026-01-01&to=2026-12-31",
    "/werkbank/rapport?periode=2026-T1",
    "/werkbank/werklijst",
    "/werkbank/trajecten/N-0",
    "/werkbank/naleving?from=2026-01-01&to=2026-12-31",
    "/werkbank/naleving/trajecten?regel=assessment_term&from=2026-01-01&to=2026-12-31",
    "/werkbank/kpis/inflow/trajecten?from=2026-01-01&to=2026-12-31&team=noord",
    "/werkbank/steekproeven",
    "/werkbank/beheer/clients",
    "/werkbank/beheer/streefwaarden",
    "/werkbank/beheer/waarden",
    "/werkbank/beheer/meldingen",
]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_fits_the_screen_at_desk_and_phone_width(
    server: tuple[str, str, str], browser: Browser, width: int
) -> None:
    """No page scrolls sideways (a wide table scrolls within its own box), and axe finds
    nothing serious at either width. Screenshots: build/screenshots/*-{width}.png."""
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    for path in PAGES:
        page.goto(f"{base}{path}")
        assert page.get_by_role("heading", level=1).count() == 1, path
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, width, overflow)
        name = path.strip("/").split("?")[0].replace("/", "-") or "werkbank"
        watched.screenshot(f"{name}-{width}-{backend}.png")
        assert watched.axe_violations() == [], (path, width)
    watched.close()


def test_drill_down_from_a_figure_and_a_compliance_cell_to_the_trajectories(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, backend = server
    watched = signed_in(browser, base, token)
    page = watched.page
    page.goto(f"{base}/werkbank/?from={YEAR['from']}&to={YEAR['to']}")
    inflow = page.get_by_role("row", name=re.compile("^Instroom"))
    inflow.get_by_role("link", name="10").click()
    page.wait_for_url(re.compile(r"/werkbank/kpis/inflow/trajecten\?"))
    listed = page.get_by_role("table", name="Trajecten achter Instroom")
    assert listed.locator("tbody tr").count() == 10  # as many as the figure said
    assert "10 trajecten" in page.locator("main").inner_text()
    assert watched.axe_violations() == []
    listed.get_by_role("link", name="N-0").click()
    page.wait_for_url(re.compile(r"/werkbank/trajecten/N-0$"))
    page.go_back()
    page.get_by_role("link", name="Terug naar Instroom").click()
    page.wait_for_url(re.compile(r"/werkbank/kpis/inflow\?"))

    page.goto(f"{base}/werkbank/naleving?from={YEAR['from']}&to={YEAR['to']}")
    rules = page.get_by_role("table", name=re.compile("^Aandeel gehaald per regel"))
    assessment = rules.get_by_role("row", name=re.compile("^Onderzoek binnen zes weken"))
    assessment.get_by_role("link").first.click()  # the total: 0 van 10
    page.wait_for_url(re.compile(r"/werkbank/naleving/trajecten\?"))
    assert "0 van 10" in page.locator("main").inner_text()
    assert page.get_by_role("table").locator("tbody tr").count() == 10
    watched.screenshot(f"workbench-drilldown-{backend}.png")
    assert watched.axe_violations() == []
    watched.close()
