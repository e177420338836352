"""The workbench's forms and errors at the HTTP level, on both databases: what a browser
would be sent for a wrong token, a missing scope, a forged form, invalid input or a BSN in a
note; and that nothing is written when a form is refused. (tests/browser/ drives the pages
themselves in Chromium.)"""

import csv
import io
import re
import sys
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.domain import vocabulary
from app.domain.dutch import CODES_NL
from app.domain.notifications import NotificationType
from app.main import create_app
from app.models import ApiClient, SampleReview
from app.routers.workbench.present import difference
from app.services.access.clients import SCOPES
from app.settings import Settings
from tests.factories import event, full_trajectory, opened, step
from tests.helpers import HTML, YEAR, sign_in
from tests.kpis.scenario import Case


def one_case_sample(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> tuple[str, str, str]:
    """Two noord cases, a sample of one drawn by a signed-in auditor: its form token, the
    sample's page and the case drawn."""
    events = [opened("2026-03-02T09:00:00+01:00", f"T-{i}", team="noord") for i in range(2)]
    assert client.post("/api/v1/events/batch", json=events).status_code == 200
    _, csrf = sign_in(browser, tokens["audit:read"])
    form = {"csrf": csrf, "size": "1", "from": "2026-01-01", "to": "2026-12-31", "seed": "3"}
    drawn = browser.post(
        "/werkbank/steekproeven", data={**form, "stratify_by": "team"}, headers=HTML,
        follow_redirects=False,
    )  # fmt: skip
    sample = drawn.headers["location"]
    case = re.search(r'name="trajectoryId" value="([^"]+)"', browser.get(sample, headers=HTML).text)
    assert case is not None
    return csrf, sample, case.group(1)


@pytest.fixture
def browser(client: TestClient) -> Iterator[TestClient]:
    """A cookie jar of its own on the suite's app (the API client keeps its bearer token)."""
    with TestClient(client.app, raise_server_exceptions=False) as fresh:
        yield fresh


def test_a_wrong_token_spends_the_budget_it_shares_with_the_api(
    settings: Settings, tokens: dict[str, str], engine: Engine
) -> None:
    limited = settings.model_copy(update={"failed_auth_per_minute": 3})
    with TestClient(create_app(limited)) as browser:
        refused = [sign_in(browser, f"wk_guess{i}")[0] for i in range(3)]
        assert [r.status_code for r in refused] == [401, 401, 401]
        assert "Dit token is onbekend of ingetrokken." in refused[0].text
        # the budget is spent, on the form and on the API alike
        fourth, _ = sign_in(browser, "wk_guess4")
        assert fourth.status_code == 429
        assert int(fourth.headers["Retry-After"]) > 0
        assert "Te veel mislukte pogingen" in fourth.text
        api = browser.get("/api/v1/kpis", headers={"Authorization": "Bearer wk_guess5"})
        assert api.status_code == 429
        # a valid token is never refused for another's failures
        signed_in, _ = sign_in(browser, tokens["kpi:read"])
        assert signed_in.status_code == 303


def test_a_page_beyond_the_clients_scopes_is_a_dutch_403_page(
    browser: TestClient, tokens: dict[str, str]
) -> None:
    sign_in(browser, tokens["kpi:read"])
    page = browser.get("/werkbank/werklijst", headers=HTML)
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Geen toegang</h1>" in page.text
    assert "audit:read" in page.text  # the problem's detail names the scope it lacks
    # a client that asks for JSON keeps problem+json, as everywhere
    problem = browser.get("/werkbank/werklijst", headers={"Accept": "application/json"})
    assert problem.status_code == 403
    assert problem.headers["content-type"] == "application/problem+json"
    # the API itself never answers with a page
    api = browser.get("/api/v1/audit/findings", headers=HTML)
    assert api.headers["content-type"] == "application/problem+json"


def test_pages_allow_no_script_no_frame_and_post_only_home(
    browser: TestClient, tokens: dict[str, str]
) -> None:
    sign_in(browser, tokens["kpi:read"])
    for path in ("/werkbank/", "/werkbank/rapport", "/werkbank/inloggen"):
        policy = browser.get(path, headers=HTML).headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "form-action 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "script-src" not in policy  # no script at all: default-src 'none' covers it
    css = browser.get("/werkbank/static/werkbank.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


def test_a_forged_form_is_refused_and_writes_nothing(
    browser: TestClient, tokens: dict[str, str], engine: Engine
) -> None:
    sign_in(browser, tokens["admin"])
    before = _count(engine, ApiClient)
    forged = browser.post(
        "/werkbank/beheer/clients",
        data={"csrf": "not-the-sessions", "name": "sneaky", "scopes": ["kpi:read"]},
        headers=HTML,
    )
    assert forged.status_code == 403
    assert _count(engine, ApiClient) == before


def test_an_invalid_client_form_lists_every_bad_field_and_writes_nothing(
    browser: TestClient, tokens: dict[str, str], engine: Engine
) -> None:
    _, csrf = sign_in(browser, tokens["admin"])
    before = _count(engine, ApiClient)
    page = browser.post(
        "/werkbank/beheer/clients",
        data={"csrf": csrf, "name": "bad <name>", "teams": "noord, z uid"},
        headers=HTML,
    )
    assert page.status_code == 400
    assert "<h1>De invoer klopt niet</h1>" in page.text
    for field in ("name", "scopes", "teams[1]"):
        assert f"<code>{field}</code>" in page.text, field
    assert _count(engine, ApiClient) == before


def test_a_client_made_in_the_workbench_shows_its_token_once_and_works(
    browser: TestClient, tokens: dict[str, str]
) -> None:
    _, csrf = sign_in(browser, tokens["all"])
    page = browser.post(
        "/werkbank/beheer/clients",
        data={"csrf": csrf, "name": "teamleider noord", "scopes": ["kpi:read"], "teams": "noord"},
        headers=HTML,
    )
    assert page.status_code == 200
    token = re.search(r'id="nieuw-token" type="text" readonly size="60" value="([^"]+)"', page.text)
    assert token is not None
    api = httpx.Headers({"Authorization": f"Bearer {token.group(1)}"})
    with TestClient(browser.app) as made:
        listed = made.get("/api/v1/kpis", headers=api)
        assert listed.status_code == 200
        refused = made.get("/api/v1/audit/findings", headers=api)
        assert refused.status_code == 403  # only what was granted
    # the list never shows a token again, only its first characters
    assert token.group(1) not in browser.get("/werkbank/beheer/clients", headers=HTML).text


def test_a_note_with_a_bsn_is_refused_and_not_stored(
    client: TestClient, browser: TestClient, tokens: dict[str, str], engine: Engine
) -> None:
    events = [opened("2026-03-02T09:00:00+01:00", f"T-{i}", team="noord") for i in range(3)]
    assert client.post("/api/v1/events/batch", json=events).status_code == 200
    _, csrf = sign_in(browser, tokens["audit:read"])
    drawn = browser.post(
        "/werkbank/steekproeven",
        data={
            "csrf": csrf,
            "size": "2",
            "from": "2026-01-01",
            "to": "2026-12-31",
            "stratify_by": "team",
            "seed": "3",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert drawn.status_code == 303
    sample_page = browser.get(drawn.headers["location"], headers=HTML)
    case = re.search(r'name="trajectoryId" value="([^"]+)"', sample_page.text)
    assert case is not None
    judged = browser.post(
        f"{drawn.headers['location']}/oordelen",
        data={
            "csrf": csrf,
            "trajectoryId": case.group(1),
            "judgement": "afwijking",
            "note": "zie bsn 111222333",  # passes the elfproef
        },
        headers=HTML,
    )
    assert judged.status_code == 400
    assert "<code>note</code>" in judged.text
    assert _count(engine, SampleReview) == 0
    export = browser.get(f"{drawn.headers['location']}/csv")
    assert export.status_code == 200
    assert export.text.lstrip("\ufeff").splitlines()[0].split(";") == [
        "trajectory_id",
        "judgement",
        "note",
        "reviewed_by",
        "reviewed_at",
    ]
    assert len(export.text.strip().splitlines()) == 3  # header and the two drawn cases


def test_judgements_from_the_workbench_are_read_back_through_the_api_with_history(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    events = [opened("2026-03-02T09:00:00+01:00", f"T-{i}", team="noord") for i in range(3)]
    assert client.post("/api/v1/events/batch", json=events).status_code == 200
    _, csrf = sign_in(browser, tokens["audit:read"])
    form = {"csrf": csrf, "from": "2026-01-01", "to": "2026-12-31", "stratify_by": "team"}
    drawn = browser.post(
        "/werkbank/steekproeven",
        data={**form, "size": "1", "seed": "5"},
        headers=HTML,
        follow_redirects=False,
    )
    sample_path = drawn.headers["location"]
    sample_id = sample_path.rsplit("/", 1)[-1]
    (case,) = client.get(f"/api/v1/audit/samples/{sample_id}").json()["trajectoryIds"]
    for judgement, note in (("afwijking", "plan ontbreekt"), ("akkoord", "")):
        answer = browser.post(
            f"{sample_path}/oordelen",
            data={"csrf": csrf, "trajectoryId": case, "judgement": judgement, "note": note},
            headers=HTML,
            follow_redirects=False,
        )
        assert answer.status_code == 303
    reviews = client.get(f"/api/v1/audit/samples/{sample_id}").json()["reviews"]
    assert [(r["trajectoryId"], r["judgement"], r["note"]) for r in reviews] == [
        (case, "afwijking", "plan ontbreekt"),
        (case, "akkoord", None),
    ]
    assert all(r["reviewedBy"].startswith("test audit:read") for r in reviews)


def test_the_trajectory_page_explains_findings_and_adjustments_in_dutch(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    case = Case("S-1", "2026-03-02")
    case.then("term.suspended", "2026-03-05", term="assessment", reason="wacht op informatie")
    case.then("term.resumed", "2026-03-12", term="assessment")
    assert client.post("/api/v1/events/batch", json=case.events).json()["created"] == 3
    sign_in(browser, tokens["audit:read"])
    page = browser.get("/werkbank/trajecten/S-1", headers=HTML)
    assert page.status_code == 200
    # 13 April + 7 suspended days: due 20 April, said in Dutch with the legal source
    assert "opgeschort: van 2026-04-13 naar 2026-04-20 (" in page.text
    assert "onderzoek (stap 1 tot en met 4) afgerond: nog niet, uiterlijk 2026-04-20" in page.text
    assert "not yet" not in page.text  # no English explanation left on the page


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_page_of_figures_reloads_as_304_until_its_data_changes(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    events = [opened("2026-03-02T09:00:00+01:00", f"F-{i}", team="noord") for i in range(6)]
    assert client.post("/api/v1/events/batch", json=events).status_code == 200
    sign_in(browser, tokens["all"])
    path = "/werkbank/?from=2026-01-01&to=2026-12-31"
    held = {}
    for page in (path, "/werkbank/rapport?periode=2026-T1", "/werkbank/kpis/inflow"):
        first = browser.get(page, headers=HTML)
        held[page] = first.headers["etag"]
        assert first.headers["cache-control"] == "private, no-cache"
        again = browser.get(page, headers={**HTML, "If-None-Match": held[page]})
        assert again.status_code == 304, page
    # a new event changes the figures: the page is made again, with a new validator
    more = [opened("2026-03-03T09:00:00+01:00", "F-6", team="noord")]
    assert client.post("/api/v1/events/batch", json=more).json()["created"] == 1
    fresh = browser.get(path, headers={**HTML, "If-None-Match": held[path]})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != held[path]
    # another session (another form token) never gets this session's page
    with TestClient(browser.app) as other:
        sign_in(other, tokens["all"])
        current = browser.get(path, headers=HTML).headers["etag"]
        assert other.get(path, headers={**HTML, "If-None-Match": current}).status_code == 200
    # pages with case-level data are never kept
    assert browser.get("/werkbank/werklijst", headers=HTML).headers["cache-control"] == "no-store"


def test_a_page_takes_only_the_years_the_service_handles(
    browser: TestClient, tokens: dict[str, str]
) -> None:
    sign_in(browser, tokens["all"])
    for path in ("/werkbank/", "/werkbank/kpis/inflow", "/werkbank/naleving"):
        page = browser.get(path, params={"from": "0001-01-01", "to": "9999-12-31"}, headers=HTML)
        assert page.status_code == 400, path
        assert "<code>from</code>" in page.text and "<code>to</code>" in page.text, path


@pytest.mark.parametrize(
    "note",
    ['=HYPERLINK("http://127.0.0.1/x","klik")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
    ids=["equals", "plus", "minus", "at", "tab", "carriage-return"],
)
def test_a_note_a_spreadsheet_would_run_is_exported_as_text(
    client: TestClient, browser: TestClient, tokens: dict[str, str], note: str
) -> None:
    csrf, sample, case = one_case_sample(client, browser, tokens)
    judgement = {"csrf": csrf, "trajectoryId": case, "judgement": "afwijking"}
    judged = browser.post(f"{sample}/oordelen", data={**judgement, "note": note}, headers=HTML)
    assert judged.status_code == 200
    rows = list(
        csv.reader(io.StringIO(browser.get(f"{sample}/csv").text.lstrip("\ufeff")), delimiter=";")
    )
    # quoted as text: the spreadsheet shows it and runs nothing (the form trims the note)
    assert rows[1][2] == "'" + note.strip()


@pytest.mark.parametrize("form_token", ["right", "wrong", "other session's"])
def test_signing_out_ends_the_session_on_the_server_whatever_the_form_token(
    client: TestClient, tokens: dict[str, str], form_token: str
) -> None:
    with (
        TestClient(client.app, raise_server_exceptions=False) as browser,
        TestClient(client.app, raise_server_exceptions=False) as other,
    ):
        _, csrf = sign_in(browser, tokens["kpi:read"])
        _, other_csrf = sign_in(other, tokens["kpi:read"])
        cookies = dict(browser.cookies)
        sent = {"right": csrf, "wrong": "x" * len(csrf), "other session's": other_csrf}
        out = browser.post(
            "/werkbank/uitloggen", data={"csrf": sent[form_token]}, follow_redirects=False
        )
        assert out.status_code == 303
        with TestClient(client.app, raise_server_exceptions=False, cookies=cookies) as thief:
            replay = thief.get("/werkbank/", headers=HTML, follow_redirects=False)
        assert replay.status_code in (303, 401), "the old cookie still signs in"
        # the other session is untouched
        assert other.get("/werkbank/", headers=HTML, follow_redirects=False).status_code == 200


def test_the_worklist_shows_open_misses_first_counts_them_and_pages_the_rest(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    """60 cases of 2025 closed after missing their assessment term, 7 open ones of 2026
    missing it now: the worklist shows the 7 by default (they were hidden behind a cut at
    200 of the oldest), says how many there are, and pages through all when asked."""
    old = [f"OLD-{i:02d}" for i in range(60)]
    new = [f"NEW-{i}" for i in range(7)]
    events = [opened("2025-01-06T09:00:00+01:00", t, team="noord") for t in old]
    events += [
        event("trajectory.closed", "2025-06-02T09:00:00+02:00", {"reason": "moved"}, t) for t in old
    ]
    events += [opened("2026-06-01T09:00:00+02:00", t, team="zuid") for t in new]
    events += [  # three of the new ones taken in by one professional
        step(
            "request", "2026-06-01T10:00:00+02:00", trajectory=t, professionalRef="prof-0002-pseudo"
        )
        for t in new[:3]
    ]
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    sign_in(browser, tokens["audit:read"])

    def late(page: httpx.Response) -> tuple[str, list[str], str | None]:
        table = re.search(
            r"<caption>Te laat[^<]*</caption>(.*?)</table>(.*?)(?=<table|</main>)", page.text, re.S
        )
        assert table is not None, page.text[:2000]
        caption = re.search(r"<caption>(Te laat[^<]*)</caption>", page.text)
        assert caption is not None
        ids = re.findall(r'href="/werkbank/trajecten/([^"]+)"', table.group(1))
        more = re.search(r'href="([^"]*)">Volgende te laat', table.group(2))
        return caption.group(1), ids, more.group(1).replace("&amp;", "&") if more else None

    caption, ids, more = late(browser.get("/werkbank/werklijst", headers=HTML))
    assert sorted(ids) == new and more is None
    assert "7 termijnen" in caption
    seen: list[str] = []
    page = browser.get("/werkbank/werklijst?ook_afgesloten=true", headers=HTML)
    caption, ids, more = late(page)
    assert "67 termijnen (hier 1 tot en met 50)" in caption
    seen += ids
    while more:
        caption, ids, more = late(browser.get(more, headers=HTML))
        seen += ids
    assert sorted(seen) == sorted(old + new)  # every one, once, over the pages
    zuid = browser.get("/werkbank/werklijst?ook_afgesloten=true&team=zuid", headers=HTML)
    assert sorted(late(zuid)[1]) == new

    # the same lists as a table for Excel, with the form's filters, all rows at once
    def exported(query: str) -> list[dict[str, str]]:
        answer = browser.get(f"/werkbank/werklijst.csv?{query}")
        assert answer.status_code == 200
        return list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff")), delimiter=";"))

    assert sorted(r["traject"] for r in exported("") if r["lijst"] == "te laat") == new
    everything = exported("ook_afgesloten=true")
    assert len([r for r in everything if r["lijst"] == "te laat"]) == 67
    assert {r["regel"] for r in everything} == {"Onderzoek binnen zes weken (Wmo)"}

    # sorted as asked: the latest misses on top, or by team; one professional's cases
    latest = browser.get("/werkbank/werklijst?ook_afgesloten=true&sorteer=recentst", headers=HTML)
    assert sorted(late(latest)[1][:7]) == new
    by_team = exported("ook_afgesloten=true&sorteer=team")
    assert [r["team"] for r in by_team if r["lijst"] == "te laat"] == ["noord"] * 60 + ["zuid"] * 7
    mine = exported("ook_afgesloten=true&professional=prof-0002-pseudo")
    assert sorted(r["traject"] for r in mine if r["lijst"] == "te laat") == new[:3]
    unknown_order = browser.get("/werkbank/werklijst?sorteer=name", headers=HTML)
    assert unknown_order.status_code == 400 and "sorteer" in unknown_order.text


WORDS_OF_THE_VOCABULARY = [
    vocabulary.Step, vocabulary.NetworkOutcome, vocabulary.ProvisionOutcome,
    vocabulary.DecisionResult, vocabulary.GoalResult, vocabulary.LawDomain, vocabulary.Channel,
    vocabulary.CloseReason, vocabulary.CaseLead, vocabulary.NetworkSource,
    vocabulary.SupportKind, vocabulary.Term, vocabulary.TrajectoryStatus, NotificationType,
]  # fmt: skip


def test_every_code_of_the_vocabulary_has_a_dutch_word() -> None:
    missing = [m.value for kind in WORDS_OF_THE_VOCABULARY for m in kind if m.value not in CODES_NL]
    assert missing == []
    assert all(scope in CODES_NL for scope in SCOPES)


OFFICER_PAGES = [
    "/werkbank/trajecten/F-1",
    "/werkbank/?from=2026-01-01&to=2026-12-31",
    "/werkbank/teams?from=2026-01-01&to=2026-12-31",
    "/werkbank/kpis/inflow?from=2026-01-01&to=2026-12-31",
    "/werkbank/kpis/inflow/trajecten?from=2026-01-01&to=2026-12-31",
    "/werkbank/rapport?periode=2026-T1",
    "/werkbank/werklijst?ook_afgesloten=true",
    "/werkbank/naleving?from=2026-01-01&to=2026-12-31",
    "/werkbank/naleving/trajecten?regel=assessment_term&from=2026-01-01&to=2026-12-31",
    "/werkbank/steekproeven",
    "/werkbank/beheer/clients",
    "/werkbank/beheer/streefwaarden",
]


@pytest.mark.parametrize("path", OFFICER_PAGES)
def test_no_officer_page_shows_a_code_of_the_vocabulary(
    client: TestClient, browser: TestClient, tokens: dict[str, str], path: str
) -> None:
    assert client.post("/api/v1/events/batch", json=full_trajectory("F-1")).json()["rejected"] == 0
    sign_in(browser, tokens["all"])
    page = browser.get(path, headers=HTML)
    assert page.status_code == 200
    visible = re.sub(
        r"<[^>]+>", " ", re.sub(r"<(script|style|head)[^>]*>.*?</\1>", "", page.text, flags=re.S)
    )
    codes = {m.value for kind in WORDS_OF_THE_VOCABULARY for m in kind}
    left = sorted(
        c for c in codes if CODES_NL[c] != c and re.search(rf"\b{re.escape(c)}\b", visible)
    )
    assert left == [], left


def test_a_team_limit_naming_no_known_team_is_refused(
    client: TestClient, browser: TestClient, tokens: dict[str, str], engine: Engine
) -> None:
    assert client.post("/api/v1/events", json=opened("2026-03-02T09:00:00+01:00")).is_success
    _, csrf = sign_in(browser, tokens["all"])
    form = {"csrf": csrf, "name": "teamleider zuidd", "scopes": ["kpi:read"], "teams": "Zuidd"}
    refused = browser.post("/werkbank/beheer/clients", data=form, headers=HTML)
    assert refused.status_code == 400
    assert "onbekend team Zuidd; bekend zijn noord" in refused.text
    with Session(engine) as session:
        named = select(ApiClient).where(ApiClient.name == "teamleider zuidd")
        assert session.execute(named).first() is None  # nothing made
    made = browser.post("/werkbank/beheer/clients", data={**form, "teams": "noord"}, headers=HTML)
    assert made.status_code == 200 and "wk_" in made.text


def test_revoking_asks_first_and_a_judgement_is_chosen_not_preset(
    client: TestClient, browser: TestClient, tokens: dict[str, str], engine: Engine
) -> None:
    _, csrf = sign_in(browser, tokens["all"])
    page = browser.get("/werkbank/beheer/clients", headers=HTML)
    assert 'class="danger" href="/werkbank/beheer/clients/' in page.text  # a link, no button
    other = re.search(r'href="(/werkbank/beheer/clients/([^"/]+)/intrekken)"', page.text)
    assert other is not None
    confirm = browser.get(other.group(1), headers=HTML)
    assert "kan niet ongedaan worden gemaakt" in confirm.text
    with Session(engine) as session:  # asking revoked nothing
        assert session.get(ApiClient, other.group(2)).revoked_at is None  # type: ignore[union-attr]

    csrf, sample, case = one_case_sample(client, browser, tokens)
    page = browser.get(sample, headers=HTML)
    assert '<option value="" selected disabled>kies een oordeel</option>' in page.text
    unchosen = {"csrf": csrf, "trajectoryId": case, "judgement": ""}
    assert browser.post(f"{sample}/oordelen", data=unchosen, headers=HTML).status_code == 400
    judged = browser.post(
        f"{sample}/oordelen", data={**unchosen, "judgement": "akkoord"}, headers=HTML,
        follow_redirects=False,
    )  # fmt: skip
    assert judged.headers["location"].endswith("#rij-1")
    back = browser.get(judged.headers["location"], headers=HTML)
    assert f"Oordeel over {case} vastgelegd: akkoord." in back.text


def test_not_measurable_yet_not_reported_and_suppressed_look_different(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    """Re-entry of cases closed this year cannot be measured until a year has passed: that
    is not "< 5". A reported KPI nobody posted is "not reported", not a dash."""
    cases = [f"C-{i}" for i in range(8)]
    events = [opened("2026-02-02T09:00:00+01:00", t) for t in cases]
    events += [
        event("trajectory.closed", "2026-05-04T09:00:00+02:00", {"reason": "moved"}, t)
        for t in cases
    ]
    few = [opened("2026-02-02T09:00:00+01:00", f"F-{i}", team="zuid") for i in range(2)]
    assert client.post("/api/v1/events/batch", json=events + few).json()["rejected"] == 0
    api = client.get("/api/v1/kpis/reentry_rate", params={"from": "2026-01-01", "to": "2026-12-31"})
    (group,) = api.json()["groups"]
    assert (group["n"], group["value"], group["suppressed"]) == (0, None, False)
    sign_in(browser, tokens["all"])
    page = browser.get("/werkbank/?from=2026-01-01&to=2026-12-31", headers=HTML)

    def row(kpi: str) -> str:
        found = re.search(
            rf'<tr>\s*<th scope="row"><a href="/werkbank/kpis/{kpi}\?.*?</tr>', page.text, re.S
        )
        assert found is not None, kpi
        return found.group(0)

    assert "nog niet meetbaar" in row("reentry_rate") and "&lt; 5" not in row("reentry_rate")
    assert "nog niet aangeleverd" in row("awareness")
    zuid = browser.get(
        "/werkbank/kpis/inflow?from=2026-01-01&to=2026-12-31&naar=team", headers=HTML
    )
    assert "&lt; 5" in zuid.text  # zuid's two


def test_a_change_is_written_to_the_digits_it_was_given() -> None:
    assert difference(0.05) == "+0,05"  # it was shown as 0,1
    assert difference(-1234.5) == "-1.234,5"
    assert difference(0.05, "share (0..1)") == "+5 procentpunt"
    assert difference(-0.125, "share (0..1)") == "-12,5 procentpunt"
    assert difference(None) == "\N{EN DASH}"


def test_the_team_matrix_marks_met_and_missed_in_words_not_only_colour(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    events = []
    for team, days in (("noord", 2), ("zuid", 20)):
        for i in range(6):
            case = f"{team}-{i}"
            events += [
                opened("2026-03-02T09:00:00+01:00", case, team=team),
                step("request", f"2026-03-{2 + days:02d}T09:00:00+01:00", None, case),
            ]
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    assert client.put("/api/v1/kpis/waiting_time_intake/target", json={"value": 10}).is_success
    sign_in(browser, tokens["all"])
    page = browser.get("/werkbank/teams?from=2026-01-01&to=2026-12-31", headers=HTML)
    assert page.status_code == 200
    row = re.search(r'<a href="/werkbank/kpis/waiting_time_intake\?.*?</tr>', page.text, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    text = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    assert text == ["10", "2 ✓ gehaald", "20 ✗ niet gehaald"]  # target, noord, zuid


@pytest.mark.parametrize("kpi", ["inflow", "waiting_time_intake"])
def test_a_figure_drills_down_to_as_many_trajectories_as_its_n(
    client: TestClient, browser: TestClient, tokens: dict[str, str], kpi: str
) -> None:
    events = []
    for team, count in (("noord", 12), ("zuid", 7)):
        for i in range(count):
            case = f"{team}-{i:02d}"
            month = 3 + i % 2
            events += [
                opened(f"2026-0{month}-02T09:00:00+01:00", case, team=team),
                step("request", f"2026-0{month}-05T09:00:00+01:00", None, case),
            ]
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    sign_in(browser, tokens["all"])
    page = browser.get(f"/werkbank/kpis/{kpi}?from=2026-01-01&to=2026-12-31", headers=HTML)
    links = re.findall(
        rf'<a href="(/werkbank/kpis/{kpi}/trajecten\?[^"]+)"[^>]*>([^<]+)</a>', page.text
    )
    assert len(links) >= 4  # two months and two teams
    n_of: dict[str, int] = {}
    for by in ("team", "month"):
        params = {"from": "2026-01-01", "to": "2026-12-31", "groupBy": by}
        figure = client.get(f"/api/v1/kpis/{kpi}", params=params).json()
        n_of |= {g["key"][by]: g["n"] for g in figure["groups"]}
    for href, label in links:
        listed = browser.get(href.replace("&amp;", "&"), headers=HTML)
        rows = re.findall(r'<a href="/werkbank/trajecten/([^"]+)"', listed.text)
        said = re.search(r"<strong>(\d+) trajecten?</strong>", listed.text)
        assert said is not None and int(said.group(1)) == len(rows), label
        assert len(rows) == n_of[label], label  # the cell's n, by team and by month
        if label in ("noord", "zuid"):
            assert all(r.startswith(label) for r in rows)
        back = re.search(r'href="/werkbank/trajecten/([^"]+)"', listed.text)
        assert back is not None
        assert browser.get(f"/werkbank/trajecten/{back.group(1)}", headers=HTML).status_code == 200
    entries = client.get("/api/v1/access-log").json()["results"]
    assert any(e["route"] == "/werkbank/kpis/{kpiId}/trajecten" for e in entries)


def test_a_reader_of_figures_only_cannot_drill_down(
    browser: TestClient, tokens: dict[str, str]
) -> None:
    sign_in(browser, tokens["kpi:read"])
    page = browser.get(
        "/werkbank/kpis/inflow/trajecten?from=2026-01-01&to=2026-12-31", headers=HTML
    )
    assert page.status_code == 403


def test_the_overview_filters_by_domain_and_says_better_or_worse(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    events = []
    for i, (month, wait, domain) in enumerate(
        [(3, 2, "wmo")] * 6 + [(4, 5, "wmo")] * 6 + [(4, 1, "jeugdwet")] * 6
    ):
        case = f"C-{i:02d}"
        events += [
            opened(f"2026-0{month}-02T09:00:00+02:00", case, domain=domain),
            step("request", f"2026-0{month}-{2 + wait:02d}T09:00:00+02:00", None, case),
        ]
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    sign_in(browser, tokens["all"])
    page = browser.get("/werkbank/", params={**YEAR, "domain": "wmo"}, headers=HTML)
    assert page.status_code == 200

    def row(kpi: str) -> list[str]:
        found = re.search(rf'<a href="/werkbank/kpis/{kpi}\?.*?</tr>', page.text, re.S)
        assert found is not None, kpi
        cells = re.findall(r"<td[^>]*>(.*?)</td>", found.group(0), re.S)
        return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]

    assert row("inflow")[0] == "12"  # wmo only: the six of jeugdwet left out
    assert row("inflow")[-1] == "→ gelijk"  # six in March, six in April
    assert row("waiting_time_intake")[-1] == "↓ slechter"  # 2 days in March, 5 in April
    assert "Wmo" in re.search(r"<caption>KPI's van[^<]*</caption>", page.text).group(0)  # type: ignore[union-attr]


def test_the_report_downloads_as_a_workbook_with_real_numbers_and_dates(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    events = [opened("2026-03-02T09:00:00+01:00", f"W-{i}") for i in range(12)]
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    sign_in(browser, tokens["all"])
    page = browser.get("/werkbank/rapport?periode=2026-T1", headers=HTML)
    assert 'href="/werkbank/rapport.xlsx?periode=2026-T1"' in page.text
    answer = browser.get("/werkbank/rapport.xlsx?periode=2026-T1")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(answer.content))
    rows: list[tuple[Any, ...]] = list(book["KPI's"].iter_rows(values_only=True))
    by_id = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    inflow = by_id["inflow"]
    assert inflow["Waarde"] == 12 and isinstance(inflow["Waarde"], int | float)
    assert isinstance(inflow["Van"], datetime) and inflow["Van"].date() == date(2026, 1, 1)
    months: list[tuple[Any, ...]] = list(book["Per maand"].iter_rows(min_row=2, values_only=True))
    march = [r for r in months if r[0] == "inflow" and r[1].month == 3]
    assert march and march[0][2] == 12


def test_the_report_sets_the_same_period_of_last_year_beside_this_one(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    events = [opened("2025-03-03T09:00:00+01:00", f"A-{i}") for i in range(6)]
    events += [opened("2026-03-02T09:00:00+01:00", f"B-{i}") for i in range(9)]
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    sign_in(browser, tokens["all"])
    page = browser.get("/werkbank/rapport?periode=2026-T1", headers=HTML)
    assert "en een jaar eerder (1e tertiaal 2025)" in page.text
    head = re.search(r"<thead>(.*?)</thead>", page.text, re.S)
    assert head is not None and '<th scope="col">2025-T1</th>' in head.group(1)
    inflow = re.search(r'<th scope="row">Instroom</th>(.*?)</tr>', page.text, re.S)
    assert inflow is not None
    values = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", inflow.group(1), re.S)
    ]
    assert values[0] == "9" and "6" in values  # this tertial, and a year earlier


def test_the_officer_writes_a_comment_per_kpi_kept_with_the_period(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    assert client.post("/api/v1/events", json=opened("2026-03-02T09:00:00+01:00")).is_success
    _, csrf = sign_in(browser, tokens["all"])
    first = browser.get("/werkbank/rapport?periode=2026-T1", headers=HTML)
    etag = first.headers["etag"]
    form = {
        "csrf": csrf,
        "periode": "2026-T1",
        "kpi": "inflow",
        "tekst": "Meer meldingen na de campagne.",
    }
    saved = browser.post(
        "/werkbank/rapport/toelichting", data=form, headers=HTML, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("#toelichting-inflow")
    # a reload with the old validator gets the new page, never a 304 of the old one
    again = browser.get(
        "/werkbank/rapport?periode=2026-T1", headers={**HTML, "If-None-Match": etag}
    )
    assert again.status_code == 200 and "Meer meldingen na de campagne." in again.text
    other = browser.get("/werkbank/rapport?periode=2026-T2", headers=HTML)
    assert "Meer meldingen na de campagne." not in other.text  # kept with its period
    refused = browser.post(
        "/werkbank/rapport/toelichting", data={**form, "tekst": "zie bsn 111222333"}, headers=HTML
    )
    assert refused.status_code == 400
    removed = browser.post(
        "/werkbank/rapport/toelichting", data={**form, "tekst": ""}, headers=HTML
    )
    assert "Meer meldingen na de campagne." not in removed.text


# A compliance cell's link and its "(passed van counted)".
COMPLIANCE_CELL = (
    r'<a href="(/werkbank/naleving/trajecten\?[^"]+)"[^>]*>[^<]*'
    r'<span class="suppressed">\((\d+) van (\d+)\)</span>'
)


def test_a_compliance_cell_drills_down_to_as_many_trajectories_as_it_counts(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    events = [opened("2026-03-02T09:00:00+01:00", f"N-{i}", team="noord") for i in range(6)]
    events += [opened("2026-03-02T09:00:00+01:00", f"Z-{i}", team="zuid") for i in range(5)]
    events += full_trajectory("F-1")
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    sign_in(browser, tokens["audit:read"])
    page = browser.get("/werkbank/naleving", params=YEAR, headers=HTML)
    cells = re.findall(COMPLIANCE_CELL, page.text)
    assert len(cells) >= 10
    for href, passed, counted in cells:
        listed = browser.get(href.replace("&amp;", "&"), headers=HTML)
        rows = re.findall(r'<a href="/werkbank/trajecten/([^"]+)"', listed.text)
        assert len(rows) == int(counted), href
        assert f"<strong>{passed} van {counted}</strong>" in listed.text, href


def test_an_overview_figure_drills_down_to_its_trajectories_with_its_filters(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    events = [opened("2026-03-02T09:00:00+01:00", f"W-{i}", domain="wmo") for i in range(7)]
    events += [opened("2026-03-02T09:00:00+01:00", f"J-{i}", domain="jeugdwet") for i in range(6)]
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    sign_in(browser, tokens["all"])
    page = browser.get("/werkbank/", params={**YEAR, "domain": "jeugdwet"}, headers=HTML)
    link = re.search(
        r'<a href="(/werkbank/kpis/inflow/trajecten\?[^"]+)"[^>]*>(\d+)</a>', page.text
    )
    assert link is not None
    listed = browser.get(link.group(1).replace("&amp;", "&"), headers=HTML)
    rows = re.findall(r'<a href="/werkbank/trajecten/([^"]+)"', listed.text)
    assert len(rows) == int(link.group(2)) == 6 and all(r.startswith("J-") for r in rows)


def test_the_report_is_a_pdf_made_by_the_server_with_numbered_pages(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    events = [opened("2026-03-02T09:00:00+01:00", f"P-{i}") for i in range(12)]
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    sign_in(browser, tokens["all"])
    answer = browser.get("/werkbank/rapport.pdf?periode=2026-T1")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages]
    assert len(pages) >= 2
    assert "Rapportage sociaal wijkteam" in pages[0] and "Instroom" in pages[0]
    assert "Gemeente Zwolle (0193)" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"pagina {number} van {len(pages)}" in text, (number, text[-200:])
        assert len(text.split()) > 20, f"page {number} holds next to nothing"
    assert "Uitloggen" not in "".join(pages)  # the menu and forms do not print


def test_without_pango_the_pdf_says_what_it_needs(
    browser: TestClient, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it cannot load
    sign_in(browser, tokens["all"])
    answer = browser.get("/werkbank/rapport.pdf?periode=2026-T1", headers=HTML)
    assert answer.status_code == 503
    assert "Pango" in answer.text


def test_a_report_line_drills_down_to_its_trajectories(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    events = [opened("2026-03-02T09:00:00+01:00", f"R-{i}") for i in range(8)]
    events += [opened("2026-06-02T09:00:00+02:00", f"L-{i}") for i in range(5)]  # T2
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    sign_in(browser, tokens["all"])
    page = browser.get("/werkbank/rapport?periode=2026-T1", headers=HTML)
    link = re.search(
        r'<a href="(/werkbank/kpis/inflow/trajecten\?[^"]+)"[^>]*>(\d+)</a>', page.text
    )
    assert link is not None and link.group(2) == "8"
    listed = browser.get(link.group(1).replace("&amp;", "&"), headers=HTML)
    rows = re.findall(r'<a href="/werkbank/trajecten/([^"]+)"', listed.text)
    assert sorted(rows) == [f"R-{i}" for i in range(8)]


def test_the_compliance_page_filters_by_domain_and_its_cells_follow(
    client: TestClient, browser: TestClient, tokens: dict[str, str]
) -> None:
    events = [opened("2026-03-02T09:00:00+01:00", f"W-{i}", domain="wmo") for i in range(6)]
    events += [opened("2026-03-02T09:00:00+01:00", f"J-{i}", domain="jeugdwet") for i in range(5)]
    closed = {"reason": "moved"}
    events += [
        event("trajectory.closed", "2026-04-01T09:00:00+02:00", closed, f"J-{i}") for i in range(5)
    ]
    events += [
        event("trajectory.closed", "2026-04-01T09:00:00+02:00", closed, f"W-{i}") for i in range(6)
    ]
    assert client.post("/api/v1/events/batch", json=events).json()["rejected"] == 0
    sign_in(browser, tokens["audit:read"])
    page = browser.get("/werkbank/naleving", params={**YEAR, "domein": "jeugdwet"}, headers=HTML)
    assert page.status_code == 200
    cells = re.findall(COMPLIANCE_CELL, page.text)
    assert cells
    for href, _, counted in cells:
        listed = browser.get(href.replace("&amp;", "&"), headers=HTML)
        rows = re.findall(r'<a href="/werkbank/trajecten/([^"]+)"', listed.text)
        assert len(rows) == int(counted) and all(r.startswith("J-") for r in rows), href
