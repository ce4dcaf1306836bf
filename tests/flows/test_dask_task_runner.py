"""The capacity flow on a local Dask cluster (two worker processes) stores what it stores on
the default thread runner, on both backends; the task runner is the one the settings choose.

Starting the cluster (two spawned worker processes importing Prefect and the forecasting stack)
costs a few seconds of the test; the forecasting work is three small FTAs.
"""

import time
import uuid
from datetime import timedelta

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.task_runners import ThreadPoolTaskRunner
from prefect_dask import DaskTaskRunner
from pydantic import ValidationError
from sqlalchemy import select

from flows.capacity_forecast import capacity_forecast
from resync.db.engine import session_scope
from resync.db.models import CapacityForecast
from resync.settings import Settings, get_settings
from tasks.capacity import FORECAST_COLUMNS
from tasks.task_runner import configured_task_runner, fta_groups
from tests.support.capacity_data import history_frame, now_hour, store_history

HOST = {"cpu_count": 8, "memory_total_mb": 32768, "disk_total_gb": 500}
STORED = (*FORECAST_COLUMNS, "order_by_date", "saturation_probability", "recommendation")


def stored_forecasts(run_id: str) -> dict[tuple[str, str], tuple]:
    with session_scope() as session:
        rows = session.scalars(
            select(CapacityForecast).where(CapacityForecast.run_id == uuid.UUID(run_id))
        )
        return {(r.workstation, r.resource): tuple(getattr(r, c) for c in STORED) for r in rows}


def run_log(flow_run_id: uuid.UUID, wanted: str, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        with get_client(sync_client=True) as client:
            logs = client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
            )
        messages = [log.message for log in logs]
        if any(wanted in message for message in messages) or time.monotonic() > deadline:
            return messages


def test_dask_workers_store_what_the_thread_runner_stores(
    database_url: str, prefect_api: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    end = now_hour() - timedelta(minutes=5)
    store_history(history_frame("FTA-FILL", 14, end, disk_start=60, disk_per_day=1.0), HOST)
    store_history(history_frame("FTA-FLAT", 14, end, seed=1), HOST)
    store_history(history_frame("FTA-NEW", 3, end, seed=2), HOST)
    # One FTA per task run: three forecast task runs over the two workers.
    monkeypatch.setenv("RESYNC_FTAS_PER_TASK", "1")
    get_settings.cache_clear()
    threads = capacity_forecast.with_options(task_runner=configured_task_runner())()

    monkeypatch.setenv("RESYNC_TASK_RUNNER", "dask")
    monkeypatch.setenv("RESYNC_DASK_WORKERS", "2")
    get_settings.cache_clear()
    runner = configured_task_runner()
    state = capacity_forecast.with_options(task_runner=runner)(return_state=True)
    dask = state.result()

    assert runner.cluster_kwargs["n_workers"] == 2 and runner.cluster_kwargs["processes"]
    expected = stored_forecasts(threads["run_id"])
    assert len(expected) == 12 and any(
        row[STORED.index("recommendation")] for row in expected.values()
    )
    assert stored_forecasts(dask["run_id"]) == expected
    assert {k: v for k, v in dask.items() if k not in ("run_id", "report_id")} == {
        k: v for k, v in threads.items() if k not in ("run_id", "report_id")
    }
    # The cluster starts at the first task run submitted to it: the forecasts went to Dask.
    created = "Creating a new Dask cluster with `distributed.deploy.local.LocalCluster`"
    assert created in run_log(state.state_details.flow_run_id, created)


def test_the_settings_choose_the_runner_and_the_groups() -> None:
    assert isinstance(configured_task_runner(Settings()), ThreadPoolTaskRunner)
    remote = configured_task_runner(Settings(task_runner="dask", dask_address="tcp://dask:8786"))
    assert isinstance(remote, DaskTaskRunner) and remote.address == "tcp://dask:8786"
    with pytest.raises(ValidationError, match="set RESYNC_TASK_RUNNER=dask to run on that"):
        Settings(dask_address="tcp://dask:8786")
    names = [f"FTA-{index:03d}" for index in range(7)]
    assert fta_groups(names, Settings(ftas_per_task=3)) == [names[:3], names[3:6], names[6:]]
