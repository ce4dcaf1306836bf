"""The ingest flow's drain check: a run that leaves samples waiting past the limit says so through
the notification block once, and once more when the inbox drains again."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from prefect.variables import Variable
from sqlalchemy import update

from flows.ingest_batching import ingest_batching
from resync.alerts.inbox import inbox_not_draining
from resync.db.engine import get_engine
from resync.db.models import MetricsInbox
from tasks.alerts import INBOX_STALL_VARIABLE
from tests.support.payloads import minutes_ago, payload
from tests.support.webhook import notification_webhook

BATCH = "/api/v1/metrics/workstation/batch"
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
LIMIT = timedelta(minutes=15)


def test_the_rule_fires_only_on_a_sample_waiting_past_the_limit() -> None:
    assert inbox_not_draining(0, None, NOW, LIMIT) is None
    assert inbox_not_draining(5, NOW - LIMIT, NOW, LIMIT) is None
    assert inbox_not_draining(5, NOW - LIMIT - timedelta(seconds=1), NOW, LIMIT) == (
        "the inbox is not draining: 5 accepted sample(s) wait for ingest, the oldest for 15 "
        "minutes (limit 15); see the ingest-batching runs and the workers"
    )


@pytest.fixture
def notifications(prefect_api: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    """What the notification block sends, as a local webhook receives it."""
    with notification_webhook(monkeypatch, "resync-test-drain") as received:
        Variable.unset(INBOX_STALL_VARIABLE)
        yield received
        Variable.unset(INBOX_STALL_VARIABLE)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_run_leaving_old_samples_behind_notifies_once_then_once_when_drained(
    notifications: list[dict], client: TestClient, make_key
) -> None:
    _, key = make_key(["metrics:write"])
    samples = [payload("FTA-DRAIN", minutes_ago(5 * i)) for i in range(1, 4)]
    assert client.post(BATCH, json=samples, headers={"X-API-Key": key}).status_code == 202
    with get_engine().begin() as connection:
        connection.execute(update(MetricsInbox).values(received_at=minutes_ago(30)))

    assert ingest_batching(batch_size=1, max_batches=1)["loaded"] == 1
    assert notifications == [
        {
            "subject": "Resync: the inbox is not draining",
            "text": "the inbox is not draining: 2 accepted sample(s) wait for ingest, the oldest "
            "for 30 minutes (limit 15); see the ingest-batching runs and the workers",
        }
    ]
    stalled_since = Variable.get(INBOX_STALL_VARIABLE)
    assert stalled_since is not None

    assert ingest_batching(batch_size=1, max_batches=1)["loaded"] == 1
    assert len(notifications) == 1  # still not draining: told once

    assert ingest_batching()["loaded"] == 1
    assert notifications[1:] == [
        {
            "subject": "Resync: the inbox drains again",
            "text": f"the inbox drains again (not draining since {stalled_since})",
        }
    ]
    assert Variable.get(INBOX_STALL_VARIABLE) is None
    assert ingest_batching()["claimed"] == 0
    assert len(notifications) == 2
