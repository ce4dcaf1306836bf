"""`/metrics`: Resync's health in Prometheus's format, behind a metrics:read key; the ingest
requests by route and status with their latency, key-cache hits, the inbox backlog and the
flows' lag read from a real Prefect server."""

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from prefect import flow
from prefect.settings import PREFECT_API_URL
from prometheus_client.parser import text_string_to_metric_families

from resync.db.engine import get_engine
from resync.ingest.store import claim_batch
from tests.support.clock import AdvancingClock
from tests.support.payloads import minutes_ago, payload
from tests.support.postgres import free_port

SINGLE = "/api/v1/metrics/workstation"
BATCH = "/api/v1/metrics/workstation/batch"
RULES = Path(__file__).resolve().parents[2] / "resync" / "alerts" / "prometheus.yml"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient, key: str) -> Samples:
    response = client.get("/metrics", headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def reader(make_key: Callable) -> str:
    return make_key(["metrics:read"])[1]


def test_metrics_need_a_metrics_read_key(client: TestClient, make_key: Callable) -> None:
    _, writer = make_key(["metrics:write"])
    assert client.get("/metrics").json() == {
        "detail": "Missing API key: send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
    }
    refused = client.get("/metrics", headers={"X-API-Key": writer})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "API key lacks the 'metrics:read' scope"}


def test_ingest_answers_are_counted_by_route_and_status_and_timed(
    client: TestClient, make_key: Callable, reader: str, clock: AdvancingClock
) -> None:
    # No cached key may expire between the requests: the hits and misses are counted exactly.
    clock.stop()
    _, writer = make_key(["metrics:write"])
    headers = {"X-API-Key": writer}
    before = scrape(client, reader)
    sample = payload("WS-COUNT-01")
    assert client.post(SINGLE, json=sample, headers=headers).status_code == 202
    assert client.post(SINGLE, json=sample, headers=headers).status_code == 200
    invalid = {"workstation": "WS-COUNT-01"}
    assert client.post(SINGLE, json=invalid, headers=headers).status_code == 422
    assert client.post(SINGLE, json=sample).status_code == 401
    batch = [payload("WS-COUNT-02", minutes_ago(5 * i)) for i in range(3)]
    assert client.post(BATCH, json=batch, headers=headers).status_code == 202
    after = scrape(client, reader)

    def counted(route: str, status: str) -> float:
        name = "resync_ingest_requests_total"
        return value(after, name, route=route, status=status) - value(
            before, name, route=route, status=status
        )

    assert [counted("single", s) for s in ("202", "200", "422", "401")] == [1, 1, 1, 1]
    assert counted("batch", "202") == 1
    duration = "resync_ingest_request_duration_seconds_count"
    assert value(after, duration, route="single") - value(before, duration, route="single") == 4
    assert value(after, duration, route="batch") - value(before, duration, route="batch") == 1
    # Five keyed requests and the second scrape: the first use of each key went to the database.
    hits = value(after, "resync_key_cache_lookups_total", result="hit")
    misses = value(after, "resync_key_cache_lookups_total", result="miss")
    assert hits - value(before, "resync_key_cache_lookups_total", result="hit") == 4
    assert misses - value(before, "resync_key_cache_lookups_total", result="miss") == 1
    assert after[("resync_inbox_unclaimed_samples", ())] == 4
    assert 0 < after[("resync_inbox_oldest_unclaimed_age_seconds", ())] < 60


def test_a_claimed_inbox_shows_no_backlog(client: TestClient, reader: str, make_key) -> None:
    _, writer = make_key(["metrics:write"])
    client.post(SINGLE, json=payload("WS-CLAIM-01"), headers={"X-API-Key": writer})
    assert scrape(client, reader)[("resync_inbox_unclaimed_samples", ())] == 1
    with get_engine().begin() as connection:
        assert claim_batch(connection, 100, timedelta(minutes=5), "test-run") is not None
    samples = scrape(client, reader)
    assert samples[("resync_inbox_unclaimed_samples", ())] == 0
    assert samples[("resync_inbox_oldest_unclaimed_age_seconds", ())] == 0
    assert samples[("resync_database_up", ())] == 1


def exposed_names(text: str) -> set[str]:
    return {
        sample.name for family in text_string_to_metric_families(text) for sample in family.samples
    }


@flow(name="metrics-lag-probe")
def lag_probe() -> int:
    return 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_each_flow_shows_the_time_since_its_last_completed_run(
    prefect_api: None,
    client: TestClient,
    reader: str,
    make_key: Callable,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lag_probe()
    _, writer = make_key(["metrics:write"])
    client.post(SINGLE, json=payload("WS-LAG-01"), headers={"X-API-Key": writer})
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    samples = scrape(client, reader)
    # Every metric the shipped alerting rules read is among them.
    rules = yaml.safe_load(RULES.read_text())["groups"][0]["rules"]
    wanted = set(re.findall(r"\bresync_[a-z_]+", " ".join(rule["expr"] for rule in rules)))
    assert len(wanted) == 6
    assert wanted - {name for name, _ in samples} == set()
    assert samples[("resync_prefect_up", ())] == 1
    lag = samples[("resync_flow_last_completed_age_seconds", (("flow", "metrics-lag-probe"),))]
    assert 0 <= lag < 30

    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{free_port()}/api")
    samples = scrape(client, reader)
    assert samples[("resync_prefect_up", ())] == 0
    assert not [name for name, _ in samples if name.startswith("resync_flow_")]
    assert samples[("resync_inbox_unclaimed_samples", ())] == 1
