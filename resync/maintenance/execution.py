"""Running an approved maintenance action on its FTA: an ad hoc job submitted through the master.

The catalogue builds the argv (`resync.maintenance.actions.build_argv`, arguments validated
again); here it becomes the job's task string, each argument limited to characters that need
no quoting but `;` and spaces, which `shlex.join` quotes, so nothing reaches the FTA's shell
but the command and its arguments. The job runs on the workstation the action names, as the
TWS user (`RESYNC_MAINTENANCE_TWS_USER`), under the scheduler's own audit, named from the run
and the action (`job_name`), so a run continued after a crash finds it in the plan rather than
submitting it twice. It is then followed in the plan until it ends, within a timeout, and its
joblog read, redacted and capped.
"""

import hashlib
import logging
import re
import shlex
import time
from dataclasses import dataclass

from resync.joblog.redaction import redact_joblog
from resync.jobs.hwa import AdHocJob, HwaClient
from resync.jobs.plan_items import PlanJobRun
from resync.jobs.schemas import FINISHED_STATUSES
from resync.maintenance.actions import ActionError
from resync.maintenance.types import ProposedAction

logger = logging.getLogger(__name__)

SAFE_ARGUMENT = re.compile(r"[A-Za-z0-9_.,:=+/@%-][A-Za-z0-9_.,:=+/@%; -]*")


@dataclass(frozen=True)
class JobOutcome:
    """How an action's job ended: its status (SUCC, ABEND, … or timed_out), return code,
    joblog (redacted, capped) and the plan's run of it (None if it never showed)."""

    status: str
    return_code: int | None
    joblog: str
    run: PlanJobRun | None


def job_name(run_id: str, action: ProposedAction) -> str:
    """The job's name in the plan: the command and a digest of the run and the action, e.g.
    RSY_CLEAN_STDLIST_1F0A9C3B (the same action in another run gets another name)."""
    digest = hashlib.sha256(f"{run_id}|{action.action_id}".encode()).hexdigest()[:8].upper()
    return f"RSY_{action.command.upper()}_{digest}"


def task_string(argv: list[str]) -> str:
    """The job's command line; ActionError for an argument a shell could read as code."""
    for argument in argv:
        if not SAFE_ARGUMENT.fullmatch(argument):
            raise ActionError(f"argument {argument!r} holds characters refused in a task string")
    return shlex.join(argv)


def ad_hoc_job(run_id: str, action: ProposedAction, argv: list[str], user: str) -> AdHocJob:
    """The ad hoc job that runs `argv` on the action's workstation as `user`."""
    return AdHocJob(
        workstation=str(action.arguments["workstation"]),
        job_name=job_name(run_id, action),
        task_string=task_string(argv),
        user_name=user,
    )


class JobLost(Exception):
    """An earlier attempt's job is no longer in the plan (a new plan dropped it): it is not
    submitted again."""


def submit_once(client: HwaClient, job: AdHocJob, recorded_id: str | None) -> tuple[str, bool]:
    """Submit `job` unless the plan already has it (an earlier, interrupted attempt submitted
    it): the master's id of the job, and whether this call submitted it. `recorded_id` is the
    id an earlier attempt recorded; such a job missing from the plan raises JobLost."""
    found = client.find_job(job.workstation, job.job_name)
    if found is not None:
        logger.info("job %s is in the plan already (%s): not submitted again", job.job_name, found)
        return found.run_id, False
    if recorded_id is not None:
        raise JobLost(
            f"not run again: job {job.job_name} ({recorded_id}) was submitted by an earlier "
            "attempt and is no longer in the plan; its joblog is in the scheduler's archive"
        )
    return client.submit_ad_hoc_job(job), True


def follow_job(
    client: HwaClient,
    job: AdHocJob,
    *,
    timeout_seconds: float,
    poll_seconds: float,
    joblog_max_bytes: int,
) -> JobOutcome:
    """Poll the plan until the job ends or `timeout_seconds` pass; then read its joblog."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        run = client.find_job(job.workstation, job.job_name)
        if run is not None and run.status in FINISHED_STATUSES:
            joblog = redact_joblog(client.get_joblog(run.run_id), joblog_max_bytes)
            return JobOutcome(run.status, run.return_code, joblog, run)
        if time.monotonic() >= deadline:
            seen = "not in the plan" if run is None else f"still {run.status}"
            message = f"timed out after {timeout_seconds:g} s: job {job.job_name} {seen}"
            return JobOutcome("timed_out", None, message, run)
        time.sleep(poll_seconds)
