"""Capacity forecast at scale on PostgreSQL: the flow end to end against a per-series loop.

    .venv/bin/python -m benchmarks.capacity_scale [--ftas 1000] [--days 30] [--baseline-ftas 10]

`workstation_metrics_history` is bulk-loaded with COPY (5-minute samples: daily rhythm and
noise on every FTA, a tenth with a filling disk, a twentieth with growing memory) along with
each FTA's host facts; then the capacity-forecast flow runs under a temporary Prefect server.
The baseline is what one would write without Resync: per FTA a pandas read of its samples,
then per series a pandas hourly resample, a statsmodels ETS (additive trend and daily
seasonality) fit, its 90-day forecast with an 80 % interval and the threshold crossing. It runs
on a sample of FTAs in the same process and is extrapolated to every series (said so in the
results).
"""

import argparse
import io
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import psycopg

from benchmarks.machine import describe_machine
from resync.settings import get_settings
from tests.support.postgres import PostgresServer

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
RESULTS = Path(__file__).resolve().parent / "results" / "capacity_scale.json"
SAMPLES_PER_DAY = 288
SERIES = {  # column → (hourly aggregation, threshold or None)
    "cpu_percent": ("max", 95.0),
    "memory_percent": ("max", 95.0),
    "disk_percent": ("mean", 90.0),
    "latency_avg_ms": ("mean", None),
}
CONSTANTS = {
    "latency_min_ms": 1.0, "latency_max_ms": 20.0, "packet_loss_percent": 0.0,
    "tcp_connectivity": 1, "disk_io_read_kbs": 500.0, "disk_io_write_kbs": 300.0,
    "process_count": 240, "load_avg_1": 1.5, "load_avg_5": 1.4, "load_avg_15": 1.3,
    "network_rx_kbs": 120.0, "network_tx_kbs": 80.0,
}  # fmt: skip


def fta_samples(index: int, days: int, end: datetime) -> pl.DataFrame:
    """One FTA's 5-minute samples up to `end` (the shape depends on `index`)."""
    rng = np.random.default_rng(index)
    count = days * SAMPLES_PER_DAY
    day = np.arange(count) / SAMPLES_PER_DAY
    rhythm = np.sin(2 * np.pi * day + rng.uniform(0, 2 * np.pi))
    disk_growth = rng.uniform(0.6, 1.5) if index % 10 == 0 else rng.uniform(-0.01, 0.02)
    memory_growth = rng.uniform(0.5, 1.0) if index % 20 == 5 else 0.0
    start = end - timedelta(days=days)
    return pl.DataFrame(
        {
            "workstation": f"FTA{index:04d}",
            "sample_time": pl.datetime_range(
                start, end, timedelta(minutes=5), closed="left", eager=True, time_zone="UTC"
            ),
            "inbox_id": np.arange(count) + index * count,
            "cpu_percent": np.clip(35 + 20 * rhythm + rng.normal(0, 4, count), 0, 100),
            "memory_percent": np.clip(
                50 + memory_growth * day + 5 * rhythm + rng.normal(0, 1, count), 0, 100
            ),
            "disk_percent": np.clip(
                rng.uniform(40, 60) + disk_growth * day + rng.normal(0, 0.1, count), 0, 100
            ),
            "latency_avg_ms": 4 + np.abs(rng.normal(0, 1.5, count)),
        }
    ).with_columns(**{name: pl.lit(value) for name, value in CONSTANTS.items()})


def load_history(dsn: str, ftas: int, days: int, end: datetime) -> int:
    """COPY every FTA's samples into history and its host facts into workstations."""
    rows = 0
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        for first in range(0, ftas, 50):
            frame = pl.concat(
                fta_samples(index, days, end) for index in range(first, min(first + 50, ftas))
            )
            buffer = io.BytesIO()
            frame.write_csv(buffer, include_header=False)
            columns = ", ".join(frame.columns)
            with cursor.copy(
                f"COPY workstation_metrics_history ({columns}) FROM STDIN CSV"
            ) as copy:
                copy.write(buffer.getvalue())
            rows += frame.height
        with cursor.copy(
            "COPY workstations (name, first_seen_at, last_sample_at, host) FROM STDIN"
        ) as copy:
            for index in range(ftas):
                host = {
                    "cpu_count": 4 + 4 * (index % 4),
                    "memory_total_mb": 16384 * (1 + index % 3),
                    "disk_total_gb": 200 + 100 * (index % 5),
                }
                copy.write_row(
                    [f"FTA{index:04d}", end - timedelta(days=days), end, json.dumps(host)]
                )
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE workstation_metrics_history")
    return rows


def baseline_loop(dsn: str, ftas: int, days: int, end: datetime, horizon_days: int) -> dict:
    """Per-series pandas + statsmodels on `ftas` FTAs: seconds per series, series timed."""
    import warnings

    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    warnings.simplefilter("ignore")
    timed = 0
    began = time.perf_counter()
    with psycopg.connect(dsn) as connection:
        for index in range(ftas):
            frame = pd.read_sql(
                "SELECT sample_time, cpu_percent, memory_percent, disk_percent, latency_avg_ms "
                "FROM workstation_metrics_history WHERE workstation = %(w)s "
                "AND sample_time >= %(start)s ORDER BY sample_time",
                connection,
                params={"w": f"FTA{index:04d}", "start": end - timedelta(days=days)},
                index_col="sample_time",
            )
            for column, (aggregation, threshold) in SERIES.items():
                hourly = frame[column].resample("1h").agg(aggregation).interpolate()
                hourly.index.freq = "h"
                fitted = ETSModel(hourly, error="add", trend="add", seasonal="add",
                                  seasonal_periods=24).fit(disp=False)  # fmt: skip
                prediction = fitted.get_prediction(
                    start=len(hourly), end=len(hourly) + horizon_days * 24 - 1
                ).summary_frame(alpha=0.2)
                if threshold is not None:
                    prediction.index[prediction["mean"] >= threshold].min()
                timed += 1
    return {"series": timed, "seconds": time.perf_counter() - began}


def task_seconds(flow_run_id: object) -> dict[str, float]:
    """Each task run's duration in the flow run (and its report subflow), from the Prefect API."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs()
    flow_runs = {flow_run_id}
    with get_client(sync_client=True) as client:
        flow_runs |= {run.id for run in client.read_flow_runs() if run.parent_task_run_id}
    return {
        run.name.rsplit("-", 1)[0]: round(run.total_run_time.total_seconds(), 1)
        for run in sorted(runs, key=lambda run: run.start_time or run.expected_start_time)
        if run.flow_run_id in flow_runs
    }


def main() -> None:
    # Imported here, not at the top: with RESYNC_TASK_RUNNER=dask, each worker process Dask
    # spawns imports this module (multiprocessing's spawn re-imports the main module).
    from alembic import command
    from prefect.testing.utilities import prefect_test_harness

    from resync.cli import alembic_config

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ftas", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--baseline-ftas", type=int, default=10)
    arguments = parser.parse_args()
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    results: dict[str, object] = {"machine": describe_machine(), "ftas": arguments.ftas}
    server = PostgresServer().start()
    try:
        url = server.create_database("bench_capacity")
        command.upgrade(alembic_config(url), "head")
        dsn = url.replace("postgresql+psycopg", "postgresql")
        began = time.perf_counter()
        results["rows"] = load_history(dsn, arguments.ftas, arguments.days, end)
        results["load_seconds"] = round(time.perf_counter() - began, 1)
        print("loaded", results["rows"], "rows in", results["load_seconds"], "s", flush=True)

        os.environ["RESYNC_DATABASE_URL"] = url
        get_settings.cache_clear()
        from flows.capacity_forecast import capacity_forecast

        with prefect_test_harness(server_startup_timeout=120):
            load_before = os.getloadavg()[0]
            began = time.perf_counter()
            state = capacity_forecast(history_days=arguments.days, return_state=True)
            flow_seconds = time.perf_counter() - began
            summary = state.result()
            phases = task_seconds(state.state_details.flow_run_id)
        results["flow"] = {
            **summary,
            "seconds": round(flow_seconds, 1),
            "task_seconds": phases,
            "load_average_1min_before_and_after": [load_before, os.getloadavg()[0]],
        }
        print("flow", results["flow"], flush=True)

        horizon = get_settings().forecast_horizon_days
        loop = baseline_loop(dsn, arguments.baseline_ftas, arguments.days, end, horizon)
        per_series = loop["seconds"] / loop["series"]
        total_series = summary["series"]
        results["baseline"] = {
            "method": "per FTA pandas.read_sql; per series pandas hourly resample, statsmodels "
            "ETSModel(add, add, add, 24) fit, 90-day forecast with 80 % interval, crossing",
            "series_timed": loop["series"],
            "seconds_timed": round(loop["seconds"], 1),
            "seconds_per_series": round(per_series, 3),
            "extrapolated_to_series": total_series,
            "extrapolated_seconds": round(per_series * total_series, 1),
        }
        results["speedup_vs_baseline"] = round(per_series * total_series / flow_seconds, 1)
        print("baseline", results["baseline"], flush=True)
    finally:
        server.stop()
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
