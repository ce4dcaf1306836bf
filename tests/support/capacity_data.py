"""Small FTA histories with known shapes for the capacity tests, written straight to history."""

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
from sqlalchemy import insert

from resync.db.engine import get_engine
from resync.db.models import JobExecution, Workstation, WorkstationMetrics

SAMPLE_MINUTES = 5
CONSTANT_METRICS = {
    "latency_min_ms": 1.0,
    "latency_max_ms": 9.0,
    "packet_loss_percent": 0.0,
    "tcp_connectivity": 1,
    "disk_io_read_kbs": 100.0,
    "disk_io_write_kbs": 50.0,
    "process_count": 200,
    "load_avg_1": 1.0,
    "load_avg_5": 1.0,
    "load_avg_15": 1.0,
    "network_rx_kbs": 10.0,
    "network_tx_kbs": 10.0,
}


def history_frame(
    workstation: str,
    days: float,
    end: datetime,
    disk_start: float = 50.0,
    disk_per_day: float = 0.0,
    seed: int = 0,
) -> pl.DataFrame:
    """5-minute samples up to `end`: CPU and memory with a daily rhythm, disk growing linearly."""
    count = int(days * 24 * 60 / SAMPLE_MINUTES)
    steps = np.arange(count)
    day_fraction = steps * SAMPLE_MINUTES / (24 * 60)
    rhythm = np.sin(2 * np.pi * day_fraction)
    noise = np.random.default_rng(seed).normal(0, 1, (3, count))
    first = end - timedelta(minutes=SAMPLE_MINUTES * count)
    return pl.DataFrame(
        {
            "workstation": workstation,
            "sample_time": [first + timedelta(minutes=SAMPLE_MINUTES * i) for i in range(count)],
            "cpu_percent": np.clip(40 + 15 * rhythm + 3 * noise[0], 0, 100),
            "memory_percent": np.clip(55 + 5 * rhythm + noise[1], 0, 100),
            "disk_percent": np.clip(
                disk_start + disk_per_day * day_fraction + 0.1 * noise[2], 0, 100
            ),
            "latency_avg_ms": 5 + 0.5 * np.abs(noise[0]),
            "inbox_id": steps,
        }
    ).with_columns(**{name: pl.lit(value) for name, value in CONSTANT_METRICS.items()})


def store_history(frame: pl.DataFrame, host: dict | None = None) -> None:
    """Insert the samples and the FTA's workstation row (with host facts when given)."""
    workstation = frame["workstation"][0]
    with get_engine().begin() as connection:
        connection.execute(insert(WorkstationMetrics), frame.to_dicts())
        connection.execute(
            insert(Workstation).values(
                name=workstation, last_sample_at=frame["sample_time"].max(), host=host
            )
        )


def store_hourly_jobs(workstation: str, days: int, end: datetime) -> None:
    """A job run an hour, at half past, for the `days` days up to the last half past before
    `end` (so every trailing day up to `end` holds 24, whatever the time of day)."""
    last = end.replace(minute=30, second=0, microsecond=0)
    if last > end:
        last -= timedelta(hours=1)
    rows = []
    for hour in range(days * 24):
        started = last - timedelta(hours=hour)
        rows.append(
            {
                "workstation": workstation,
                "job_stream": "HOURLY",
                "job_name": f"JOB{started.hour:02d}",
                "run_id": f"{workstation}-{hour}",
                "status": "SUCC",
                "return_code": 0,
                "started_at": started,
                "ended_at": started + timedelta(minutes=5),
                "duration": 300.0,
            }
        )
    with get_engine().begin() as connection:
        connection.execute(insert(JobExecution), rows)


def now_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
