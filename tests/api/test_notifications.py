"""Notifications to other systems, received by a real HTTP server the test starts, which
checks each signature with the `standardwebhooks` library and reads each message with the
CloudEvents SDK, as a municipality's receiver would. Deliveries are driven on the test's
clock (`deliver_due(..., now)`), on both databases."""

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cloudevents.v1.http import from_http
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from app.db import create_session_factory
from app.domain.notifications import NotificationType, working_days_until
from app.main import create_app
from app.models import OutboxNotification
from app.services.ingestion.events import Sender, record_batch
from app.services.notifications.terms import AT_RISK_FROM, notify_terms
from app.settings import Settings
from tests.conftest import authorised, empty_all_tables
from tests.factories import opened
from tests.helpers import HTML, live_server, sign_in

FIGURES = NotificationType.FIGURES_CHANGED.value
FINDINGS = NotificationType.FINDINGS_CHANGED.value
DUE_SOON = NotificationType.TERM_DUE_SOON.value
MISSED = NotificationType.TERM_MISSED.value
AT_RISK = NotificationType.TERM_AT_RISK.value


class Receiver:
    """A subscriber's endpoint: fails the first `failures` deliveries, then takes them."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.failures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                failing = receiver.failures > 0
                receiver.failures -= 1
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verified(self, secret: str) -> list[dict[str, Any]]:
        """Every message received, its signature checked and read as a CloudEvent."""
        events = []
        for headers, body in self.received:
            Webhook(secret).verify(body, headers)  # raises on a bad signature
            event = from_http(headers, body)
            events.append({**event.get_attributes(), "data": event.get_data()})
        return events


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()


@pytest.fixture
def api(settings: Settings, engine: Engine, tokens: dict[str, str]) -> Iterator[TestClient]:
    empty_all_tables(engine)
    allowed = settings.model_copy(update={"callback_allowed_hosts": "127.0.0.1"})
    with TestClient(create_app(allowed), raise_server_exceptions=False) as client:
        yield authorised(client, tokens["all"])


def subscribe(api: TestClient, url: str, *types: str, **extra: Any) -> dict[str, Any]:
    answer = api.post("/api/v1/subscriptions", json={"callbackUrl": url, "types": types, **extra})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def deliver(engine: Engine, settings: Settings, now: datetime) -> int:
    policy = settings.model_copy(update={"callback_allowed_hosts": "127.0.0.1"}).delivery_policy()
    from app.services.notifications.delivery import deliver_due

    return deliver_due(create_session_factory(engine), policy, now)


def outbox(engine: Engine) -> list[OutboxNotification]:
    with Session(engine) as session:
        return list(session.scalars(select(OutboxNotification)))


def test_a_notification_is_signed_retried_with_one_id_and_received_once_in_effect(
    api: TestClient, engine: Engine, settings: Settings, receiver: Receiver
) -> None:
    made = subscribe(api, receiver.url, FIGURES)
    assert made["secret"].startswith("whsec_")
    assert "secret" not in api.get("/api/v1/subscriptions").json()[0]  # shown once
    events = [opened("2026-03-02T09:00:00+01:00", f"N-{i}") for i in range(3)]
    assert api.post("/api/v1/events/batch", json=events).json()["created"] == 3

    receiver.failures = 2
    now = datetime.now(UTC)
    assert deliver(engine, settings, now) == 0  # 500
    assert deliver(engine, settings, now) == 0  # not due yet: backing off
    assert deliver(engine, settings, now + timedelta(minutes=2)) == 0  # 500 again
    assert deliver(engine, settings, now + timedelta(hours=1)) == 1
    assert deliver(engine, settings, now + timedelta(hours=2)) == 0  # nothing left
    messages = receiver.verified(made["secret"])
    assert len(messages) == 3 and len({m["id"] for m in messages}) == 1  # one id, 3 tries
    message = messages[0]
    assert message["type"] == FIGURES and message["specversion"] == "1.0"
    assert message["source"] == "urn:nld:gemeente:0193:wijkteam-kpi"
    assert message["subject"] == "0193" and message["data"] == {"municipality": "0193"}
    assert message["dataref"].endswith("/api/v1/figures?municipality=0193")
    assert {h["webhook-id"] for h, _ in receiver.received} == {message["id"]}


def test_a_rolled_back_change_writes_no_notification(
    api: TestClient, engine: Engine, receiver: Receiver
) -> None:
    subscribe(api, receiver.url, FIGURES, FINDINGS)
    sender = Sender("0193", "0193", Settings(environment="test").terms())
    with Session(engine) as session:
        outcome = record_batch(session, [opened("2026-03-02T09:00:00+01:00", "R-1")], sender)
        assert outcome.created == 1
        assert session.scalars(select(OutboxNotification)).all()  # written with the change...
        session.rollback()  # ...and gone with it
    assert outbox(engine) == []


def test_a_team_limited_subscriber_hears_only_its_teams(
    api: TestClient, engine: Engine, receiver: Receiver, tokens: dict[str, str]
) -> None:
    limited = api.post(
        "/api/v1/clients",
        json={"name": "zorgsysteem noord", "scopes": ["audit:read"], "municipality": "0193",
              "teams": ["noord"]},
    ).json()  # fmt: skip
    subscribe(api, receiver.url, FINDINGS, clientId=limited["id"])
    events = [opened("2026-03-02T09:00:00+01:00", "NO-1", team="noord")]
    events += [opened("2026-03-02T09:00:00+01:00", "ZU-1", team="zuid")]
    assert api.post("/api/v1/events/batch", json=events).json()["created"] == 2
    subjects = [row.cloud_event["subject"] for row in outbox(engine)]
    assert subjects == ["NO-1"]
    # a client that may not read the audit hears no findings at all
    figures_only = api.post(
        "/api/v1/clients", json={"name": "bi", "scopes": ["kpi:read"], "municipality": "0193"}
    ).json()
    subscribe(api, receiver.url, FINDINGS, clientId=figures_only["id"])
    api.post(
        "/api/v1/events/batch", json=[opened("2026-03-03T09:00:00+01:00", "NO-2", team="noord")]
    )
    assert sorted(row.cloud_event["subject"] for row in outbox(engine)) == ["NO-1", "NO-2"]
    # a domain filter narrows to its domains
    youth = subscribe(api, receiver.url, FINDINGS, domains=["jeugdwet"])
    api.post(
        "/api/v1/events/batch",
        json=[
            opened("2026-03-04T09:00:00+01:00", d, domain=d.lower()) for d in ("WMO", "JEUGDWET")
        ],
    )
    heard = [r.cloud_event["subject"] for r in outbox(engine) if r.subscription_id == youth["id"]]
    assert heard == ["JEUGDWET"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "https://localhost/hook",
        "http://10.0.0.8/hook",
        "http://[::1]/hook",
    ],
)
def test_a_callback_inside_the_network_is_refused_unless_allow_listed(
    client: TestClient, url: str
) -> None:
    answer = client.post("/api/v1/subscriptions", json={"callbackUrl": url, "types": [FIGURES]})
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["invalidParams"][0]["name"] == "callbackUrl"
    assert problem["invalidParams"][0]["code"] == "callback_refused"


def test_an_allow_listed_host_may_be_called(api: TestClient, receiver: Receiver) -> None:
    assert subscribe(api, receiver.url, FIGURES)["callbackUrl"] == receiver.url


def test_a_receiver_down_past_the_maximum_age_gives_a_dead_letter_redelivered_on_request(
    api: TestClient, engine: Engine, settings: Settings, receiver: Receiver
) -> None:
    made = subscribe(api, receiver.url, FIGURES)
    api.post("/api/v1/events/batch", json=[opened("2026-03-02T09:00:00+01:00", "D-1")])
    receiver.failures = 10**6  # down
    now = datetime.now(UTC)
    deliver(engine, settings, now)
    deliver(engine, settings, now + timedelta(hours=settings.notify_max_age_hours, seconds=1))
    letters = api.get(f"/api/v1/subscriptions/{made['id']}/dead-letters").json()
    assert len(letters) == 1 and letters[0]["attempts"] == 2
    assert letters[0]["lastError"] == "answered 500"
    receiver.failures = 0  # back up
    again = api.post(
        f"/api/v1/subscriptions/{made['id']}/dead-letters/{letters[0]['id']}/redeliver"
    )
    assert again.status_code == 202
    assert deliver(engine, settings, datetime.now(UTC)) == 1
    ids = {m["id"] for m in receiver.verified(made["secret"])}
    assert ids == {letters[0]["id"]}  # the same notification, every time
    assert api.get(f"/api/v1/subscriptions/{made['id']}/dead-letters").json() == []


def test_the_workbench_lists_dead_letters_and_sends_one_again(
    api: TestClient, engine: Engine, settings: Settings, receiver: Receiver, tokens: dict[str, str]
) -> None:
    made = subscribe(api, receiver.url, FIGURES)
    api.post("/api/v1/events/batch", json=[opened("2026-03-02T09:00:00+01:00", "W-1")])
    receiver.failures = 10**6
    now = datetime.now(UTC)
    deliver(engine, settings, now)
    deliver(engine, settings, now + timedelta(hours=settings.notify_max_age_hours, seconds=1))
    (letter,) = api.get(f"/api/v1/subscriptions/{made['id']}/dead-letters").json()
    with TestClient(api.app) as browser:
        _, csrf = sign_in(browser, tokens["all"])
        page = browser.get("/werkbank/beheer/meldingen", headers=HTML)
        assert "cijfers gewijzigd" in page.text and "answered 500" in page.text
        sent = browser.post(
            f"/werkbank/beheer/meldingen/{made['id']}/opnieuw/{letter['id']}",
            data={"csrf": csrf},
            headers=HTML,
            follow_redirects=False,
        )
        assert sent.status_code == 303
    receiver.failures = 0
    assert deliver(engine, settings, datetime.now(UTC)) == 1


def test_an_ended_subscription_hears_nothing_more(
    api: TestClient, engine: Engine, receiver: Receiver
) -> None:
    made = subscribe(api, receiver.url, FIGURES)
    assert api.delete(f"/api/v1/subscriptions/{made['id']}").status_code == 204
    api.post("/api/v1/events/batch", json=[opened("2026-03-02T09:00:00+01:00", "X-1")])
    assert outbox(engine) == []
    assert json.loads(api.get("/api/v1/subscriptions").text) == []


@pytest.mark.slow
def test_a_notification_outlives_the_process_that_wrote_it(
    tmp_path: Path, receiver: Receiver
) -> None:
    """The serving process stops between the change and the delivery (its worker would
    only have looked an hour later): the next process to start delivers it."""
    url = f"sqlite:///{tmp_path / 'notify.sqlite3'}"
    allowed = {"CALLBACK_ALLOWED_HOSTS": "127.0.0.1"}
    with live_server(tmp_path, url, NOTIFY_POLL_SECONDS="3600", **allowed) as (base, token):
        headers = {"Authorization": f"Bearer {token}"}
        made = httpx.post(
            f"{base}/api/v1/subscriptions",
            json={"callbackUrl": receiver.url, "types": [FIGURES]},
            headers=headers,
        ).json()
        events = [opened("2026-03-02T09:00:00+01:00", "L-1")]
        assert httpx.post(f"{base}/api/v1/events/batch", json=events, headers=headers).is_success
    assert receiver.received == []  # written, not sent
    with live_server(tmp_path, url, NOTIFY_POLL_SECONDS="0.2", **allowed):
        deadline = time.monotonic() + 15
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.1)
    (message,) = receiver.verified(made["secret"])
    assert message["type"] == FIGURES and message["subject"] == "0193"


def test_a_term_due_in_n_working_days_is_told_once_by_one_of_three_replicas_then_its_miss(
    api: TestClient, engine: Engine, settings: Settings, receiver: Receiver
) -> None:
    """A Wmo assessment term (six weeks from the melding), a subscriber told three working
    days ahead: counted on the Algemene termijnenwet's calendar, on the test's clock, by the
    one replica of three that claims each day's run; once, and the miss once it passes."""
    made = subscribe(api, receiver.url, DUE_SOON, MISSED, dueWithinWorkingDays=3)
    other = Receiver()  # hears only decision terms, or only jeugdwet: nothing of this one
    subscribe(api, other.url, DUE_SOON, MISSED, rules=["decision_term"])
    subscribe(api, other.url, DUE_SOON, MISSED, domains=["jeugdwet"])
    opening = opened("2026-11-16T09:00:00+01:00", "T-DUE")
    assert api.post("/api/v1/events", json=opening).status_code == 201
    audit = api.get("/api/v1/audit/trajectories/T-DUE").json()
    due = date.fromisoformat(
        next(f["dueOn"] for f in audit["findings"] if f["rule"] == "assessment_term")
    )
    calendar = settings.terms().calendar
    three_ahead, four_ahead = (
        working_days_before(due, 3, calendar),
        working_days_before(due, 4, calendar),
    )
    sessions = create_session_factory(engine)

    def night(day: date) -> list[int | None]:
        start = threading.Barrier(3)

        def replica(_: int) -> int | None:
            start.wait()
            return notify_terms(sessions, day, calendar)

        with ThreadPoolExecutor(3) as pool:
            return sorted(pool.map(replica, range(3)), key=str)

    assert night(four_ahead) == [0, None, None]  # four working days ahead: not yet
    assert night(three_ahead) == [1, None, None]  # three: told, by one replica
    assert night(three_ahead + timedelta(days=1)) == [0, None, None]  # told once
    assert night(due + timedelta(days=1)) == [1, None, None]  # passed unmet: the miss
    deliver(engine, settings, datetime.now(UTC))
    assert other.received == []
    other.server.shutdown()
    soon, missed = receiver.verified(made["secret"])
    assert soon["type"] == DUE_SOON and missed["type"] == MISSED
    assert soon["subject"] == "T-DUE"
    assert soon["data"] == {
        "trajectoryId": "T-DUE",
        "rule": "assessment_term",
        "dueOn": due.isoformat(),
    }


def working_days_before(due: date, count: int, calendar: Any) -> date:
    day, found = due, 0
    while found < count:
        day -= timedelta(days=1)
        if calendar.rest_day(day) is None:
            found += 1
    assert working_days_until(day, due, calendar) == count
    return day


def test_open_terms_likely_to_be_missed_are_told_once_each(
    api: TestClient, engine: Engine, settings: Settings
) -> None:
    """Of the open terms `GET /term-risks` gives, those at or above the warning's risk are
    told, each once however many nights it stays risky."""
    from scripts.generate_events import generate

    told_by = Receiver()
    subscribe(api, told_by.url, AT_RISK)
    events = list(generate(2000, seed=5, start=date(2025, 1, 1), end=date(2026, 10, 31)))
    for first in range(0, len(events), 5000):
        posted = api.post("/api/v1/events/batch", json=events[first : first + 5000])
        assert posted.json()["rejected"] == 0
    day = date(2026, 10, 1)
    risks = api.get("/api/v1/term-risks", params={"asOf": day.isoformat(), "limit": 1000})
    risky = {
        (r["trajectoryId"], r["rule"], r["dueOn"])
        for r in risks.json()["results"]
        if r["risk"] >= AT_RISK_FROM
    }
    assert risky  # the generated municipality has terms at risk that day
    sessions = create_session_factory(engine)
    calendar = settings.terms().calendar
    assert notify_terms(sessions, day, calendar) == len(risky)
    notify_terms(sessions, day + timedelta(days=1), calendar)
    told = [
        (n.cloud_event["subject"], n.cloud_event["data"]["rule"], n.cloud_event["data"]["dueOn"])
        for n in outbox(engine)
        if n.type == AT_RISK
    ]
    assert len(told) == len(set(told)) and risky <= set(told)
    told_by.server.shutdown()
