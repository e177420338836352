"""The API's documentation: served by the service itself, and an OpenAPI document a client
generator turns into readable names."""

import inspect
import re

from fastapi.testclient import TestClient

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


def test_swagger_ui_and_redoc_load_only_assets_the_service_serves(app_client: TestClient) -> None:
    for page in ("/api/v1/docs", "/api/v1/redoc"):
        html = app_client.get(page, headers={"Authorization": ""})
        assert html.status_code == 200, page
        assets = ASSET.findall(html.text)
        assert assets, page
        for asset in assets:
            assert asset.startswith("/api/v1/"), (page, asset)  # served here, no CDN
            served = app_client.get(asset, headers={"Authorization": ""})
            assert served.status_code == 200, asset
            assert len(served.content) > 1000, asset
        assert "googleapis" not in html.text
        assert "cdn" not in html.text.lower()


def test_operation_ids_are_short_stable_and_unique(app_client: TestClient) -> None:
    document = app_client.get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(_[a-z]+){1,3}", operation_id), operation_id
        assert "api" not in operation_id.split("_"), operation_id
    assert "kpi_read" in ids
    assert "trajectory_list" in ids


def test_every_documented_example_is_valid_for_its_model() -> None:
    """An example in the document is what the model accepts: no stale keys, no wrong types."""
    from app.schemas import audit, clients, events, kpis, trajectories
    from app.schemas.base import ApiModel

    checked = []
    for module in (audit, clients, events, kpis, trajectories):
        for _, model in inspect.getmembers(module, inspect.isclass):
            if not issubclass(model, ApiModel):
                continue
            extra = model.model_config.get("json_schema_extra")
            examples = extra.get("examples") if isinstance(extra, dict) else None
            if not isinstance(examples, list):
                continue
            for example in examples:
                model.model_validate(example)
                checked.append(model.__name__)
    assert len(set(checked)) >= 8, checked
