"""Inbox → history on PostgreSQL: the ingest-batching flow against a naive row-by-row move.

    .venv/bin/python -m benchmarks.inbox_to_history [--rows 500000]

The inbox is filled with COPY (demo-estate samples, typed columns and raw JSON, as the API
writes them), then the real flow runs under a temporary Prefect server. The naive baseline
moves rows one at a time (read, insert into history, commit) on a slice of the same size class.
The flow's time is its run as the Prefect API records it (start to end, alert evaluation
included), and its batch loop (first claim to last load); the client's call also includes the
Prefect client's own start and teardown.
"""

import argparse
import json
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from alembic import command
from prefect.testing.utilities import prefect_test_harness
from psycopg.types.json import Jsonb

from benchmarks.machine import POSTGRES_SETTINGS, describe_machine
from resync.cli import alembic_config
from resync.demo.estate import demo_estate, sample
from resync.ingest.inbox import INBOX_COLUMNS
from resync.ingest.payload import METRIC_NAMES
from resync.settings import get_settings
from tests.support.postgres import PostgresServer

# The temporary Prefect server's telemetry only adds writes (and lock waits) to its SQLite.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
RESULTS = Path(__file__).resolve().parent / "results" / "inbox_to_history.json"


def fill_inbox(dsn: str, rows: int, offset_days: int) -> None:
    """COPY `rows` demo samples (1,000 FTAs, 5-minute steps) into metrics_inbox."""
    profiles = demo_estate(1000)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=offset_days)
    rng = random.Random(offset_days)
    received = datetime.now(UTC)
    statement = f"COPY metrics_inbox ({', '.join(INBOX_COLUMNS)}) FROM STDIN"
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:  # noqa: SIM117
        with cursor.copy(statement) as copy:
            for index in range(rows):
                profile = profiles[index % len(profiles)]
                body = sample(
                    profile, start + timedelta(minutes=5 * (index // len(profiles))), start, rng
                )
                metrics = body["metrics"]
                copy.write_row(
                    [
                        body["workstation"],
                        body["timestamp"],
                        *(metrics[m] for m in METRIC_NAMES),
                        body["latency_method"],
                        body["tws"]["stdlist_mb"],
                        json.dumps(body["tws"]["message_files"]),
                        json.dumps(body),
                        None,
                        received,
                    ]
                )


def naive_move(dsn: str, rows: int) -> float:
    """Move `rows` pending rows one by one (read, insert, mark, commit); returns rows/s."""
    columns = ", ".join(INBOX_COLUMNS[:-3])
    began = time.perf_counter()
    with psycopg.connect(dsn) as connection:
        for _ in range(rows):
            with connection.transaction():
                row = connection.execute(
                    f"SELECT id, {columns} FROM metrics_inbox WHERE error IS NULL "
                    "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
                ).fetchone()
                connection.execute(
                    f"INSERT INTO workstation_metrics_history ({columns}, inbox_id) "
                    f"VALUES ({', '.join(['%s'] * (len(INBOX_COLUMNS) - 2))}) "
                    "ON CONFLICT DO NOTHING",
                    (*(Jsonb(v) if isinstance(v, dict) else v for v in row[1:]), row[0]),
                )
                connection.execute(
                    "UPDATE metrics_inbox SET error = 'moved' WHERE id = %s", (row[0],)
                )
    return rows / (time.perf_counter() - began)


def flow_run_seconds(flow_run_id: object) -> float:
    """The run's duration as the Prefect API records it (start to end, as the UI shows)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
    return (run.end_time - run.start_time).total_seconds()


def batch_loop_seconds(flow_run_id: object) -> float:
    """From the first claim's start to the last history load's end, read from the Prefect API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    steps = [
        r for r in runs if r.name.startswith(("claim_inbox_batch", "validate", "load_history"))
    ]
    return (max(r.end_time for r in steps) - min(r.start_time for r in steps)).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--naive-rows", type=int, default=5_000)
    arguments = parser.parse_args()
    server = PostgresServer(POSTGRES_SETTINGS).start()
    results: dict[str, object] = {
        "machine": describe_machine(),
        "rows": arguments.rows,
        "load_average_1m_before": os.getloadavg()[0],
    }
    try:
        naive_url = server.create_database("bench_naive")
        command.upgrade(alembic_config(naive_url), "head")
        naive_dsn = naive_url.replace("postgresql+psycopg", "postgresql")
        fill_inbox(naive_dsn, arguments.naive_rows, offset_days=200)
        results["naive_rows_per_s"] = round(naive_move(naive_dsn, arguments.naive_rows), 1)
        print("naive", results["naive_rows_per_s"], flush=True)

        url = server.create_database("bench_flow")
        command.upgrade(alembic_config(url), "head")
        fill_inbox(url.replace("postgresql+psycopg", "postgresql"), arguments.rows, offset_days=100)
        os.environ["RESYNC_DATABASE_URL"] = url
        get_settings.cache_clear()
        from flows.ingest_batching import ingest_batching

        with prefect_test_harness(server_startup_timeout=120):
            began = time.perf_counter()
            state = ingest_batching(return_state=True)
            elapsed = time.perf_counter() - began
            summary = state.result()
            moving = batch_loop_seconds(state.state_details.flow_run_id)
            running = flow_run_seconds(state.state_details.flow_run_id)
        results["flow"] = {
            **summary,
            "call_seconds": round(elapsed, 2),
            "seconds": round(running, 2),
            "rows_per_s": round(summary["loaded"] / running, 1),
            "batch_loop_seconds": round(moving, 2),
            "batch_loop_rows_per_s": round(summary["loaded"] / moving, 1),
            "batch_size": get_settings().ingest_batch_size,
        }
        results["load_average_1m_after"] = os.getloadavg()[0]
        results["speedup_vs_naive"] = round(
            results["flow"]["rows_per_s"] / results["naive_rows_per_s"], 1
        )
        print("flow", results["flow"], flush=True)
    finally:
        server.stop()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
