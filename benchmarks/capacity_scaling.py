"""The capacity flow's scaling from the thread runner to 1..N Dask worker processes, on PostgreSQL.

    .venv/bin/python -m benchmarks.capacity_scaling [--ftas 1000] [--days 30] [--workers 1 2]

The history of `--ftas` FTAs is bulk-loaded as in benchmarks/capacity_scale.py; then the
capacity-forecast flow runs once on the thread runner (the default, the baseline of this run)
and once on a local Dask cluster of each `--workers` count, in that order, each run a full flow
with its report. Each run records its wall time, the forecast step's span (first forecast task
run started → last one ended), the CPU seconds of the flow process and of the Dask workers, the
peak memory of each, and the 1-minute load average around it: on a shared machine the load is
part of the figure. Per FTA: wall seconds and CPU seconds per run. The history's size on disk
per sample (tables and indexes) sizes the disk per FTA-year.
"""

import argparse
import json
import os
import resource
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

from benchmarks.capacity_scale import load_history
from benchmarks.machine import describe_machine
from tests.support.postgres import PostgresServer

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
RESULTS = Path(__file__).resolve().parent / "results" / "capacity_scaling.json"
HISTORY_SIZE = """
    SELECT count(*) FILTER (WHERE relkind IN ('r', 'p')),
           coalesce(sum(pg_total_relation_size(oid)), 0)
    FROM pg_class WHERE oid IN (
        SELECT inhrelid FROM pg_inherits
        WHERE inhparent = 'workstation_metrics_history'::regclass
        UNION SELECT 'workstation_metrics_history'::regclass)
"""


class ProcessSampler(threading.Thread):
    """Once a second, the RSS and CPU times of the Dask worker processes (spawned children);
    keeps each worker's last CPU reading and the peak of their summed RSS."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stopped = threading.Event()
        self.cpu: dict[int, float] = {}
        self.peak_rss = 0

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            rss = 0
            for child in psutil.Process().children(recursive=True):
                try:
                    if "spawn_main" not in " ".join(child.cmdline()):
                        continue
                    times = child.cpu_times()
                    self.cpu[child.pid] = times.user + times.system
                    rss += child.memory_info().rss
                except psutil.Error:
                    continue
            self.peak_rss = max(self.peak_rss, rss)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def forecast_span(flow_run_id: Any) -> dict[str, float]:
    """The forecast task runs of the flow run: their count, span and summed run time."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    forecasts = [run for run in runs if run.name.startswith("forecast_metric_series")]
    start = min(run.start_time for run in forecasts)
    end = max(run.end_time for run in forecasts)
    return {
        "task_runs": len(forecasts),
        "span_seconds": round((end - start).total_seconds(), 1),
        "summed_run_seconds": round(sum(r.total_run_time.total_seconds() for r in forecasts), 1),
    }


def run_flow(label: str, workers: int, days: int, ftas: int) -> dict[str, Any]:
    """One capacity flow run on the thread runner (`workers` 0) or `workers` Dask processes."""
    from flows.capacity_forecast import capacity_forecast
    from resync.settings import Settings
    from tasks.task_runner import configured_task_runner

    settings = Settings(task_runner="dask", dask_workers=workers) if workers else Settings()
    flow = capacity_forecast.with_options(task_runner=configured_task_runner(settings))
    sampler = ProcessSampler()
    sampler.start()
    load_before, cpu_before = os.getloadavg()[0], _cpu_seconds()
    began = time.perf_counter()
    state = flow(history_days=days, return_state=True)
    seconds = time.perf_counter() - began
    flow_cpu = _cpu_seconds() - cpu_before
    sampler.stopped.set()
    sampler.join()
    summary = state.result()
    worker_cpu = sum(sampler.cpu.values())
    result = {
        "runner": label,
        "dask_workers": workers,
        "seconds": round(seconds, 1),
        "forecast": forecast_span(state.state_details.flow_run_id),
        "flow_process_cpu_seconds": round(flow_cpu, 1),
        "dask_workers_cpu_seconds": round(worker_cpu, 1),
        "flow_process_peak_rss_mib": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ),
        "dask_workers_peak_rss_mib": round(sampler.peak_rss / 2**20),
        "seconds_per_fta": round(seconds / ftas, 3),
        "cpu_seconds_per_fta": round((flow_cpu + worker_cpu) / ftas, 3),
        "load_average_1min_before_and_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "series": summary["series"],
        "forecast_series": summary["forecast"],
        "partial": summary["partial"],
    }
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    from alembic import command
    from prefect.testing.utilities import prefect_test_harness

    from resync.cli import alembic_config
    from resync.settings import get_settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ftas", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args()
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    results: dict[str, Any] = {
        "machine": describe_machine(),
        "ftas": arguments.ftas,
        "days": arguments.days,
        "ftas_per_task": get_settings().ftas_per_task,
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }
    server = PostgresServer().start()
    try:
        url = server.create_database("bench_capacity_scaling")
        command.upgrade(alembic_config(url), "head")
        dsn = url.replace("postgresql+psycopg", "postgresql")
        began = time.perf_counter()
        rows = load_history(dsn, arguments.ftas, arguments.days, end)
        results["rows"] = rows
        results["load_seconds"] = round(time.perf_counter() - began, 1)
        import psycopg

        with psycopg.connect(dsn) as connection:
            _, size = connection.execute(HISTORY_SIZE).fetchone()
        results["history_bytes"] = int(size)
        results["history_bytes_per_sample"] = round(int(size) / rows, 1)
        print("loaded", rows, "rows,", size, "bytes", flush=True)

        os.environ["RESYNC_DATABASE_URL"] = url
        get_settings.cache_clear()
        runs = []
        with prefect_test_harness(server_startup_timeout=300):
            runs.append(run_flow("threads", 0, arguments.days, arguments.ftas))
            for workers in arguments.workers:
                runs.append(run_flow("dask", workers, arguments.days, arguments.ftas))
        results["runs"] = runs
        baseline = runs[0]["seconds"]
        results["speedup_vs_threads"] = {
            f"dask_{run['dask_workers']}": round(baseline / run["seconds"], 2) for run in runs[1:]
        }
    finally:
        server.stop()
    results["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
