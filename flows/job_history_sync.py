"""Job-history sync: the master's finished job runs into `job_execution_history`, every 15 min."""

from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger

from resync.jobs.schemas import FAILED_STATUSES
from resync.settings import get_settings
from tasks.counts_artifact import publish_counts
from tasks.decision_support import start_failure_analysis
from tasks.job_history import (
    fetch_failed_joblogs,
    fetch_plan_job_runs,
    read_job_history_watermark,
    select_new_job_runs,
    store_job_history,
)


def _run_name() -> str:
    return f"job-history-{datetime.now(UTC):%Y%m%d-%H%M%S}"


@flow(name="job-history-sync", flow_run_name=_run_name)
def job_history_sync() -> dict[str, Any]:
    """Read the plan's job runs from the HWA REST API and store the new finished ones once."""
    settings = get_settings()
    if not settings.hwa_url:
        get_run_logger().warning(
            "RESYNC_HWA_URL is not set, so there is no master to read job runs from: set it "
            "(e.g. https://tws-master:31116) with RESYNC_HWA_TOKEN or RESYNC_HWA_USER and "
            "RESYNC_HWA_PASSWORD, or have the master push runs to POST /api/v1/jobs/executions"
        )
        return {"status": "not_configured"}
    watermark = read_job_history_watermark()
    runs = fetch_plan_job_runs()
    new_runs = select_new_job_runs(runs, watermark, settings.job_history_overlap_hours)
    joblogs = fetch_failed_joblogs(new_runs)
    counts = store_job_history(new_runs, joblogs)
    start_failure_analysis([run.run_id for run in new_runs if run.status in FAILED_STATUSES])
    summary = {
        "status": "synced",
        "watermark": None if watermark is None else watermark.isoformat(),
        "plan_runs": len(runs),
        "new_finished_runs": len(new_runs),
        **counts,
    }
    publish_counts(
        "job-history-sync",
        "Job history sync",
        "Job runs read from the HWA master and stored",
        summary,
    )
    return summary


if __name__ == "__main__":
    job_history_sync()
