"""The task runner the analysis flows fan their per-FTA work out on, chosen by settings.

With `RESYNC_TASK_RUNNER=threads` (the default) task runs go to threads of the flow's process:
nothing to start, but CPU-bound work shares one core. With `dask` they go to Dask worker
processes: a local cluster of `RESYNC_DASK_WORKERS` started for the flow run, or the existing
cluster whose scheduler is `RESYNC_DASK_ADDRESS`. Either way the same tasks run, mapped over
groups of `RESYNC_FTAS_PER_TASK` FTAs (decision support: batches of `RESYNC_FAILURE_BATCH_RUNS`
failed runs).

A task run on a Dask worker opens its own database engine from the worker's settings
(`resync.db.engine.get_engine`); the workers of a local cluster inherit the flow's environment,
those of an existing cluster need its `RESYNC_*` variables (`RESYNC_DATABASE_BLOCK` at least).
"""

import os
from typing import TypeVar

from prefect.settings import get_current_settings
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect_dask import DaskTaskRunner

from resync.db.engine import POOL_SIZE
from resync.settings import Settings, get_settings

Item = TypeVar("Item")


def configured_task_runner(settings: Settings | None = None) -> TaskRunner:
    """The task runner `settings` (the process's by default) ask for."""
    settings = settings or get_settings()
    if settings.task_runner == "threads":
        # Prefect's thread runner would start every group's task run at once, each holding its
        # FTAs' history and a database connection: past the engine's pool they only queue for
        # one. Prefect's own PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS, when set, decides.
        limit = get_current_settings().tasks.runner.thread_pool_max_workers or POOL_SIZE
        return ThreadPoolTaskRunner(max_workers=limit)
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    # A thread per worker process: the forecasts are CPU-bound and would share its GIL.
    cluster = {
        "n_workers": settings.dask_workers or os.cpu_count() or 1,
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": None,
    }
    return DaskTaskRunner(cluster_kwargs=cluster)


def in_groups(items: list[Item], size: int) -> list[list[Item]]:
    """`items` in consecutive groups of `size`, one task run each."""
    return [items[index : index + size] for index in range(0, len(items), size)]


def fta_groups(names: list[str], settings: Settings | None = None) -> list[list[str]]:
    """`names` in groups of `ftas_per_task`, one task run each."""
    return in_groups(names, (settings or get_settings()).ftas_per_task)
