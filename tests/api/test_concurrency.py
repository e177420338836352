"""Concurrent posts of one eventId: the insert race never decides the answer."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from tests.factories import new_id, opened

EVENTS = "/api/v1/events"


def test_concurrent_posts_of_one_event_id_with_two_bodies(client: TestClient) -> None:
    threads = 8
    for round_ in range(6):
        event_id = new_id()
        bodies = [
            {**opened("2026-03-02T09:00:00+01:00", trajectory=f"R-{round_}"), "eventId": event_id},
            {**opened("2026-03-03T09:00:00+01:00", trajectory=f"R-{round_}"), "eventId": event_id},
        ]
        start = threading.Barrier(threads)

        def post(
            i: int, bodies: list[dict[str, object]] = bodies, start: threading.Barrier = start
        ) -> tuple[int, int]:
            start.wait()
            return i % 2, client.post(EVENTS, json=bodies[i % 2]).status_code

        with ThreadPoolExecutor(threads) as pool:
            answers = list(pool.map(post, range(threads)))
        created = [body for body, code in answers if code == 201]
        assert len(created) == 1, answers
        winner = created[0]
        rest = Counter((body == winner, code) for body, code in answers if code != 201)
        # the winner's body again: duplicate; the other body: conflict, never duplicate
        assert rest == Counter({(True, 200): threads // 2 - 1, (False, 409): threads // 2}), answers
