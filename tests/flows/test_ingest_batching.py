"""The ingest-batching flow through a real Prefect API: inbox → history exactly once, alerts."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from prefect.client.orchestration import get_client
from sqlalchemy import func, select, text, update

from flows.ingest_batching import ingest_batching
from resync.db.engine import get_engine, session_scope
from resync.db.models import Alert, IngestBatch, MetricsInbox, Workstation, WorkstationMetrics
from tasks.ingest import claim_inbox_batch
from tests.support.payloads import minutes_ago, payload
from tests.support.webhook import notification_webhook

SINGLE = "/api/v1/metrics/workstation"
BATCH = "/api/v1/metrics/workstation/batch"

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture
def post(client: TestClient, make_key):
    _, key = make_key(["metrics:write", "metrics:read"])
    headers = {"X-API-Key": key}

    def send(items):
        response = client.post(BATCH, json=items, headers=headers)
        assert response.status_code == 202, response.text
        return response.json()

    send.headers = headers
    return send


def history_count() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(WorkstationMetrics))


def open_alerts() -> set[tuple[str, str]]:
    with session_scope() as session:
        rows = session.scalars(select(Alert).where(Alert.resolved_at.is_(None)))
        return {(alert.workstation, alert.rule) for alert in rows}


def test_every_pending_row_moves_once_in_several_batches(post, client) -> None:
    items = [payload(f"FTA{n}", minutes_ago(5 * i)) for n in range(3) for i in range(1, 41)]
    items[0]["host"] = {"cpu_count": 8, "memory_total_mb": 16384}
    items[0]["tws"] = {"stdlist_mb": 100.0, "message_files": {"Mailbox.msg": 2.5}}
    post(items)

    summary = ingest_batching(batch_size=50)

    assert summary["claimed"] == 120
    assert summary["loaded"] == 120
    assert summary["batches"] == 3
    assert history_count() == 120
    assert ingest_batching()["claimed"] == 0
    assert history_count() == 120
    with session_scope() as session:
        fta0 = session.get(Workstation, "FTA0")
        assert fta0.host == {"cpu_count": 8, "memory_total_mb": 16384}
        assert fta0.tws["message_files"] == {"Mailbox.msg": 2.5}
        assert fta0.last_sample_at == datetime.fromisoformat(items[0]["timestamp"])
        newest = session.get(WorkstationMetrics, ("FTA0", fta0.last_sample_at))
        assert newest.stdlist_mb == 100.0
    history = client.get("/api/v1/metrics/workstation/fta0", headers=post.headers).json()
    assert history["count"] == 40
    assert history["data"][0]["timestamp"] == items[0]["timestamp"]
    assert history["data"][0]["cpu_percent"] == 45.2


def test_max_batches_leaves_the_rest_for_the_next_run(post) -> None:
    post([payload("FTA1", minutes_ago(5 * i)) for i in range(1, 31)])
    assert ingest_batching(batch_size=10, max_batches=2)["loaded"] == 20
    assert ingest_batching(batch_size=10, max_batches=2)["loaded"] == 10


def test_row_failing_the_history_schema_is_set_aside(post) -> None:
    post([payload("FTA1", minutes_ago(5 * i)) for i in range(1, 4)])
    with get_engine().begin() as connection:
        # Only a database edit can get past the API's validation; the schema still stops it.
        connection.execute(update(MetricsInbox).where(MetricsInbox.id == 2).values(cpu_percent=250))

    summary = ingest_batching()

    assert summary["rejected"] == 1
    assert summary["loaded"] == 2
    with session_scope() as session:
        assert session.get(MetricsInbox, 2).error == "cpu_percent: in_range(0, 100)"


def test_sample_already_in_history_is_not_stored_twice(post) -> None:
    items = [payload("FTA1", minutes_ago(5 * i)) for i in range(1, 4)]
    post(items)
    ingest_batching()
    with get_engine().begin() as connection:
        # Replay the same inbox rows as a new batch: every sample is already in history.
        connection.execute(text("DELETE FROM ingest_batches"))
    summary = ingest_batching()
    assert summary["loaded"] == 0
    assert summary["duplicates"] == 3
    assert history_count() == 3


def test_abandoned_claim_is_taken_over(post) -> None:
    post([payload("FTA1", minutes_ago(5 * i)) for i in range(1, 6)])
    claimed = claim_inbox_batch.fn(100)
    with get_engine().begin() as connection:
        connection.execute(
            update(IngestBatch)
            .where(IngestBatch.id == claimed["batch_id"])
            .values(claimed_at=datetime.now(UTC) - timedelta(hours=1))
        )
    summary = ingest_batching()
    assert summary["loaded"] == 5
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(IngestBatch)) == 1


def test_concurrent_claims_never_overlap(post, database_url) -> None:
    post([payload(f"FTA{n}", minutes_ago(5 * i)) for n in range(10) for i in range(1, 101)])
    claims: list[dict] = []

    def claim_all() -> None:
        while (claimed := claim_inbox_batch.fn(37)) is not None:
            claims.append(claimed)

    workers = [threading.Thread(target=claim_all) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    covered = [i for c in claims for i in range(c["first_inbox_id"], c["last_inbox_id"] + 1)]
    assert len(covered) == len(set(covered))
    with session_scope() as session:
        stored = set(session.scalars(select(MetricsInbox.id)))
    assert len(stored) == 1000
    assert stored <= set(covered)


def test_alerts_open_and_resolve(post) -> None:
    hot = [payload("HOT", minutes_ago(5 * i), cpu_percent=97.0) for i in range(1, 4)]
    unreachable = [payload("LINK", minutes_ago(5 * i), tcp_connectivity=0) for i in range(1, 3)]
    healthy = [payload("CALM", minutes_ago(5 * i)) for i in range(1, 4)]
    silent = [payload("GONE", minutes_ago(60 + 5 * i)) for i in range(1, 4)]
    post(hot + unreachable + healthy + silent)

    summary = ingest_batching()

    assert open_alerts() == {
        ("HOT", "cpu_saturation"),
        ("LINK", "master_unreachable"),
        ("GONE", "silent"),
    }
    assert summary["opened"] == 3
    assert ingest_batching()["opened"] == 0  # still firing: no second alert

    post([payload("HOT", minutes_ago(0.5), cpu_percent=40.0), payload("GONE", minutes_ago(0.5))])
    summary = ingest_batching()
    assert open_alerts() == {("LINK", "master_unreachable")}
    assert summary["resolved"] == 2


def test_run_publishes_artifacts(post) -> None:
    post([payload("HOT", minutes_ago(5 * i), disk_percent=95.0) for i in range(1, 4)])
    ingest_batching()
    with get_client(sync_client=True) as prefect:
        artifacts = {a.key: a for a in prefect.read_latest_artifacts()}
    assert "| 1 | 3 | 0 | 3 | 0 | 1 | 0 | 1 | 0 |" in artifacts["ingest-batching-summary"].data
    table = json.loads(artifacts["open-alerts"].data)
    assert [(row["workstation"], row["rule"]) for row in table] == [("HOT", "disk_saturation")]


def test_new_alerts_go_through_the_configured_notification_block(post, monkeypatch) -> None:
    with notification_webhook(monkeypatch, "resync-test-alerts") as received:
        post([payload("HOT", minutes_ago(5 * i), memory_percent=99.0) for i in range(1, 4)])
        assert ingest_batching()["notified"] == 1
        assert ingest_batching()["notified"] == 0  # an open alert is sent once
    assert received == [
        {
            "subject": "Resync: 1 new FTA alert(s)",
            "text": "[CRITICAL] HOT memory_saturation: "
            "memory above 95 % for 3 samples (now 99.0 %)",
        }
    ]
    with session_scope() as session:
        assert session.scalars(select(Alert)).one().notified_at is not None


def test_inbox_rows_of_batches_past_the_retention_are_pruned(post) -> None:
    post([payload("OLD", minutes_ago(5 * i)) for i in range(1, 4)])
    assert ingest_batching()["pruned"] == 0
    with get_engine().begin() as connection:
        connection.execute(
            update(IngestBatch).values(loaded_at=datetime.now(UTC) - timedelta(days=401))
        )
    post([payload("NEW", minutes_ago(5 * i)) for i in range(1, 3)])

    summary = ingest_batching()

    assert summary["loaded"] == 2
    assert summary["pruned"] == 3
    with session_scope() as session:
        assert session.scalars(select(MetricsInbox.workstation)).all() == ["NEW", "NEW"]
        assert session.scalar(select(func.count()).select_from(WorkstationMetrics)) == 5
        statuses = session.scalars(select(IngestBatch.status).order_by(IngestBatch.id)).all()
    assert statuses == ["pruned", "loaded"]
