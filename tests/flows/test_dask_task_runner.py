"""The capacity, maintenance and decision-support flows on a Dask cluster (two worker processes,
the database read from Prefect's block as deployments do) store what they store on the default
thread runner, on both backends; the task runner is the one the settings choose.

The forecasting work is three small FTAs; the cluster is most of the cost: at a load average of
12 on this 2-core machine, two worker processes were up in 5.5 s and the first task run, which
imports Prefect and the forecasting stack in the worker, ended 30 s later. So the module's tests
share one cluster, started as the task runner would start its own, and reach it by address as
flows reach an existing cluster (`RESYNC_DASK_ADDRESS`).
"""

import logging
import math
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from distributed import Client, LocalCluster
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect_dask import DaskTaskRunner
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.engine import make_url

from flows.capacity_forecast import capacity_forecast
from resync.db.connection_block import save_connection_block
from resync.db.engine import session_scope
from resync.db.models import CapacityForecast
from resync.settings import Settings, get_settings
from tasks.capacity import FORECAST_COLUMNS
from tasks.task_runner import configured_task_runner, fta_groups
from tests.support.capacity_data import history_frame, now_hour, store_history
from tests.support.dask_workers import opened_database, use_database_block
from tests.support.failed_runs import analyse_and_forget, store_failed_runs
from tests.support.maintenance_estate import FAN_OUT_ESTATE, load_estate_on_grid
from tests.support.maintenance_prefect import completed_task_runs, run_and_read_findings

HOST = {"cpu_count": 8, "memory_total_mb": 32768, "disk_total_gb": 500}
STORED = (*FORECAST_COLUMNS, "order_by_date", "saturation_probability", "recommendation")


def stored_forecasts(run_id: str) -> dict[tuple[str, str], tuple]:
    with session_scope() as session:
        rows = session.scalars(
            select(CapacityForecast).where(CapacityForecast.run_id == uuid.UUID(run_id))
        )
        return {(r.workstation, r.resource): tuple(getattr(r, c) for c in STORED) for r in rows}


def same(found: object, expected: object) -> bool:
    """Equal, floats to 1e-9 relative: PostgreSQL's float sums may add in another order."""
    if isinstance(expected, float) and isinstance(found, float):
        return math.isclose(found, expected, rel_tol=1e-9)
    if isinstance(expected, dict) and isinstance(found, dict):
        return found.keys() == expected.keys() and all(same(found[k], expected[k]) for k in found)
    if isinstance(expected, list | tuple) and isinstance(found, list | tuple):
        return len(found) == len(expected) and all(map(same, found, expected))
    return found == expected


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[LocalCluster]:
    """A local cluster as the task runner starts one with `RESYNC_DASK_WORKERS=2`."""
    runner = configured_task_runner(Settings(task_runner="dask", dask_workers=2))
    assert runner.cluster_kwargs["n_workers"] == 2 and runner.cluster_kwargs["processes"]
    with LocalCluster(**runner.cluster_kwargs) as cluster:
        yield cluster


@pytest.fixture
def use_dask(
    database_url: str,
    prefect_api: None,
    dask_cluster: LocalCluster,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> Iterator[Callable[[], TaskRunner]]:
    """Switches the test's settings to Dask, as deployed: the cluster by address, the database
    only from Prefect's block, which each worker reads itself; returns the task runner they
    configure. Afterwards, the task runs went to the cluster, and every worker that opened a
    database opened the test's."""
    address = dask_cluster.scheduler_address

    def switch() -> TaskRunner:
        block = f"resync-database-{uuid.uuid4().hex[:8]}"
        save_connection_block(database_url, block)
        with Client(address, set_as_default=False) as client:
            client.run(use_database_block, block)
        monkeypatch.setenv("RESYNC_DATABASE_BLOCK", block)
        monkeypatch.delenv("RESYNC_DATABASE_URL")
        monkeypatch.setenv("RESYNC_TASK_RUNNER", "dask")
        monkeypatch.setenv("RESYNC_DASK_ADDRESS", address)
        get_settings.cache_clear()
        caplog.set_level(logging.INFO, logger="prefect")
        return configured_task_runner()

    yield switch
    logged = [record.getMessage() for record in caplog.get_records("call")]
    assert f"Connecting to an existing Dask cluster at {address}" in logged
    with Client(address, set_as_default=False) as client:
        opened = set(client.run(opened_database).values()) - {None}
    assert opened == {make_url(database_url).database}


def test_dask_workers_store_what_the_thread_runner_stores(
    use_dask: Callable[[], TaskRunner],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    end = now_hour() - timedelta(minutes=5)
    store_history(history_frame("FTA-FILL", 14, end, disk_start=60, disk_per_day=1.0), HOST)
    store_history(history_frame("FTA-FLAT", 14, end, seed=1), HOST)
    store_history(history_frame("FTA-NEW", 3, end, seed=2), HOST)
    # One FTA per task run: three forecast task runs over the two workers.
    monkeypatch.setenv("RESYNC_FTAS_PER_TASK", "1")
    get_settings.cache_clear()
    threads = capacity_forecast.with_options(task_runner=configured_task_runner())()

    runner = use_dask()
    dask = capacity_forecast.with_options(task_runner=runner)()

    expected = stored_forecasts(threads["run_id"])
    assert len(expected) == 12 and any(
        row[STORED.index("recommendation")] for row in expected.values()
    )
    assert same(stored_forecasts(dask["run_id"]), expected)
    assert {k: v for k, v in dask.items() if k not in ("run_id", "report_id")} == {
        k: v for k, v in threads.items() if k not in ("run_id", "report_id")
    }


def test_dask_workers_find_what_the_thread_runner_finds(
    use_dask: Callable[[], TaskRunner],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RESYNC_MAINTENANCE_REVIEW_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("RESYNC_MAINTENANCE_REVIEW_POLL_INTERVAL_SECONDS", "1")
    same_rows_until = load_estate_on_grid(FAN_OUT_ESTATE)
    threads = run_and_read_findings()

    # One FTA per task run: five analysis task runs over the two workers.
    monkeypatch.setenv("RESYNC_FTAS_PER_TASK", "1")
    runner = use_dask()
    dask = run_and_read_findings(runner)

    assert dask["at"] < same_rows_until, "the runs' windows no longer hold the same rows"
    assert {finding[:2] for finding in threads["findings"]} >= {
        ("FTA001", "disk_filling"),
        ("FTA002", "job_failures"),
    }
    assert dask["findings"] == threads["findings"]
    assert completed_task_runs([dask["flow_run_id"]])["analyze_fta_degradation"] == 5


def test_dask_workers_write_the_cards_the_thread_runner_writes(
    use_dask: Callable[[], TaskRunner],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_ids = store_failed_runs(5)
    threads = analyse_and_forget(run_ids)

    # One run per batch: five reading and five classifying task runs over the two workers.
    monkeypatch.setenv("RESYNC_FAILURE_BATCH_RUNS", "1")
    runner = use_dask()
    dask = analyse_and_forget(run_ids, runner)

    assert (threads["fetched"], dask["fetched"]) == (1, 5)
    assert len(threads["cards"]) == 5 and dask["cards"] == threads["cards"]


def test_the_settings_choose_the_runner_and_the_groups() -> None:
    assert isinstance(configured_task_runner(Settings()), ThreadPoolTaskRunner)
    remote = configured_task_runner(Settings(task_runner="dask", dask_address="tcp://dask:8786"))
    assert isinstance(remote, DaskTaskRunner) and remote.address == "tcp://dask:8786"
    with pytest.raises(ValidationError, match="set RESYNC_TASK_RUNNER=dask to run on that"):
        Settings(dask_address="tcp://dask:8786")
    names = [f"FTA-{index:03d}" for index in range(7)]
    assert fta_groups(names, Settings(ftas_per_task=3)) == [names[:3], names[3:6], names[6:]]
