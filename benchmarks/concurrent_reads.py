"""Concurrent reads beside ingest, on SQLite and PostgreSQL: the agents' latency and every status.

    .venv/bin/python -m benchmarks.concurrent_reads [--ref REF] --baseline-ref REF [--seconds 10]

For each backend and each N of `--readers` (50, 100, 200): a fresh database holding an estate
(`--workstations` FTAs, an hour of 5-minute samples each, loaded into history by the ingest
code), one uvicorn worker, N readers looping `GET /api/v1/workstations`, agents posting single
samples at `--agent-rate` per second (3,000 FTAs at the collector's 5 minutes: 10/s) and a
`/healthz` probe, for `--seconds`. The same load goes, in the same run, to the API of REF
(`git archive`), as `--ref` does for the API measured (by default the working tree's).
Afterwards every acknowledged agent sample is counted in the inbox.
"""

import argparse
import json
import os
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from alembic import command
from sqlalchemy import func, select

from benchmarks.ingest_api import ROOT, export_tree, fresh_database, start_api
from benchmarks.machine import POSTGRES_SETTINGS, describe_machine
from benchmarks.read_load import run_load
from resync.cli import alembic_config
from resync.db.engine import make_engine, session_scope
from resync.db.models import MetricsInbox
from resync.demo.estate import demo_estate, sample
from resync.ingest.history import load_batch
from resync.ingest.history_schema import find_invalid_rows
from resync.ingest.store import claim_batch, read_batch_frame, record_validation
from resync.keys.admin import Actor, create_key
from tests.support.postgres import PostgresServer

RESULTS = ROOT / "benchmarks" / "results" / "concurrent_reads.json"
SAMPLES_PER_WORKSTATION = 12


def make_keys(database_url: str) -> tuple[str, str]:
    """A metrics:read key and a metrics:write key."""
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        _, read_key = create_key(session, Actor("bench"), name="reader", scopes=["metrics:read"])
        _, write_key = create_key(session, Actor("bench"), name="agent", scopes=["metrics:write"])
    engine.dispose()
    return read_key, write_key


def seed_estate(api: str, write_key: str, database_url: str, workstations: int) -> None:
    """Post an hour of samples of every FTA as spool replays, then load them into history."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now - timedelta(minutes=5 * SAMPLES_PER_WORKSTATION)
    rng = random.Random(7)
    items = [
        sample(profile, start + timedelta(minutes=5 * step), start, rng)
        for profile in demo_estate(workstations)
        for step in range(SAMPLES_PER_WORKSTATION)
    ]
    with httpx.Client(base_url=api, headers={"X-API-Key": write_key}, timeout=120) as client:
        for first in range(0, len(items), 5000):
            response = client.post(
                "/api/v1/metrics/workstation/batch", json=items[first : first + 5000]
            )
            response.raise_for_status()
    engine = make_engine(database_url)
    while True:
        with engine.begin() as connection:
            claim = claim_batch(connection, 10_000, timedelta(hours=1), "bench")
        if claim is None:
            break
        with engine.connect() as connection:
            frame = read_batch_frame(connection, claim.batch)
        with engine.begin() as connection:
            record_validation(connection, claim.batch, frame.height, find_invalid_rows(frame))
            load_batch(connection, claim.batch)
    engine.dispose()


def agent_rows(database_url: str) -> int:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count())
            .select_from(MetricsInbox)
            .where(MetricsInbox.workstation.like("AGENT-%"))
        )
    engine.dispose()
    return count


def measure(
    database_url: str, root: Path, readers: int, arguments: argparse.Namespace, run: str
) -> dict[str, object]:
    read_key, write_key = make_keys(database_url)
    process, api = start_api("api.main:app", database_url, 1, root)
    try:
        seed_estate(api, write_key, database_url, arguments.workstations)
        figures = run_load(
            api, read_key, write_key, readers, arguments.seconds, arguments.agent_rate, run
        )
    finally:
        process.terminate()
        process.wait()
    acknowledged = sum(
        count for status, count in figures["agents"]["statuses"].items() if status in ("200", "202")
    )
    figures["agent_samples_acknowledged"] = acknowledged
    figures["agent_samples_in_inbox"] = agent_rows(database_url)
    figures["load_average_1m_after"] = os.getloadavg()[0]
    print(run, json.dumps(figures), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ref", help="the commit to measure (default: the working tree)")
    parser.add_argument("--baseline-ref", help="a commit whose API takes the same load")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--readers", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--workstations", type=int, default=300)
    parser.add_argument("--agent-rate", type=float, default=10.0)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--output", type=Path, default=RESULTS)
    arguments = parser.parse_args()
    trees = {"resync": export_tree(arguments.ref) if arguments.ref else ROOT}
    if arguments.baseline_ref:
        trees["baseline"] = export_tree(arguments.baseline_ref)
    results: dict[str, object] = {
        "machine": describe_machine(),
        "arguments": {k: str(v) for k, v in vars(arguments).items()},
        "load_average_1m_before": os.getloadavg()[0],
    }
    server = (
        PostgresServer(POSTGRES_SETTINGS).start() if "postgresql" in arguments.backends else None
    )
    scratch = Path(tempfile.mkdtemp(prefix="resync-reads-"))
    numbers = iter(range(1000))
    try:
        for backend in arguments.backends:
            for readers in arguments.readers:
                for name, root in trees.items():
                    run = f"{backend}-{readers}-{name}"
                    number = next(numbers)
                    if backend == "sqlite":
                        url = f"sqlite:///{scratch / f'reads_{number}.db'}"
                        command.upgrade(alembic_config(url), "head")
                    else:
                        url = fresh_database(server, f"reads_{number}")
                    results[run] = measure(url, root, readers, arguments, str(number))
    finally:
        if server is not None:
            server.stop()
    arguments.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
