"""Rate limiting per client and the request size limit."""

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.api.test_events_api import assert_problem


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
