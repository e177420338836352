"""Rate limiting per client and the request size limit."""

import os
from collections.abc import Iterator

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.helpers import assert_problem

PERIOD = {"from": "2026-01-01", "to": "2026-12-31"}


def test_a_client_over_its_rate_gets_429_with_retry_after(
    settings: Settings, tokens: dict[str, str]
) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 3})
    with TestClient(create_app(limited)) as client:
        own = {"Authorization": f"Bearer {tokens['kpi:read']}"}
        for _ in range(3):
            assert client.get("/api/v1/kpis", headers=own).status_code == 200
        response = client.get("/api/v1/kpis", headers=own)
        problem = assert_problem(response, 429)
        assert problem["type"].endswith("/rate-limited")
        assert 0 < int(response.headers["Retry-After"]) <= 61
        # another client has its own budget
        other = {"Authorization": f"Bearer {tokens['all']}"}
        assert client.get("/api/v1/kpis", headers=other).status_code == 200


def test_every_answer_tells_the_budget_left_as_the_ietf_ratelimit_fields(
    settings: Settings, tokens: dict[str, str]
) -> None:
    """RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers) on answers to a
    client, whatever the status, and on a 401 the address's budget of failed sign-ins."""
    limited = settings.model_copy(update={"rate_limit_per_minute": 3, "failed_auth_per_minute": 4})
    with TestClient(create_app(limited)) as client:
        own = {"Authorization": f"Bearer {tokens['kpi:read']}"}
        answers = [
            client.get("/api/v1/kpis", headers=own),
            client.get("/api/v1/kpis/no_such_kpi", params=PERIOD, headers=own),  # a 404
            client.get("/api/v1/kpis", headers=own),
            client.get("/api/v1/kpis", headers=own),  # the 429
        ]
        assert [a.status_code for a in answers] == [200, 404, 200, 429]
        assert {a.headers["RateLimit-Policy"] for a in answers} == {'"per-client";q=3;w=60'}
        left = [a.headers["RateLimit"] for a in answers]
        assert [field.split(";")[1] for field in left] == ["r=2", "r=1", "r=0", "r=0"]
        assert all(0 <= int(field.split(";t=")[1]) <= 60 for field in left)
        refused = client.get("/api/v1/kpis", headers={"Authorization": "Bearer wk_bogus"})
        assert refused.status_code == 401
        assert refused.headers["RateLimit-Policy"] == '"failed-authentication";q=4;w=60'
        assert refused.headers["RateLimit"].startswith('"failed-authentication";r=3;')
        # a browser on another origin may read them
        cors = client.get("/api/v1/kpis", headers={**own, "Origin": "https://bi.example.nl"})
        assert "ratelimit" in cors.headers["Access-Control-Expose-Headers"].lower()


def test_the_budget_belongs_to_the_client_not_to_how_its_header_is_spelled(
    settings: Settings, tokens: dict[str, str]
) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 3})
    with TestClient(create_app(limited)) as client:
        token = tokens["kpi:read"]
        spellings = [f"Bearer {token}", f"bEARER {token}", f"bearer  {token} ", f"Bearer {token}"]
        answers = [
            client.get("/api/v1/kpis", headers={"Authorization": s}).status_code for s in spellings
        ]
        assert answers == [200, 200, 200, 429]


def test_failed_authentication_has_its_own_stricter_budget_per_address(
    settings: Settings, tokens: dict[str, str]
) -> None:
    limited = settings.model_copy(update={"failed_auth_per_minute": 5})
    with TestClient(create_app(limited)) as client:
        bogus = [
            client.get("/api/v1/kpis", headers={"Authorization": f"Bearer wk_bogus{i}"})
            for i in range(6)
        ]
        assert [r.status_code for r in bogus] == [401] * 5 + [429]
        assert int(bogus[-1].headers["Retry-After"]) > 0
        # a valid client from the same address is not refused for another's failures
        valid = {"Authorization": f"Bearer {tokens['kpi:read']}"}
        assert client.get("/api/v1/kpis", headers=valid).status_code == 200
        # the probes and the OpenAPI document are never limited
        for _ in range(10):
            assert client.get("/api/v1/health/live").status_code == 200
            assert client.get("/api/v1/openapi.json").status_code == 200


def test_clients_share_one_budget_across_processes_through_redis(
    settings: Settings, tokens: dict[str, str]
) -> None:
    # Client ids are fresh UUIDs per test session: keys of earlier runs cannot interfere.
    storage_uri = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
    limited = settings.model_copy(
        update={"rate_limit_per_minute": 4, "rate_limit_storage": storage_uri}
    )
    own = {"Authorization": f"Bearer {tokens['kpi:read']}"}
    with TestClient(create_app(limited)) as first, TestClient(create_app(limited)) as second:
        answers = [
            (first if i % 2 else second).get("/api/v1/kpis", headers=own).status_code
            for i in range(5)
        ]
    assert answers == [200, 200, 200, 200, 429]


def test_every_route_limits_its_body_before_authentication(
    settings: Settings, tokens: dict[str, str]
) -> None:
    small = settings.model_copy(update={"max_body_bytes_single": 2048, "max_body_bytes": 4096})
    with TestClient(create_app(small)) as client:
        big = b"[" + b"1," * 2000 + b"1]"  # 4,003 bytes
        for path in ("/api/v1/events", "/api/v1/clients", "/api/v1/kpis/efficiency/target"):
            method = "PUT" if path.endswith("target") else "POST"
            # no token at all: still 413, the body is judged by its declared size first
            response = client.request(method, path, content=big)
            assert_problem(response, 413)
        # the batch route has the larger limit: this body is read (and refused for its items,
        # which are not events, not for its size)
        auth = {"Authorization": f"Bearer {tokens['all']}", "Content-Type": "application/json"}
        batch = client.post("/api/v1/events/batch", content=big, headers=auth)
        assert batch.status_code == 400
        assert batch.json()["invalidParams"][0]["code"] == "type"

        # a body streamed without Content-Length is cut off once it passes the limit
        def chunks() -> Iterator[bytes]:
            for _ in range(10):
                yield b" " * 1024

        streamed = client.post("/api/v1/events", content=chunks(), headers=auth)
        assert_problem(streamed, 413)


def test_without_a_valid_token_the_body_is_never_read(settings: Settings) -> None:
    read = []

    def chunks() -> Iterator[bytes]:
        read.append(True)
        yield b"{}"

    with TestClient(create_app(settings)) as client:
        response = client.post("/api/v1/events", content=chunks())
        assert_problem(response, 401)
        # a malformed query or body never decides before authentication
        bad = client.get("/api/v1/kpis/efficiency", params={"municipality": "x", "from": "nope"})
        assert_problem(bad, 401)
    assert read == []
