"""Two API processes on one PostgreSQL, as several uvicorn workers or hosts behind a load balancer
run: a revoked key stops on both within the key cache's TTL, key usage adds up across them, a
sample re-sent to both at once is stored once, and `/metrics` on either adds up both processes'
counters (one PROMETHEUS_MULTIPROC_DIR). Both processes start once for the module."""

import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from resync.db.engine import get_engine, session_scope
from resync.db.models import ApiKey, ApiKeyEvent, ApiKeyHourlyUsage, MetricsInbox
from resync.keys.usage import FIRST_USE
from resync.settings import get_settings
from tests.support.live_api import LiveApi
from tests.support.payloads import minutes_ago, payload
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.e2e

SINGLE = "/api/v1/metrics/workstation"
KEY_CACHE_TTL_SECONDS = 2.0
# Room for a loaded machine between the TTL running out and the refused request's answer.
REVOCATION_MARGIN_SECONDS = 1.5


@pytest.fixture(scope="module")
def apis(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveApi, LiveApi]]:
    url = postgres_server.create_database("api_processes", template="resync_template")
    previous = os.environ.get("RESYNC_DATABASE_URL")
    os.environ["RESYNC_DATABASE_URL"] = url
    get_engine.cache_clear()
    get_settings.cache_clear()
    shared = {
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path_factory.mktemp("prometheus")),
        "RESYNC_KEY_CACHE_TTL_SECONDS": str(KEY_CACHE_TTL_SECONDS),
    }
    first = LiveApi(url, shared)
    second = LiveApi(url, {**shared, "RESYNC_LOG_FORMAT": "json"})
    first.start()
    second.start()
    yield first, second
    first.stop()
    second.stop()
    get_engine().dispose()
    if previous is None:
        os.environ.pop("RESYNC_DATABASE_URL", None)
    else:
        os.environ["RESYNC_DATABASE_URL"] = previous
    get_engine.cache_clear()
    get_settings.cache_clear()


def post(api: LiveApi, key: str, body: dict) -> httpx.Response:
    return httpx.post(f"{api.url}{SINGLE}", json=body, headers={"X-API-Key": key}, timeout=30)


def test_a_revoked_key_stops_on_every_process_within_the_ttl(apis: tuple[LiveApi, LiveApi]) -> None:
    key_id, key = apis[0].create_key(["metrics:write"])
    for number, api in enumerate(apis):
        assert post(api, key, payload(f"WS-REVOKE-{number}")).status_code == 202
    apis[0].revoke_key(key_id)
    revoked_at = time.monotonic()
    refused_after = {}
    while len(refused_after) < len(apis):
        elapsed = time.monotonic() - revoked_at
        assert elapsed < KEY_CACHE_TTL_SECONDS + REVOCATION_MARGIN_SECONDS, refused_after
        for number, api in enumerate(apis):
            if number not in refused_after:
                answer = post(api, key, payload(f"WS-REVOKE-{number}", minutes_ago(5)))
                if answer.status_code == 401:
                    assert answer.json() == {"detail": "Invalid API key: the key has been revoked"}
                    refused_after[number] = time.monotonic() - revoked_at
                else:
                    assert answer.status_code in (200, 202)  # a re-send while still cached
        time.sleep(0.05)


def test_key_usage_adds_up_across_processes(apis: tuple[LiveApi, LiveApi]) -> None:
    key_id, key = apis[0].create_key(["metrics:write"])
    sent = {0: 7, 1: 5}
    for number, count in sent.items():
        for sample in range(count):
            body = payload(f"WS-USAGE-{number}", minutes_ago(5 * sample))
            assert post(apis[number], key, body).status_code == 202
    record_id = uuid.UUID(key_id)

    def usage() -> tuple[int, int, int]:
        with session_scope() as session:
            count = session.get(ApiKey, record_id).usage_count
            hourly = session.scalar(
                select(func.sum(ApiKeyHourlyUsage.uses)).where(
                    ApiKeyHourlyUsage.key_id == record_id
                )
            )
            first_uses = session.scalar(
                select(func.count()).where(
                    ApiKeyEvent.key_id == record_id, ApiKeyEvent.event == FIRST_USE
                )
            )
        return count, hourly or 0, first_uses

    deadline = time.monotonic() + 30
    while usage()[0] < sum(sent.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # several more flushes of both processes: nothing more may be counted
    # Both processes saw the key first from 127.0.0.1: one first-use event in the audit trail.
    assert usage() == (12, 12, 1)


def test_a_sample_sent_to_both_processes_at_once_is_stored_once(
    apis: tuple[LiveApi, LiveApi],
) -> None:
    _, key = apis[0].create_key(["metrics:write"])
    samples = [payload("WS-RESEND-01", minutes_ago(5 * number)) for number in range(20)]
    answers: dict[int, list[httpx.Response]] = {number: [] for number in range(len(samples))}

    def send(api: LiveApi, barrier: threading.Barrier) -> None:
        with httpx.Client(base_url=api.url, headers={"X-API-Key": key}, timeout=30) as client:
            for number, body in enumerate(samples):
                barrier.wait()
                answers[number].append(client.post(SINGLE, json=body))

    barrier = threading.Barrier(2)
    senders = [threading.Thread(target=send, args=(api, barrier)) for api in apis]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=120)

    for number, pair in answers.items():
        assert sorted(answer.status_code for answer in pair) == [200, 202], number
        assert pair[0].json()["id"] == pair[1].json()["id"]
        assert sorted(answer.json()["duplicate"] for answer in pair) == [False, True]
    with session_scope() as session:
        stored = session.scalar(
            select(func.count()).where(MetricsInbox.workstation == "WS-RESEND-01")
        )
    assert stored == len(samples)


def scrape(api: LiveApi, key: str) -> dict[tuple[str, tuple], float]:
    response = httpx.get(f"{api.url}/metrics", headers={"X-API-Key": key}, timeout=30)
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.name.startswith(("resync_ingest_", "resync_key_cache_"))
    }


def test_metrics_on_either_process_add_up_both_processes(apis: tuple[LiveApi, LiveApi]) -> None:
    _, reader = apis[0].create_key(["metrics:read"])
    _, writer = apis[0].create_key(["metrics:write"])
    accepted = ("resync_ingest_requests_total", (("route", "single"), ("status", "202")))
    timed = ("resync_ingest_request_duration_seconds_count", (("route", "single"),))
    before = scrape(apis[0], reader)
    for number, api in enumerate(apis):
        for sample in range(3 + number):
            body = payload(f"WS-METRICS-{number}", minutes_ago(5 * sample))
            assert post(api, writer, body).status_code == 202
    from_first, from_second = scrape(apis[0], reader), scrape(apis[1], reader)

    assert from_first[accepted] - before.get(accepted, 0) == 7
    assert from_first[timed] - before.get(timed, 0) == 7
    # The second scrape counted one more key lookup (its own) than the first had seen.
    lookups = [
        sum(v for (name, _), v in samples.items() if name == "resync_key_cache_lookups_total")
        for samples in (from_first, from_second)
    ]
    assert lookups[1] == lookups[0] + 1
    assert {k: v for k, v in from_first.items() if "lookups" not in k[0]} == {
        k: v for k, v in from_second.items() if "lookups" not in k[0]
    }


def test_the_second_process_logs_json(apis: tuple[LiveApi, LiveApi]) -> None:
    lines = Path(apis[1].log_path).read_text().splitlines()
    started = [json.loads(line) for line in lines if '"Resync API started on' in line]
    assert started, lines[:20]
    assert started[0]["logger"] == "api.main" and started[0]["level"] == "INFO"
    assert started[0]["message"].startswith("Resync API started on postgresql+psycopg://")
