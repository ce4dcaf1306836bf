"""Predictive maintenance's history analysis by task runner and FTAs per task run, on PostgreSQL:
the peak memory of the flow process and of the Dask workers as the estate grows.

    .venv/bin/python -m benchmarks.maintenance_scaling [--ftas 200 400] [--days 30]
        [--runs threads:10000 threads:25 dask:5 dask:25 dask:100] [--dask-workers 2]

For each `--ftas`, the history of that many FTAs is bulk-loaded into a database of its own as in
benchmarks/capacity_scale.py (5-minute samples, no job runs); then each run (`runner:FTAs per
task run`; threads:10000 is the whole estate in one task run) is a process of its own, so its
peak RSS is its own: a flow, on a temporary Prefect server, running the steps of the
maintenance graph that read the history (fetch_data, analyze_degradation, correlate). Each run
records its wall time, the peak RSS of the flow process, the summed peak RSS of the Dask
workers (sampled twice a second), and the load average around it.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

from benchmarks.capacity_scale import load_history
from benchmarks.machine import describe_machine
from tests.support.postgres import PostgresServer

RESULTS = Path(__file__).resolve().parent / "results" / "maintenance_scaling.json"
ROOT = Path(__file__).resolve().parents[1]


def workers_rss() -> int:
    """The summed RSS of this process's Dask worker processes (spawned children)."""
    rss = 0
    for child in psutil.Process().children(recursive=True):
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                rss += child.memory_info().rss
        except psutil.Error:
            continue
    return rss


def analyse_history(runner: str, ftas_per_task: int) -> dict[str, Any]:
    """One run, in this process: the maintenance graph's history steps in a flow."""
    # Imported here, not at the top: Dask's spawned workers import this module too.
    from prefect import flow
    from prefect.testing.utilities import prefect_test_harness

    from graphs.maintenance import nodes
    from tasks.task_runner import configured_task_runner

    @flow(name="maintenance-history-analysis")
    def analyse() -> dict[str, int]:
        state = nodes.fetch_data({})
        state |= nodes.analyze_degradation(state)
        state |= nodes.correlate(state)
        return {
            "ftas": len(state["workstations"]),
            "degradations": len(state["degradations"]),
            "correlations": len(state["correlations"]),
            "fta_errors": len(state["fta_errors"]),
        }

    peak = 0
    stopped = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stopped.wait(0.5):
            peak = max(peak, workers_rss())

    with prefect_test_harness(server_startup_timeout=300):
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        load_before = os.getloadavg()[0]
        began = time.perf_counter()
        found = analyse.with_options(task_runner=configured_task_runner())()
        seconds = time.perf_counter() - began
        stopped.set()
        sampler.join()
    return {
        "runner": runner,
        "ftas_per_task": ftas_per_task,
        "seconds": round(seconds, 1),
        "flow_process_peak_rss_mib": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ),
        "dask_workers_peak_rss_mib": round(peak / 2**20),
        "load_average_1min_before_and_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        **found,
    }


def run_child(url: str, run: str, dask_workers: int) -> dict[str, Any]:
    """`run` (runner:FTAs per task run) in a process of its own on the database at `url`."""
    runner, ftas_per_task = run.split(":")
    environment = {
        **os.environ,
        "RESYNC_DATABASE_URL": url,
        "RESYNC_TASK_RUNNER": runner,
        "RESYNC_FTAS_PER_TASK": ftas_per_task,
        "RESYNC_DASK_WORKERS": str(dask_workers),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    command = [sys.executable, "-m", "benchmarks.maintenance_scaling", "--child", run]
    finished = subprocess.run(
        command, env=environment, cwd=ROOT, capture_output=True, text=True, check=True
    )
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ftas", type=int, nargs="+", default=[200, 400])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument(
        "--runs",
        nargs="+",
        default=["threads:10000", "threads:25", "dask:5", "dask:25", "dask:100"],
    )
    parser.add_argument("--dask-workers", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        runner, ftas_per_task = arguments.child.split(":")
        print(json.dumps(analyse_history(runner, int(ftas_per_task))))
        return

    from alembic import command

    from resync.cli import alembic_config

    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    results: dict[str, Any] = {
        "machine": describe_machine(),
        "command": " ".join(["python -m benchmarks.maintenance_scaling", *sys.argv[1:]]),
        "days": arguments.days,
        "dask_workers": arguments.dask_workers,
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "estates": [],
    }
    server = PostgresServer().start()
    try:
        for ftas in arguments.ftas:
            url = server.create_database(f"bench_maintenance_scaling_{ftas}")
            command.upgrade(alembic_config(url), "head")
            dsn = url.replace("postgresql+psycopg", "postgresql")
            rows = load_history(dsn, ftas, arguments.days, end)
            print("loaded", ftas, "FTAs,", rows, "rows", flush=True)
            runs = [run_child(url, run, arguments.dask_workers) for run in arguments.runs]
            results["estates"].append({"ftas": ftas, "rows": rows, "runs": runs})
    finally:
        server.stop()
    results["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
