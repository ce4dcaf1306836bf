"""History retention on PostgreSQL: month partitions against a plain table with a BRIN index,
and what summarising the 5-minute samples per hour saves on disk and on the capacity read.

    .venv/bin/python -m benchmarks.history_retention [--ftas 1000] [--days 30]

FTAs × days of 5-minute samples are generated straight into two databases at head (INSERT …
SELECT over generate_series, a day per statement, in time order as ingest writes them): one as
migrated (month partitions, BRIN on sample_time), one whose history is a plain table with its
key and the same BRIN index (the alternative layout). In each, after VACUUM ANALYZE: bytes on
disk per sample, the capacity store's read of the whole window for every FTA
(`load_hourly_metrics`, twice), summarising the oldest day (the retention store's spans) and
expiring the samples of the oldest month (DROP of its partition against DELETE and the VACUUM
that makes the space reusable). Then the partitioned one summarises everything: summaries' bytes
per FTA-hour and the same capacity read served from them.
"""

import argparse
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Engine, text

from benchmarks.machine import POSTGRES_SETTINGS, describe_machine
from resync.capacity.store import load_hourly_metrics
from resync.cli import alembic_config
from resync.db.engine import make_engine
from resync.ingest.partitions import (
    TIME_COLUMNS,
    create_month_partition,
    drop_month_partitions,
    month_start,
    next_month,
)
from resync.ingest.retention import summarise_before
from tests.support.postgres import PostgresServer

RESULTS = Path(__file__).resolve().parent / "results" / "history_retention.json"
HISTORY = "workstation_metrics_history"
SAMPLES_PER_FTA_YEAR = 365 * 288
HOURS_PER_FTA_YEAR = 365 * 24
GENERATE_DAY = """
INSERT INTO workstation_metrics_history (workstation, sample_time, inbox_id, cpu_percent,
  memory_percent, disk_percent, latency_min_ms, latency_avg_ms, latency_max_ms,
  packet_loss_percent, tcp_connectivity, disk_io_read_kbs, disk_io_write_kbs, process_count,
  load_avg_1, load_avg_5, load_avg_15, network_rx_kbs, network_tx_kbs, latency_method,
  stdlist_mb, message_files)
SELECT 'FTA' || lpad(w::text, 5, '0'), t, 0, random() * 100, 20 + random() * 70,
  40 + random() * 20, 1 + random() * 5, 6 + random() * 5, 11 + random() * 20, 0, 1,
  random() * 500, random() * 300, 100 + (random() * 300)::int, random() * 4, random() * 4,
  random() * 4, random() * 1000, random() * 1000, 'icmp', random() * 50,
  jsonb_build_object('Mailbox.msg', round((random() * 5)::numeric, 2),
                     'Intercom.msg', round((random() * 2)::numeric, 2))
FROM generate_series(CAST(:day AS timestamptz), CAST(:day AS timestamptz) + interval '1 day'
                     - interval '5 minutes', interval '5 minutes') AS t,
     generate_series(1, :ftas) AS w
"""
PLAIN_LAYOUT = [
    f"CREATE TABLE plain (LIKE {HISTORY} INCLUDING DEFAULTS, "
    "PRIMARY KEY (workstation, sample_time))",
    "CREATE INDEX plain_time ON plain USING brin (sample_time)",
    f"DROP TABLE {HISTORY}",
    f"ALTER TABLE plain RENAME TO {HISTORY}",
]


def timed(action: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    result = action()
    return round(time.perf_counter() - began, 2), result


def history_bytes(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.scalar(
                text(
                    "SELECT coalesce(sum(pg_total_relation_size(inhrelid)), "
                    "pg_total_relation_size(CAST(:table AS regclass))) "
                    "FROM pg_inherits WHERE inhparent = CAST(:table AS regclass)"
                ),
                {"table": table},
            )
        )


def vacuum(engine: Engine, table: str) -> float:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return timed(lambda: connection.execute(text(f"VACUUM ANALYZE {table}")))[0]


def generate(engine: Engine, first_day: datetime, days: int, ftas: int) -> float:
    began = time.perf_counter()
    for day in range(days):
        with engine.begin() as connection:
            connection.execute(
                text(GENERATE_DAY), {"day": first_day + timedelta(days=day), "ftas": ftas}
            )
        if (day + 1) % 10 == 0 or day + 1 == days:
            print(f"  {day + 1}/{days} days generated", flush=True)
    return round(time.perf_counter() - began, 1)


def capacity_read(engine: Engine, start: datetime, end: datetime, ftas: int) -> dict[str, Any]:
    names = [f"FTA{number:05d}" for number in range(1, ftas + 1)]
    seconds = []
    for _ in range(2):
        with engine.connect() as connection:
            took, frame = timed(lambda: load_hourly_metrics(connection, start, end, names))
        seconds.append(took)
    return {"seconds": seconds, "hourly_rows": frame.height}


def summarise(engine: Engine, before: datetime) -> dict[str, Any]:
    began = time.perf_counter()
    done = summarise_before(engine, before)
    seconds = time.perf_counter() - began
    samples, hours = done["samples"], done["hours"]
    return {
        "seconds": round(seconds, 2),
        "samples": samples,
        "hours": hours,
        "samples_per_second": round(samples / seconds) if seconds else None,
    }


def expire_month(engine: Engine, partitioned: bool, month: datetime) -> dict[str, Any]:
    """Remove the samples of `month` (the oldest): DROP its partition, or DELETE and VACUUM."""
    boundary = next_month(month)
    with engine.connect() as connection:
        rows = connection.scalar(
            text(f"SELECT count(*) FROM {HISTORY} WHERE sample_time < :end"), {"end": boundary}
        )
    if partitioned:
        with engine.begin() as connection:
            took, dropped = timed(
                lambda: drop_month_partitions(connection, HISTORY, boundary, only_empty=False)
            )
        return {"rows": rows, "drop_seconds": took, "dropped": dropped}
    with engine.begin() as connection:
        took, _ = timed(
            lambda: connection.execute(
                text(f"DELETE FROM {HISTORY} WHERE sample_time < :end"), {"end": boundary}
            )
        )
    return {"rows": rows, "delete_seconds": took, "vacuum_seconds": vacuum(engine, HISTORY)}


def measure_layout(
    engine: Engine, partitioned: bool, first_day: datetime, days: int, ftas: int
) -> dict[str, Any]:
    end = first_day + timedelta(days=days)
    figures: dict[str, Any] = {"generate_seconds": generate(engine, first_day, days, ftas)}
    figures["vacuum_seconds"] = vacuum(engine, HISTORY)
    rows = ftas * days * 288
    size = history_bytes(engine, HISTORY)
    figures.update(
        samples=rows,
        bytes=size,
        bytes_per_sample=round(size / rows, 1),
        mb_per_fta_year=round(size / rows * SAMPLES_PER_FTA_YEAR / 2**20, 2),
    )
    figures["capacity_read_raw"] = capacity_read(engine, first_day, end, ftas)
    figures["summarise_oldest_day"] = summarise(engine, first_day + timedelta(days=1))
    figures["expire_oldest_month"] = expire_month(engine, partitioned, month_start(first_day))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ftas", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    arguments = parser.parse_args()
    ftas, days = arguments.ftas, arguments.days
    # Ends mid-month so the oldest month is a whole partition's worth of samples to expire.
    end = datetime.now(UTC).replace(day=15, hour=0, minute=0, second=0, microsecond=0)
    first_day = end - timedelta(days=days)
    server = PostgresServer(POSTGRES_SETTINGS).start()
    results: dict[str, Any] = {"machine": describe_machine(), "ftas": ftas, "days": days}
    try:
        for layout in ("plain_brin", "month_partitions"):
            url = server.create_database(layout)
            command.upgrade(alembic_config(url), "head")
            engine = make_engine(url)
            if layout == "plain_brin":
                with engine.begin() as connection:
                    for statement in PLAIN_LAYOUT:
                        connection.execute(text(statement))
            partitioned = layout == "month_partitions"
            if partitioned:
                # As the retention flow makes them for the months it keeps raw.
                month = month_start(first_day)
                while month < end:
                    with engine.begin() as connection:
                        for table in TIME_COLUMNS:
                            create_month_partition(connection, table, month)
                    month = next_month(month)
            print(f"{layout}: generating {ftas} FTAs × {days} days", flush=True)
            results[layout] = measure_layout(engine, partitioned, first_day, days, ftas)
            print(json.dumps(results[layout], indent=2), flush=True)
            if partitioned:
                results["downsampled"] = downsample(engine, first_day, end, ftas)
            engine.dispose()
    finally:
        server.stop()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


def downsample(engine: Engine, first_day: datetime, end: datetime, ftas: int) -> dict[str, Any]:
    """Summarise every remaining sample; the summaries' size and the capacity read from them."""
    summarised = summarise(engine, end)
    vacuum(engine, "workstation_metrics_hourly")
    size = history_bytes(engine, "workstation_metrics_hourly")
    with engine.connect() as connection:
        hours = connection.scalar(text("SELECT count(*) FROM workstation_metrics_hourly"))
    return {
        "summarise_all": summarised,
        "summary_rows": hours,
        "bytes": size,
        "bytes_per_fta_hour": round(size / hours, 1),
        "mb_per_fta_year": round(size / hours * HOURS_PER_FTA_YEAR / 2**20, 2),
        "capacity_read_summaries": capacity_read(engine, first_day, end, ftas),
    }


if __name__ == "__main__":
    main()
