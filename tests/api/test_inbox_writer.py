"""The inbox writer under concurrency: several writers, re-sent and overlapping submissions."""

import asyncio
import json
import random
import threading
import uuid
from datetime import datetime, timedelta

import polars as pl
import psycopg
import pytest
from sqlalchemy import Engine, select

from api.inbox_writer import InboxWriter
from resync.db.models import MetricsInbox
from resync.ingest.batch import read_sample_batch
from resync.ingest.inbox import inbox_frame, inbox_values
from resync.ingest.inbox_store import Rows, Stored
from resync.ingest.payload import MetricsPayload
from tests.support.payloads import minutes_ago, payload

KEY_ID = uuid.uuid4()


def batch_rows(samples: list[dict]) -> pl.DataFrame:
    batch = read_sample_batch(json.dumps(samples).encode())
    assert batch is not None
    return inbox_frame(batch.frame, KEY_ID)


def single_rows(sample: dict) -> list[dict]:
    document = json.dumps(sample)
    return [inbox_values(MetricsPayload.model_validate_json(document), document, KEY_ID)]


def submit(writer: InboxWriter, rows: Rows) -> Stored:
    return asyncio.run(writer.submit(rows))


def stored_keys(engine: Engine) -> dict[int, tuple[str, datetime]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(MetricsInbox.id, MetricsInbox.workstation, MetricsInbox.sample_time)
        )
        return {row.id: (row.workstation, row.sample_time) for row in rows}


def key_of(sample: dict) -> tuple[str, datetime]:
    return sample["workstation"], datetime.fromisoformat(sample["timestamp"])


def test_overlapping_submissions_from_many_clients_store_each_sample_once(engine: Engine) -> None:
    """Spool replays that overlap, sent at once in different orders, some as single posts."""
    rng = random.Random(7)
    samples = [
        payload(f"WS-{ws:02d}", minutes_ago(200) + timedelta(minutes=minute))
        for ws in range(6)
        for minute in range(12)
    ]
    submissions: list[list[dict]] = []
    for _ in range(12):
        chosen = rng.sample(samples, 30)
        submissions.append(chosen)
        submissions.extend([sample] for sample in rng.sample(chosen, 2))
    submissions.append([samples[0], samples[1], samples[0]])
    writer = InboxWriter(engine, max_rows_per_transaction=50, batch_writers=2)
    writer.start()
    results: list[Stored | None] = [None] * len(submissions)
    start = threading.Barrier(len(submissions))

    def send(index: int) -> None:
        chosen = submissions[index]
        rows = single_rows(chosen[0]) if len(chosen) == 1 else batch_rows(chosen)
        start.wait()
        results[index] = submit(writer, rows)

    clients = [threading.Thread(target=send, args=(i,)) for i in range(len(submissions))]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    writer.stop()

    stored = stored_keys(engine)
    sent = {key_of(sample) for chosen in submissions for sample in chosen}
    assert sorted(stored.values()) == sorted(sent)
    first_stored = {key: 0 for key in sent}
    for chosen, result in zip(submissions, results, strict=True):
        assert result is not None
        assert [stored[row_id] for row_id in result.ids] == [key_of(s) for s in chosen]
        for sample, duplicate in zip(chosen, result.duplicates, strict=True):
            first_stored[key_of(sample)] += not duplicate
    # Each sample is reported as newly stored to exactly one of the clients that sent it.
    assert set(first_stored.values()) == {1}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_writer_cancelled_for_a_deadlock_writes_its_rows_again(
    engine: Engine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Another session holds B and then waits for A, which the writer holds while it waits for
    B: PostgreSQL cancels the writer, which writes again once the other session committed."""
    first, second = payload("WS-A", minutes_ago(10)), payload("WS-B", minutes_ago(10))
    url = database_url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(url) as other:
        other.execute("SET deadlock_timeout = '5s'")
        insert = (
            "INSERT INTO metrics_inbox (workstation, sample_time, cpu_percent, memory_percent, "
            "disk_percent, packet_loss_percent, tcp_connectivity, disk_io_read_kbs, "
            "disk_io_write_kbs, process_count, load_avg_1, load_avg_5, load_avg_15, "
            "network_rx_kbs, network_tx_kbs, payload, received_at) "
            "VALUES (%s, %s, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, '{}', now()) RETURNING id"
        )
        other_ids = {"WS-B": other.execute(insert, key_of(second)).fetchone()[0]}

        writer = InboxWriter(engine, max_rows_per_transaction=50, batch_writers=1)
        writer.start()
        outcome: list[Stored] = []
        sender = threading.Thread(
            target=lambda: outcome.append(submit(writer, batch_rows([first, second])))
        )
        sender.start()
        wait_for_lock_wait(other, count=1)
        # The writer holds WS-A and waits for WS-B: taking WS-A closes the cycle.
        other_ids["WS-A"] = other.execute(insert, key_of(first)).fetchone()[0]
        other.commit()
        sender.join(timeout=30)
        writer.stop()

    assert outcome, "the writer did not answer"
    assert outcome[0].ids == [other_ids["WS-A"], other_ids["WS-B"]]
    assert outcome[0].duplicates == [True, True]
    assert "deadlock victim" in caplog.text
    assert sorted(stored_keys(engine)) == sorted(other_ids.values())


def wait_for_lock_wait(connection: psycopg.Connection, count: int) -> None:
    """Until `count` other sessions of this database wait for a lock."""
    with psycopg.connect(connection.info.dsn, autocommit=True) as observer:
        for _ in range(300):
            waiting = observer.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()[0]
            if waiting >= count:
                return
            observer.execute("SELECT pg_sleep(0.05)")
    raise AssertionError("no session waited for a lock")
