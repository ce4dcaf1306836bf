"""Job-history sync tasks: read the master's plan, pick the new finished runs, store them.

The watermark is the latest end time already stored in `job_execution_history`; runs that
ended within `job_history_overlap_hours` before it are looked at again (a master learns late of
runs on an unlinked FTA), and their run ids decide what is new. Only finished runs are stored:
a row is written once and never updated. Reads from the master retry when it is unavailable
(connection, timeout, 5xx), not when it refuses the credentials.
"""

from datetime import datetime, timedelta
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from pydantic import ValidationError

from resync.db.engine import session_scope
from resync.jobs.errors import HwaError, HwaUnavailable
from resync.jobs.hwa import HwaClient
from resync.jobs.plan_items import PlanJobRun
from resync.jobs.schemas import FAILED_STATUSES, FINISHED_STATUSES, JobRun
from resync.jobs.store import latest_job_end, store_job_runs, stored_run_ids
from resync.settings import get_settings

HWA_RETRY_DELAYS = [2, 10, 30]


def retry_when_unavailable(_task: Any, _task_run: Any, state: Any) -> bool:
    """Retry a master read only when the master was unavailable, not when it refused us."""
    try:
        state.result()
    except HwaUnavailable:
        return True
    except Exception:
        return False
    return False


@task(
    retries=3,
    retry_delay_seconds=HWA_RETRY_DELAYS,
    retry_condition_fn=retry_when_unavailable,
    cache_policy=NONE,
)
def fetch_plan_job_runs() -> list[PlanJobRun]:
    """Every job run of the master's current plan, page by page."""
    with HwaClient.from_settings(get_settings()) as client:
        return client.list_job_runs()


@task(cache_policy=NONE)
def read_job_history_watermark() -> datetime | None:
    """The latest end time stored in `job_execution_history`, or None when it is empty."""
    with session_scope() as session:
        return latest_job_end(session)


@task(cache_policy=NONE)
def select_new_job_runs(
    runs: list[PlanJobRun], watermark: datetime | None, overlap_hours: float
) -> list[PlanJobRun]:
    """Finished runs that ended after the watermark less the overlap and are not stored yet."""
    since = None if watermark is None else watermark - timedelta(hours=overlap_hours)
    candidates = {
        run.run_id: run
        for run in runs
        if run.status in FINISHED_STATUSES
        and run.started_at is not None
        and (since is None or (run.ended_at or run.started_at) >= since)
    }
    if not candidates:
        return []
    with session_scope() as session:
        stored = stored_run_ids(session, list(candidates))
    return [run for run_id, run in candidates.items() if run_id not in stored]


@task(
    retries=3,
    retry_delay_seconds=HWA_RETRY_DELAYS,
    retry_condition_fn=retry_when_unavailable,
    cache_policy=NONE,
)
def fetch_failed_joblogs(runs: list[PlanJobRun]) -> dict[str, str]:
    """The joblogs of the failed runs, by run id; a joblog the master no longer has is skipped."""
    logger = get_run_logger()
    joblogs = {}
    with HwaClient.from_settings(get_settings()) as client:
        for run in runs:
            if run.status not in FAILED_STATUSES:
                continue
            try:
                joblogs[run.run_id] = client.get_joblog(run.run_id)
            except HwaUnavailable:
                raise
            except HwaError as error:
                logger.warning("No joblog for %s: %s", run.run_id, error)
    return joblogs


def _job_run(run: PlanJobRun, joblog: str | None) -> JobRun:
    return JobRun(
        workstation=run.workstation,
        job_stream=run.job_stream,
        job_name=run.job_name,
        run_id=run.run_id,
        status=run.status,
        return_code=run.return_code,
        started_at=run.started_at,
        ended_at=run.ended_at,
        joblog=joblog,
    )


@task(cache_policy=NONE)
def store_job_history(runs: list[PlanJobRun], joblogs: dict[str, str]) -> dict[str, int]:
    """Insert the runs (joblogs capped) once each; runs the schema refuses are logged, skipped."""
    logger = get_run_logger()
    valid, rejected = [], 0
    for run in runs:
        try:
            valid.append(_job_run(run, joblogs.get(run.run_id)))
        except ValidationError as error:
            rejected += 1
            logger.warning("Job run %s skipped: %s", run.run_id, error.errors()[0]["msg"])
    with session_scope() as session:
        duplicates = store_job_runs(session, valid, get_settings().joblog_max_bytes)
    return {
        "stored": duplicates.count(False),
        "duplicates": duplicates.count(True),
        "rejected": rejected,
        "joblogs": sum(run.run_id in joblogs for run in valid),
    }
