"""Metrics ingest: acceptance, idempotency, the batch endpoint and every validation rule."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resync.db.engine import session_scope
from resync.db.models import MetricsInbox
from tests.support.payloads import iso, minutes_ago, payload

SINGLE = "/api/v1/metrics/workstation"
BATCH = "/api/v1/metrics/workstation/batch"


@pytest.fixture
def writer_key(make_key) -> dict[str, str]:
    _, key = make_key(["metrics:write", "metrics:read"])
    return {"Authorization": f"Bearer {key}"}


def inbox_count() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(MetricsInbox))


def test_single_payload_is_accepted_and_stored_raw(client: TestClient, writer_key) -> None:
    body = payload("ws-prod-01", latency_method_unknown=3)
    body["host"] = {
        "cpu_count": 8,
        "memory_total_mb": 32768,
        "disk_total_gb": 500,
        "os_type": "Linux",
        "os_version": "6.1",
        "agent_version": "1.0.0",
    }
    body["tws"] = {"stdlist_mb": 812.5, "message_files": {"Mailbox.msg": 3.2}}
    body["latency_method"] = "icmp"
    body["future_field"] = {"nested": [1, 2]}

    response = client.post(SINGLE, json=body, headers=writer_key)

    assert response.status_code == 202
    answer = response.json()
    assert answer["workstation"] == "WS-PROD-01"
    assert answer["duplicate"] is False
    assert answer["ignored"] == ["future_field", "metrics.latency_method_unknown"]
    with session_scope() as session:
        row = session.get(MetricsInbox, answer["id"])
        assert row.workstation == "WS-PROD-01"
        assert row.cpu_percent == 45.2
        assert row.stdlist_mb == 812.5
        assert row.message_files == {"Mailbox.msg": 3.2}
        assert row.payload["future_field"] == {"nested": [1, 2]}
        assert row.payload["host"]["cpu_count"] == 8


def test_resend_is_acknowledged_and_not_stored_twice(client: TestClient, writer_key) -> None:
    body = payload()
    first = client.post(SINGLE, json=body, headers=writer_key)
    second = client.post(SINGLE, json=body, headers=writer_key)

    assert first.status_code == 202
    assert second.status_code == 200
    assert second.json()["duplicate"] is True
    assert second.json()["id"] == first.json()["id"]
    assert inbox_count() == 1


def test_batch_is_stored_whole(client: TestClient, writer_key) -> None:
    items = [payload("FTA1", minutes_ago(5 * i)) for i in range(1, 101)]
    response = client.post(BATCH, json=items, headers=writer_key)

    assert response.status_code == 202
    assert response.json()["accepted"] == 100
    assert response.json()["duplicates"] == 0
    assert len(set(response.json()["ids"])) == 100
    assert inbox_count() == 100

    again = client.post(BATCH, json=items[:10], headers=writer_key)
    assert again.status_code == 202
    assert again.json()["duplicates"] == 10
    assert inbox_count() == 100


def test_a_sample_twice_in_one_batch_is_stored_once(client: TestClient, writer_key) -> None:
    items = [payload("FTA1", minutes_ago(5)), payload("FTA1", minutes_ago(10))]
    response = client.post(BATCH, json=[*items, items[0]], headers=writer_key)

    assert response.status_code == 202
    assert (response.json()["accepted"], response.json()["duplicates"]) == (2, 1)
    ids = response.json()["ids"]
    assert ids[0] == ids[2] != ids[1]
    assert inbox_count() == 2


def test_batch_with_one_bad_item_stores_nothing_and_names_it(client: TestClient, writer_key):
    items = [payload("FTA1", minutes_ago(5 * i)) for i in range(1, 6)]
    items[3]["metrics"]["disk_percent"] = 101

    response = client.post(BATCH, json=items, headers=writer_key)

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", 3, "metrics", "disk_percent"],
            "msg": "Input should be less than or equal to 100",
            "type": "less_than_equal",
        }
    ]
    assert inbox_count() == 0


def test_batch_limits(client: TestClient, writer_key) -> None:
    assert client.post(BATCH, json=[], headers=writer_key).status_code == 422
    too_many = [payload("FTA1", minutes_ago(1))] * 5001
    response = client.post(BATCH, json=too_many, headers=writer_key)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "too_long"


def metric_case(name, value):
    return lambda body: body["metrics"].__setitem__(name, value)


INVALID = {
    "cpu over 100": (metric_case("cpu_percent", 100.5), ["body", "metrics", "cpu_percent"]),
    "memory negative": (metric_case("memory_percent", -1), ["body", "metrics", "memory_percent"]),
    "rate negative": (metric_case("network_rx_kbs", -5), ["body", "metrics", "network_rx_kbs"]),
    "latency negative": (
        metric_case("latency_min_ms", -0.1),
        ["body", "metrics", "latency_min_ms"],
    ),
    "tcp 2": (metric_case("tcp_connectivity", 2), ["body", "metrics", "tcp_connectivity"]),
    "process count float": (
        metric_case("process_count", 2.5),
        ["body", "metrics", "process_count"],
    ),
    "metric missing": (lambda b: b["metrics"].pop("load_avg_5"), ["body", "metrics", "load_avg_5"]),
    "latency order": (metric_case("latency_min_ms", 50), ["body", "metrics"]),
    "null latency with loss < 100": (metric_case("latency_avg_ms", None), ["body", "metrics"]),
    "naive timestamp": (
        lambda b: b.__setitem__("timestamp", "2026-01-01T10:00:00"),
        ["body", "timestamp"],
    ),
    "epoch timestamp": (lambda b: b.__setitem__("timestamp", 1_790_000_000), ["body", "timestamp"]),
    "future timestamp": (
        lambda b: b.__setitem__("timestamp", iso(minutes_ago(-10))),
        ["body", "timestamp"],
    ),
    "ancient timestamp": (
        lambda b: b.__setitem__("timestamp", "2001-01-01T00:00:00Z"),
        ["body", "timestamp"],
    ),
    "workstation digit first": (
        lambda b: b.__setitem__("workstation", "1WS"),
        ["body", "workstation"],
    ),
    "workstation too long": (
        lambda b: b.__setitem__("workstation", "A" * 17),
        ["body", "workstation"],
    ),
    "workstation dot": (lambda b: b.__setitem__("workstation", "WS.PROD"), ["body", "workstation"]),
    "latency method": (
        lambda b: b.__setitem__("latency_method", "udp"),
        ["body", "latency_method"],
    ),
    "message file over 100": (
        lambda b: b.__setitem__("tws", {"message_files": {"Mailbox.msg": 120}}),
        ["body", "tws", "message_files", "Mailbox.msg"],
    ),
}


@pytest.mark.parametrize("case", INVALID.keys())
def test_invalid_payload_gets_422_naming_the_field(client: TestClient, writer_key, case) -> None:
    mutate, location = INVALID[case]
    body = payload()
    mutate(body)

    response = client.post(SINGLE, json=body, headers=writer_key)

    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [location]
    assert inbox_count() == 0


@pytest.mark.parametrize("case", INVALID.keys())
def test_invalid_item_in_a_batch_gets_422_naming_its_index_and_field(
    client: TestClient, writer_key, case
) -> None:
    mutate, location = INVALID[case]
    items = [payload("FTA1", minutes_ago(5 * i)) for i in range(1, 4)]
    mutate(items[1])
    single = client.post(SINGLE, json=items[1], headers=writer_key).json()["detail"]

    response = client.post(BATCH, json=items, headers=writer_key)

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {**item, "loc": ["body", 1, *item["loc"][1:]]} for item in single
    ]
    assert inbox_count() == 0


def test_a_batch_stores_what_single_posts_store(client: TestClient, writer_key) -> None:
    variants = [
        {"host": {"cpu_count": 8, "memory_total_mb": 32768, "os_type": None, "rack": "B2"}},
        {"tws": {"stdlist_mb": 0.1 + 0.2, "message_files": {"Mailbox.msg": 3}}},
        {"latency_method": "tcp", "future_field": {"nested": [1, None]}, "gone": None},
        {"tws": {"message_files": {}}, "latency_method": None},
    ]
    metrics = {"cpu_percent": 1e-7, "disk_io_read_kbs": 1250, "network_tx_kbs": 123456789.123}
    lost = {"latency_min_ms": None, "latency_avg_ms": None, "latency_max_ms": None}
    lost["packet_loss_percent"] = 100
    items = [
        {**payload("FTA1", minutes_ago(5 + i), **metrics, **(lost if i == 2 else {})), **extra}
        for i, extra in enumerate(variants)
    ]
    for item in items:
        single = {**item, "workstation": "single1"}
        assert client.post(SINGLE, json=single, headers=writer_key).status_code == 202

    response = client.post(BATCH, json=items, headers=writer_key)

    assert response.status_code == 202
    assert response.json()["ignored"] == [
        {"index": 0, "fields": ["host.rack"]},
        {"index": 2, "fields": ["future_field", "gone"]},
    ]
    with session_scope() as session:
        rows = session.scalars(select(MetricsInbox).order_by(MetricsInbox.id)).all()
    skipped = ("id", "received_at", "workstation", "payload")
    columns = [c.name for c in MetricsInbox.__table__.columns if c.name not in skipped]
    singles, batch = rows[: len(items)], rows[len(items) :]
    for alone, together in zip(singles, batch, strict=True):
        assert together.workstation == "FTA1"
        assert together.payload["workstation"] == "FTA1"
        assert together.payload == {**alone.payload, "workstation": "FTA1"}
        for column in columns:
            assert getattr(together, column) == getattr(alone, column), column


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(client: TestClient, writer_key, literal) -> None:
    text = json.dumps(payload()).replace('"cpu_percent": 45.2', f'"cpu_percent": {literal}')
    response = client.post(
        SINGLE, content=text, headers={**writer_key, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "metrics", "cpu_percent"]


def test_all_pings_lost_allows_null_latencies(client: TestClient, writer_key) -> None:
    body = payload(
        latency_min_ms=None,
        latency_avg_ms=None,
        latency_max_ms=None,
        packet_loss_percent=100,
        tcp_connectivity=0,
    )
    assert client.post(SINGLE, json=body, headers=writer_key).status_code == 202


def test_oversized_and_malformed_bodies(client: TestClient, writer_key) -> None:
    json_headers = {**writer_key, "Content-Type": "application/json"}
    big = client.post(SINGLE, content=b" " * (64 * 1024 + 1), headers=json_headers)
    assert big.status_code == 413
    assert big.json()["detail"] == (
        "Request body exceeds 65536 bytes; send fewer samples per request"
    )
    assert client.post(SINGLE, content=b"{not json", headers=json_headers).status_code == 422
    deep = client.post(BATCH, content=b"[" * 30000 + b"]" * 30000, headers=json_headers)
    assert deep.status_code in (400, 422)
    assert inbox_count() == 0
