"""History retention on both backends: samples past the raw window become hourly summaries in
the transaction that deletes them, a crash or a rerun neither loses nor doubles an hour, and the
capacity and maintenance reads serve a window across the boundary."""

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine, func, insert, select

from resync.capacity.store import load_hourly_metrics, workstations_with_metrics
from resync.db.models import WorkstationMetrics, WorkstationMetricsHourly
from resync.ingest.retention import (
    cutoff,
    delete_expired_summaries,
    oldest_sample_before,
    spans,
    summarise_before,
    summarise_span,
)
from resync.maintenance.history import count_history, load_metrics
from resync.settings import Settings

HOURLY = WorkstationMetricsHourly.__table__
NOW = datetime(2026, 12, 7, 12, 17, tzinfo=UTC)
RAW_DAYS = 2
FTAS = ("FTA01", "FTA02")


def sample_rows(start: datetime, hours: int, seed: int) -> list[dict]:
    """5-minute samples of each FTA from `start`; FTA02's disk and latency readings missing
    every third sample, as an FTA without df or ping output sends them."""
    rng = np.random.default_rng(seed)
    rows = []
    for workstation in FTAS:
        for step in range(hours * 12):
            missing = workstation == "FTA02" and step % 3 == 0
            latency = None if missing else float(rng.uniform(1, 50))
            rows.append(
                {
                    "workstation": workstation,
                    "sample_time": start + timedelta(minutes=5 * step),
                    "inbox_id": step,
                    "cpu_percent": float(rng.uniform(0, 100)),
                    "memory_percent": float(rng.uniform(20, 90)),
                    "disk_percent": None if missing else float(rng.uniform(40, 60)),
                    "latency_min_ms": None if missing else latency / 2,
                    "latency_avg_ms": latency,
                    "latency_max_ms": None if missing else latency * 2,
                    "packet_loss_percent": 100.0 if missing else 0.0,
                    "tcp_connectivity": int(rng.integers(0, 2)),
                    "process_count": int(rng.integers(100, 400)),
                    "stdlist_mb": float(rng.uniform(0, 10)),
                    "message_files": {"Mailbox.msg": 1.5},
                }
            )
    return rows


def store(engine: Engine, rows: list[dict]) -> None:
    with engine.begin() as connection:
        connection.execute(insert(WorkstationMetrics), rows)


def summaries(engine: Engine) -> pl.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(select(HOURLY).order_by(HOURLY.c.workstation, HOURLY.c.hour))
        return pl.DataFrame([dict(row._mapping) for row in rows], infer_schema_length=None)


@pytest.fixture
def history(engine: Engine) -> list[dict]:
    """Four days of samples ending at NOW's hour."""
    rows = sample_rows(NOW.replace(minute=0) - timedelta(days=4), 4 * 24, seed=7)
    store(engine, rows)
    return rows


def test_samples_past_the_window_become_hourly_mean_max_and_p95(
    engine: Engine, history: list[dict]
) -> None:
    before = cutoff(NOW, RAW_DAYS)
    assert before == datetime(2026, 12, 5, 12, tzinfo=UTC)
    assert summarise_before(engine, before)["spans"] == 8  # 48 hours in spans of 6

    with engine.connect() as connection:
        kept = connection.scalar(select(func.min(WorkstationMetrics.sample_time)))
        raw_rows = connection.scalar(select(func.count()).select_from(WorkstationMetrics))
    assert kept == before
    assert raw_rows == 2 * 48 * 12
    table = summaries(engine)
    assert table.height == 2 * 48
    assert set(table["samples"]) == {12}

    hour = datetime(2026, 12, 4, 3, tzinfo=UTC)
    row = table.filter((pl.col("workstation") == "FTA02") & (pl.col("hour") == hour)).row(
        0, named=True
    )
    readings = [
        r
        for r in history
        if r["workstation"] == "FTA02" and hour <= r["sample_time"] < hour + timedelta(hours=1)
    ]
    disks = np.array([r["disk_percent"] for r in readings if r["disk_percent"] is not None])
    cpus = np.array([r["cpu_percent"] for r in readings])
    assert disks.size == 8
    assert row["disk_percent_mean"] == pytest.approx(disks.mean())
    assert row["disk_percent_max"] == pytest.approx(disks.max())
    assert row["disk_percent_p95"] == pytest.approx(np.percentile(disks, 95))
    assert row["cpu_percent_p95"] == pytest.approx(np.percentile(cpus, 95))
    assert row["tcp_connectivity_mean"] == pytest.approx(
        np.mean([r["tcp_connectivity"] for r in readings])
    )


def test_a_crashed_span_leaves_its_samples_and_a_rerun_summarises_each_hour_once(
    engine: Engine, history: list[dict]
) -> None:
    before = cutoff(NOW, RAW_DAYS)
    with engine.connect() as connection:
        first_span = next(spans(oldest_sample_before(connection, before), before))
    with pytest.raises(RuntimeError), engine.begin() as connection:
        summarise_span(connection, *first_span)
        raise RuntimeError("the worker died")
    assert summaries(engine).is_empty()
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(WorkstationMetrics)) == len(
            history
        )

    summarise_before(engine, before)
    once = summaries(engine)
    assert summarise_before(engine, before)["spans"] == 0
    assert summaries(engine).equals(once)
    assert once["samples"].sum() == 2 * 48 * 12


def test_samples_arriving_after_their_hour_was_summarised_are_merged_into_it(
    engine: Engine, history: list[dict]
) -> None:
    before = cutoff(NOW, RAW_DAYS)
    summarise_before(engine, before)
    hour = datetime(2026, 12, 4, 3, tzinfo=UTC)
    old = summaries(engine).filter((pl.col("workstation") == "FTA01") & (pl.col("hour") == hour))
    late = sample_rows(hour + timedelta(seconds=30), 1, seed=8)[:12]
    late[0]["cpu_percent"] = 100.0
    store(engine, late)

    summarise_before(engine, before)
    new = summaries(engine).filter((pl.col("workstation") == "FTA01") & (pl.col("hour") == hour))
    assert new["samples"].item() == 24
    assert new["cpu_percent_max"].item() == 100.0
    late_mean = np.mean([r["memory_percent"] for r in late])
    assert new["memory_percent_mean"].item() == pytest.approx(
        (old["memory_percent_mean"].item() + late_mean) / 2
    )
    assert summaries(engine)["samples"].sum() == 2 * 48 * 12 + 12


def test_capacity_and_maintenance_read_the_same_window_across_the_boundary(
    engine: Engine, history: list[dict]
) -> None:
    start, end = NOW.replace(minute=0) - timedelta(days=4), NOW
    with engine.connect() as connection:
        before_retention = load_hourly_metrics(connection, start, end, list(FTAS))
        samples_before = load_metrics(connection, start, end)
    summarise_before(engine, cutoff(NOW, RAW_DAYS))
    with engine.connect() as connection:
        after_retention = load_hourly_metrics(connection, start, end, list(FTAS))
        samples_after = load_metrics(connection, start, end)
        assert workstations_with_metrics(connection, start, start + timedelta(hours=1), None) == [
            *FTAS
        ]
        counted = count_history(connection, start, end)

    assert after_retention.height == before_retention.height == 2 * 96
    for column in ("cpu", "memory", "disk", "latency"):
        assert np.allclose(
            after_retention[column].to_numpy(), before_retention[column].to_numpy(), equal_nan=True
        )
    assert after_retention.select("workstation", "sample_time").equals(
        before_retention.select("workstation", "sample_time")
    )
    assert samples_before.height == len(history)
    assert samples_after.height == 2 * 48 + 2 * 48 * 12
    assert samples_after.schema == samples_before.schema
    assert counted == {"workstations": 2, "samples": samples_after.height, "job_runs": 0}
    summarised = samples_after.filter(pl.col("sample_time") < cutoff(NOW, RAW_DAYS))
    assert summarised["message_files"].null_count() == summarised.height
    assert summarised["sample_time"].dt.minute().unique().to_list() == [0]


def test_summaries_past_the_retention_are_deleted(engine: Engine, history: list[dict]) -> None:
    summarise_before(engine, cutoff(NOW, RAW_DAYS))
    with engine.begin() as connection:
        deleted = delete_expired_summaries(connection, cutoff(NOW, 3))
    assert deleted == 2 * 24
    assert summaries(engine)["hour"].min() == cutoff(NOW, 3)


def test_raw_history_longer_than_the_retention_is_refused() -> None:
    with pytest.raises(ValueError, match="raw_history_days \\(500\\) exceeds retention_days"):
        Settings(raw_history_days=500, retention_days=400)
