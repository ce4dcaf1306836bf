"""Read endpoints, probes, offline docs and settings safety."""

import re

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.main import create_app
from flows.ingest_batching import ingest_batching
from resync.settings import Settings
from tests.support.payloads import iso, minutes_ago, payload

BATCH = "/api/v1/metrics/workstation/batch"


def test_probes(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_readiness_fails_when_the_database_is_unreachable(tmp_path) -> None:
    settings = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    with TestClient(create_app(settings)) as offline:
        response = offline.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"detail": "database unreachable: OperationalError"}


def test_docs_work_offline(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets, page
        for asset in assets:
            assert asset.startswith("/"), f"{page} loads {asset} from outside"
            assert client.get(asset).status_code == 200, asset
    assert client.get("/openapi.json").json()["info"]["title"] == "Resync API"


@pytest.mark.usefixtures("prefect_api")
def test_workstations_list_status_last_sample_and_alerts(client: TestClient, make_key) -> None:
    _, key = make_key(["metrics:write", "metrics:read"])
    headers = {"X-API-Key": key}
    samples = [payload("OK1", minutes_ago(5 * i)) for i in range(1, 4)]
    samples += [payload("FULL", minutes_ago(5 * i), disk_percent=93.0) for i in range(1, 4)]
    samples += [payload("QUIET", minutes_ago(60 + 5 * i)) for i in range(1, 4)]
    samples[0]["host"] = {"cpu_count": 4}
    assert client.post(BATCH, json=samples, headers=headers).status_code == 202
    ingest_batching()

    answer = client.get("/api/v1/workstations", headers=headers).json()

    assert answer["count"] == 3
    by_name = {item["name"]: item for item in answer["data"]}
    assert by_name["OK1"]["status"] == "ok"
    assert by_name["OK1"]["host"] == {"cpu_count": 4}
    assert by_name["OK1"]["last_sample"]["timestamp"] == samples[0]["timestamp"]
    assert by_name["FULL"]["status"] == "critical"
    assert [a["rule"] for a in by_name["FULL"]["open_alerts"]] == ["disk_saturation"]
    assert (
        by_name["FULL"]["open_alerts"][0]["message"] == "disk above 90 % for 3 samples (now 93.0 %)"
    )
    assert by_name["QUIET"]["status"] == "silent"


def test_history_filters_and_validation(client: TestClient, make_key) -> None:
    _, key = make_key(["metrics:read"])
    headers = {"X-API-Key": key}
    url = "/api/v1/metrics/workstation/WS1"
    assert client.get(url, headers=headers).json() == {"data": [], "count": 0}
    bad_name = client.get("/api/v1/metrics/workstation/9bad", headers=headers)
    assert bad_name.status_code == 422
    reversed_range = client.get(
        url, params={"since": iso(minutes_ago(1)), "until": iso(minutes_ago(10))}, headers=headers
    )
    assert reversed_range.status_code == 422
    assert reversed_range.json()["detail"] == "'since' must not be later than 'until'"
    assert client.get(url, params={"limit": 0}, headers=headers).status_code == 422


def test_placeholder_secrets_are_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment="production", anthropic_api_key="changeme")
    assert Settings(environment="development", anthropic_api_key="changeme")
    assert Settings(environment="production", anthropic_api_key="sk-ant-real-looking-value")
