"""Running the approved maintenance actions on their FTAs (whether they helped is
`tasks.maintenance_effects`).

Each approved action is an ad hoc job submitted through the master (`resync.maintenance.
execution`), audited before it is submitted and recorded once it ends; without
`RESYNC_MAINTENANCE_EXECUTE_ACTIONS` it is a dry run, and without a master to submit through it
is refused, the decision kept.
"""

import uuid
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from resync.db.engine import session_scope
from resync.db.models import MaintenanceReview, utcnow
from resync.jobs.errors import HwaError, HwaUnavailable
from resync.jobs.hwa import AdHocJob, HwaClient
from resync.maintenance.actions import ActionError, build_argv
from resync.maintenance.execution import JobLost, ad_hoc_job, follow_job, submit_once
from resync.maintenance.execution_store import (
    StartedExecution,
    finish_execution,
    record_submission,
    start_execution,
)
from resync.maintenance.store import run_action_decisions
from resync.maintenance.types import Finding, ProposedAction
from resync.settings import Settings, get_settings

NO_MASTER = (
    "refused: no HWA master to submit the job through ({error}); the approval is kept, set "
    "RESYNC_HWA_URL and its credentials to run approved actions"
)


def record_job_submission(execution_id: int, job_id: str, submitted: bool) -> None:
    """Keep the job's id on the audit row (its submit time when this attempt submitted it)."""
    with session_scope() as session:
        record_submission(session, execution_id, job_id, utcnow() if submitted else None)


def _run_job(
    client: HwaClient, job: AdHocJob, started: StartedExecution, settings: Settings
) -> dict:
    try:
        job_id, submitted = submit_once(client, job, started.job_id)
        record_job_submission(started.id, job_id, submitted)
        ended = follow_job(
            client,
            job,
            timeout_seconds=settings.maintenance_action_timeout_seconds,
            poll_seconds=settings.maintenance_action_poll_seconds,
            joblog_max_bytes=settings.maintenance_action_output_max_bytes,
        )
    except JobLost as error:
        return {"job_status": "lost", "exit_code": None, "output": str(error)}
    except HwaUnavailable as error:
        return {"job_status": "unavailable", "exit_code": None, "output": f"not run: {error}"}
    except HwaError as error:
        return {"job_status": "refused", "exit_code": None, "output": f"refused: {error}"}
    finished = ended.run.ended_at if ended.run is not None and ended.run.ended_at else utcnow()
    return {
        "job_status": ended.status,
        "exit_code": ended.return_code,
        "output": ended.joblog,
        "finished": finished,
    }


def _execute(
    run_id: str,
    action: ProposedAction,
    review: MaintenanceReview,
    client: HwaClient | None,
    no_master: str | None,
    settings: Settings,
) -> dict[str, Any] | None:
    execute = settings.maintenance_execute_actions
    job, result = None, None
    try:
        argv = build_argv(action)
        job = ad_hoc_job(run_id, action, argv, settings.maintenance_tws_user)
    except ActionError as error:
        argv = []
        result = {"job_status": "refused", "exit_code": None, "output": f"refused: {error}"}
    with session_scope() as session:
        started = start_execution(
            session,
            uuid.UUID(run_id),
            action.model_dump(mode="json"),
            argv,
            dry_run=not execute,
            review=review,
            job_name=job.job_name if job else None,
        )
    if started.finished:
        get_run_logger().warning("action %s ran before; not run again", action.action_id)
        return None
    if job is not None and not execute:
        output = (
            f"dry run: would submit `{job.task_string}` as job {job.job_name} on "
            f"{job.workstation} as {job.user_name}"
        )
        result = {"job_status": "dry_run", "exit_code": None, "output": output}
    elif job is not None and client is None:
        result = {"job_status": "refused", "exit_code": None, "output": no_master}
    elif job is not None:
        result = _run_job(client, job, started, settings)
    with session_scope() as session:
        finish_execution(
            session,
            started.id,
            job_status=result["job_status"],
            exit_code=result["exit_code"],
            output=result["output"],
            finished=result.get("finished") or utcnow(),
        )
    get_run_logger().info(
        "action %s: %s, return code %s",
        action.action_id,
        result["job_status"],
        result["exit_code"],
    )
    return {
        "action_id": action.action_id,
        "argv": argv,
        "dry_run": not execute,
        "job_name": job.job_name if job else None,
        "job_status": result["job_status"],
        "exit_code": result["exit_code"],
    }


@task(cache_policy=NONE)
def execute_approved_actions(run_id: str, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run each approved action once on its FTA, through the master (a dry run unless enabled),
    auditing it before it is submitted and recording its job's end, return code and joblog."""
    settings = get_settings()
    with session_scope() as session:
        reviews = run_action_decisions(session, uuid.UUID(run_id)).reviews
    approved = [
        action
        for finding in (Finding.model_validate(item) for item in findings)
        for action in finding.actions
        if (review := reviews.get(action.action_id)) is not None and review.decision == "approved"
    ]
    client, no_master = None, None
    if approved and settings.maintenance_execute_actions:
        try:
            client = HwaClient.from_settings(settings)
        except HwaError as error:
            no_master = NO_MASTER.format(error=error)
            get_run_logger().warning("approved actions not run: %s", no_master)
    try:
        outcomes = [
            _execute(run_id, action, reviews[action.action_id], client, no_master, settings)
            for action in approved
        ]
    finally:
        if client is not None:
            client.close()
    return [outcome for outcome in outcomes if outcome is not None]
