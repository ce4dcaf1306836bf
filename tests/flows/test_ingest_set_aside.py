"""No sample holds its batch hostage: what cannot be stored is refused or set aside, the rest loads.

A sample with NaN kept raw in `host` used to be accepted, then refused by PostgreSQL at every
load of its batch, so the other FTAs' samples in it never reached history.
"""

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from flows.ingest_batching import ingest_batching
from resync.db.engine import get_engine, session_scope
from resync.db.models import Alert, IngestBatch, MetricsInbox, Workstation, WorkstationMetrics
from resync.ingest.inbox import INBOX_COLUMNS
from tests.support.payloads import iso, minutes_ago, payload

SINGLE = "/api/v1/metrics/workstation"
BATCH = "/api/v1/metrics/workstation/batch"

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture
def headers(make_key) -> dict[str, str]:
    _, key = make_key(["metrics:write"])
    return {"X-API-Key": key, "Content-Type": "application/json"}


def history_keys() -> set[tuple[str, str]]:
    with session_scope() as session:
        rows = session.execute(
            select(WorkstationMetrics.workstation, WorkstationMetrics.sample_time)
        )
        return {(workstation, iso(at)) for workstation, at in rows}


def open_alerts() -> dict[tuple[str, str], str]:
    with session_scope() as session:
        rows = session.scalars(select(Alert).where(Alert.resolved_at.is_(None)))
        return {(alert.workstation, alert.rule): alert.message for alert in rows}


def test_a_sample_with_non_finite_facts_is_refused_and_the_others_reach_history(
    client: TestClient, headers
) -> None:
    items = [payload(f"FTA{n}", minutes_ago(5 * i)) for n in range(3) for i in range(1, 4)]
    posted = [client.post(SINGLE, content=json.dumps(item), headers=headers) for item in items[:4]]
    poisoned = json.dumps(payload("FTA1", minutes_ago(30)))[:-1] + ', "host": {"x": NaN}}'
    refused = client.post(SINGLE, content=poisoned, headers=headers)
    batch = client.post(BATCH, content=json.dumps(items[4:]), headers=headers)

    summary = ingest_batching()

    assert [response.status_code for response in posted] == [202] * 4
    assert refused.status_code == 422
    assert batch.status_code == 202
    assert (summary["loaded"], summary["rejected"]) == (9, 0)
    assert history_keys() == {(item["workstation"], item["timestamp"]) for item in items}


def stored_row(workstation: str, minutes: float, document: str) -> dict:
    """An inbox row as the API stores one, with `document` as its raw payload text."""
    body = payload(workstation, minutes_ago(minutes))
    return {
        **{column: None for column in INBOX_COLUMNS},
        **body["metrics"],
        "workstation": workstation,
        "sample_time": minutes_ago(minutes),
        "payload": document,
        "received_at": minutes_ago(0),
    }


def test_rows_the_load_refuses_are_set_aside_with_an_alert_and_the_rest_loads(
    client: TestClient, headers
) -> None:
    items = [payload(f"FTA{n}", minutes_ago(5 * i)) for n in range(3) for i in range(2, 6)]
    assert client.post(BATCH, content=json.dumps(items), headers=headers).status_code == 202
    nan_host = json.dumps(payload("FTA1", minutes_ago(1)))[:-1] + ', "host": {"x": NaN}}'
    surrogate = json.dumps({**payload("FTA2", minutes_ago(1)), "tws": {"note": "\ud800"}})
    with get_engine().begin() as connection:
        # Only a database edit, or an older API, can put these in the inbox now.
        connection.execute(
            insert(MetricsInbox),
            [
                stored_row("FTA1", 1, nan_host),
                stored_row("FTA2", 1, surrogate),
                stored_row("FTA0", 1, '{"workstation": "FTA0", "metr'),
            ],
        )

    summary = ingest_batching()

    assert (summary["loaded"], summary["rejected"]) == (12, 3)
    assert history_keys() == {(item["workstation"], item["timestamp"]) for item in items}
    with session_scope() as session:
        reasons = dict(
            session.execute(
                select(MetricsInbox.workstation, MetricsInbox.error).where(
                    MetricsInbox.error.is_not(None)
                )
            ).all()
        )
        assert set(reasons) == {"FTA0", "FTA1", "FTA2"}
        assert reasons["FTA1"].startswith("not loadable into history: host cannot be stored")
        assert "surrogates not allowed" in reasons["FTA2"]
        assert reasons["FTA0"].startswith("not loadable into history: Unterminated string")
        assert session.scalars(select(IngestBatch.status)).all() == ["loaded"]
        assert sorted(session.scalars(select(Workstation.name))) == ["FTA0", "FTA1", "FTA2"]
    alerts = open_alerts()
    for workstation in ("FTA0", "FTA1", "FTA2"):
        message = alerts[(workstation, "samples_set_aside")]
        assert message.startswith("1 sample(s) set aside by ingest in the last day")
    assert ingest_batching()["claimed"] == 0
