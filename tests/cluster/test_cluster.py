"""Three replicas behind nginx (tests/cluster/conftest.py), tried as an operator and the
systems around the service would find them: limits, sessions and caches hold across
replicas, a replica killed in the middle of a batch loses nothing and half-stores nothing,
a rolling restart answers every read, and a rolling upgrade onto a new projection version
never serves a figure of the old one."""

import re
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.cluster.conftest import RATE_LIMIT, Cluster
from tests.factories import full_trajectory, opened

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

HTML = {"Accept": "text/html"}
YEAR = {"from": "2026-01-01", "to": "2026-12-31"}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def hidden_csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:300]
    return found.group(1)


def stored(cluster: Cluster, event_ids: list[str]) -> int:
    engine = create_engine(cluster.database_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT count(*) FROM events WHERE event_id = ANY(:ids)")
            return int(connection.execute(query, {"ids": event_ids}).scalar_one())
    finally:
        engine.dispose()


def test_a_rate_limit_spread_over_replicas_answers_429_at_the_limit(cluster: Cluster) -> None:
    _, token = cluster.new_client("limited", "kpi:read")
    answers = [
        httpx.get(f"{cluster.proxy}/api/v1/kpis", headers=auth(token))
        for _ in range(RATE_LIMIT + 1)
    ]
    assert [a.status_code for a in answers] == [200] * RATE_LIMIT + [429]
    assert len({a.headers["X-Replica"] for a in answers}) == 3  # every replica counted
    assert answers[-1].headers["RateLimit"].startswith('"per-client";r=0;')
    assert int(answers[-1].headers["Retry-After"]) > 0


def sign_in(cluster: Cluster, token: str) -> tuple[dict[str, str], str]:
    """Signs in through the proxy; the session's cookies and its form token."""
    with httpx.Client(base_url=cluster.proxy, headers=HTML) as browser:
        form = browser.get("/werkbank/inloggen")
        answer = browser.post(
            "/werkbank/inloggen", data={"token": token, "csrf": hidden_csrf(form)}
        )
        assert answer.status_code == 303, answer.text[:300]
        page = browser.get(answer.headers["location"])
        return dict(browser.cookies), hidden_csrf(page)


def signed_in_on(cluster: Cluster, number: int, cookies: dict[str, str]) -> bool:
    page = httpx.get(f"{cluster.replica(number)}/werkbank/", cookies=cookies, headers=HTML)
    return page.status_code == 200 and "Uitloggen" in page.text


def test_a_workbench_session_holds_on_every_replica_and_ends_on_all_at_once(
    cluster: Cluster,
) -> None:
    client_id, token = cluster.new_client("kwaliteit", "kpi:read", "audit:read")
    cookies, csrf = sign_in(cluster, token)
    assert [signed_in_on(cluster, n, cookies) for n in range(3)] == [True] * 3
    out = httpx.post(
        f"{cluster.proxy}/werkbank/uitloggen", data={"csrf": csrf}, cookies=cookies, headers=HTML
    )
    assert out.status_code == 303
    assert [signed_in_on(cluster, n, cookies) for n in range(3)] == [False] * 3

    # signed in again, then the client is revoked through the proxy: every replica refuses
    cookies, _ = sign_in(cluster, token)
    assert [signed_in_on(cluster, n, cookies) for n in range(3)] == [True] * 3
    revoked = httpx.post(
        f"{cluster.proxy}/api/v1/clients/{client_id}/revoke", headers=auth(cluster.token)
    )
    assert revoked.status_code == 200, revoked.text
    assert [signed_in_on(cluster, n, cookies) for n in range(3)] == [False] * 3


def cache_hits(cluster: Cluster, number: int) -> float:
    text_ = httpx.get(f"{cluster.replica(number)}/metrics").text
    found = re.search(r'^wijkteam_figure_cache_total\{outcome="hit"\} ([0-9.e+]+)$', text_, re.M)
    return float(found.group(1)) if found else 0.0


def test_an_etag_and_a_figure_from_one_replica_hold_on_the_others_until_an_event(
    cluster: Cluster,
) -> None:
    events = [opened("2026-03-02T09:00:00+01:00", f"E-{uuid.uuid4().hex[:8]}") for _ in range(6)]
    posted = httpx.post(
        f"{cluster.proxy}/api/v1/events/batch", json=events, headers=auth(cluster.token)
    )
    assert posted.json()["rejected"] == 0
    path = "/api/v1/kpis/inflow"
    first = httpx.get(cluster.replica(0) + path, params=YEAR, headers=auth(cluster.token))
    etag = first.headers["ETag"]
    for number in (1, 2):  # computed once, on replica 0: the others answer from the cache
        hits = cache_hits(cluster, number)
        again = httpx.get(cluster.replica(number) + path, params=YEAR, headers=auth(cluster.token))
        assert again.json() == first.json() and cache_hits(cluster, number) == hits + 1
        unchanged = httpx.get(
            cluster.replica(number) + path,
            params=YEAR,
            headers={**auth(cluster.token), "If-None-Match": etag},
        )
        assert unchanged.status_code == 304
    one_more = [opened("2026-03-03T09:00:00+01:00", f"E-{uuid.uuid4().hex[:8]}")]
    httpx.post(f"{cluster.proxy}/api/v1/events/batch", json=one_more, headers=auth(cluster.token))
    for number in range(3):
        changed = httpx.get(
            cluster.replica(number) + path,
            params=YEAR,
            headers={**auth(cluster.token), "If-None-Match": etag},
        )
        assert changed.status_code == 200 and changed.headers["ETag"] != etag
        assert changed.json()["groups"][0]["n"] == first.json()["groups"][0]["n"] + 1


def test_a_replica_killed_mid_batch_stores_all_or_nothing_and_the_retry_completes(
    cluster: Cluster,
) -> None:
    batch = [opened("2026-04-01T09:00:00+02:00", f"K-{i:05d}") for i in range(4000)]
    ids = [event["eventId"] for event in batch]
    outcome: dict[str, Any] = {}

    def send() -> None:
        try:
            outcome["answer"] = httpx.post(
                f"{cluster.replica(2)}/api/v1/events/batch",
                json=batch,
                headers=auth(cluster.token),
                timeout=120,
            )
        except httpx.TransportError as error:
            outcome["error"] = error

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(0.5)  # the batch is being read, stored or folded
    cluster.stop(2, signal.SIGKILL)
    sender.join(timeout=120)
    time.sleep(3)  # an orphaned ingest worker gives up (it commits only while its parent lives)
    count = stored(cluster, ids)
    print(f"killed mid-batch: {'answered' if 'answer' in outcome else 'error'}, {count} stored")
    if "answer" in outcome:
        assert outcome["answer"].status_code == 200 and count == len(ids)
    else:
        assert count in (0, len(ids)), count  # never half a batch
    retry = httpx.post(
        f"{cluster.proxy}/api/v1/events/batch", json=batch, headers=auth(cluster.token), timeout=120
    )
    assert retry.status_code == 200, retry.text[:300]
    answer = retry.json()
    assert answer["created"] + answer["duplicates"] == len(ids) and answer["rejected"] == 0
    assert stored(cluster, ids) == len(ids)  # each exactly once
    cluster.start(2)


def test_a_rolling_restart_answers_every_read_through_the_proxy(cluster: Cluster) -> None:
    readers = [cluster.new_client(f"bi-{n}", "kpi:read")[1] for n in range(3)]
    statuses: list[int | str] = []
    values: set[Any] = set()
    done = threading.Event()

    def read() -> None:
        turn = 0
        while not done.is_set():
            token = readers[turn % len(readers)]
            try:
                answer = httpx.get(
                    f"{cluster.proxy}/api/v1/kpis/inflow",
                    params=YEAR,
                    headers=auth(token),
                    timeout=30,
                )
            except Exception as error:  # recorded, so the assertion names it
                statuses.append(f"{type(error).__name__}: {error}")
                turn += 1
                continue
            statuses.append(answer.status_code)
            if answer.status_code == 200:
                values.add(str(answer.json()["groups"]))
            turn += 1
            time.sleep(0.2)

    reader = threading.Thread(target=read)
    reader.start()
    for number in range(3):  # one replica at a time, as a rolling update does
        cluster.stop(number)
        cluster.start(number)
    done.set()
    reader.join(timeout=60)
    assert len(statuses) >= 10
    assert set(statuses) == {200}, statuses
    assert len(values) == 1  # the same figure from every replica, before and after


@dataclass
class Seen:
    started: float
    finished: float
    status: int | str
    value: Any = None
    retry_after: str | None = None


def test_a_rolling_upgrade_onto_a_new_projection_version_never_serves_a_stale_figure(
    cluster: Cluster,
) -> None:
    """The new release computes the assessment term differently (a shorter term: a setting
    the projection is built with, as a new fold would be): its migration rebuilds the
    projection while the old replicas answer, then the replicas are replaced one by one.
    From the moment the migration is done, no answer carries the old figure: not from an
    old replica, not from the shared cache, not as a 304 to the old ETag."""
    ids = [f"U-{uuid.uuid4().hex[:8]}" for _ in range(24)]
    events = [event for trajectory in ids for event in full_trajectory(trajectory)]
    posted = httpx.post(
        f"{cluster.proxy}/api/v1/events/batch",
        json=events,
        headers=auth(cluster.token),
        timeout=120,
    )
    assert posted.json()["rejected"] == 0
    path = "/api/v1/kpis/statutory_assessment_within_term"
    first = httpx.get(cluster.proxy + path, params=YEAR, headers=auth(cluster.token))
    old_value = first.json()["groups"][0]["value"]
    assert old_value == 1.0  # step 4 on day 14 of the law's 42
    # readers of cases too: their figures are not rounded (a figures-only reader's keyed
    # rounding would make the old and the new share other numbers than 1 and 0)
    readers = [cluster.new_client(f"upgrade-{n}", "kpi:read", "audit:read")[1] for n in range(6)]
    seen: list[Seen] = []
    done = threading.Event()

    def read() -> None:
        turn = 0
        while not done.is_set():
            started = time.monotonic()
            try:
                answer = httpx.get(
                    cluster.proxy + path,
                    params=YEAR,
                    headers=auth(readers[turn % len(readers)]),
                    timeout=30,
                )
            except Exception as error:  # recorded, so the assertion names it
                seen.append(Seen(started, time.monotonic(), f"{type(error).__name__}: {error}"))
            else:
                value = answer.json()["groups"][0]["value"] if answer.status_code == 200 else None
                retry = answer.headers.get("Retry-After")
                seen.append(Seen(started, time.monotonic(), answer.status_code, value, retry))
            turn += 1
            time.sleep(0.3)

    released = cluster.env
    reader = threading.Thread(target=read)
    reader.start()
    try:
        time.sleep(1)
        migrating = time.monotonic()
        cluster.env = {**released, "ASSESSMENT_TERM_DAYS": '{"wmo": 10}'}
        cluster.operator("migrate")  # the new release's migrate job, the old replicas up
        migrated = time.monotonic()
        old_replica = httpx.get(
            cluster.replica(0) + path,
            params=YEAR,
            headers={**auth(cluster.token), "If-None-Match": first.headers["ETag"]},
        )
        assert old_replica.status_code == 503 and old_replica.headers["Retry-After"]
        # nor does it fold events with its old code into the new projection
        late = full_trajectory(f"U-{uuid.uuid4().hex[:8]}")
        refused = httpx.post(
            cluster.replica(1) + "/api/v1/events/batch", json=late, headers=auth(cluster.token)
        )
        assert refused.status_code == 503 and refused.headers["Retry-After"]
        assert stored(cluster, [event["eventId"] for event in late]) == 0
        for number in range(3):  # the rollout
            cluster.stop(number)
            cluster.start(number)
        time.sleep(1)
    finally:
        done.set()
        reader.join(timeout=60)
    retried = httpx.post(
        f"{cluster.proxy}/api/v1/events/batch", json=late, headers=auth(cluster.token)
    )
    assert retried.status_code == 200 and retried.json()["created"] == len(late)
    for number in range(3):
        now = httpx.get(
            cluster.replica(number) + path,
            params=YEAR,
            headers={**auth(cluster.token), "If-None-Match": first.headers["ETag"]},
        )
        assert now.status_code == 200 and now.json()["groups"][0]["value"] == 0.0
    before = {s.value for s in seen if s.finished < migrating}
    after = [s for s in seen if s.started > migrated]
    print(f"upgrade: {len(seen)} reads, statuses {sorted({str(s.status) for s in seen})}")
    assert before == {old_value}
    assert {s.value for s in after if s.status == 200} == {0.0}
    assert after[-1].status == 200
    # no answer was anything but a figure or "not now" (the service's 503 says when to retry)
    assert {s.status for s in seen} <= {200, 502, 503}, [s.status for s in seen]
    assert all(s.retry_after for s in seen if s.status == 503)
    cluster.env = released  # back to the suite's release, for whatever runs after
    cluster.operator("migrate")
    for number in range(3):
        cluster.stop(number)
        cluster.start(number)
