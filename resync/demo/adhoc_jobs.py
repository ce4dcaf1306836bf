"""Ad hoc jobs on the fake master: submitted to the plan, then READY → EXEC → SUCC or ABEND.

A submitted job waits `start_after` seconds READY, runs `run_seconds` in EXEC, then ends with
the return code and output of `run(workstation, task_string)` (by default `simulated_run`:
what the catalogue's commands print on an FTA), SUCC on 0 and ABEND otherwise; `on_end` is
called once when it ends (the demo lowers the simulated FTA's disk there). States advance when
the plan is read, as a real plan shows them to whoever looks. The joblog is a TWS stdlist: the
banner with job, user, command and job number, the output, then the exit status.
"""

import shlex
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

RULE = "=" * 63


@dataclass
class AdHocRun:
    """One ad hoc job of the fake plan."""

    run_id: str
    job_key: str
    workstation: str
    job_name: str
    task_string: str
    user_name: str
    job_number: int
    submitted: float
    submitted_at: datetime
    return_code: int | None = None
    output: str = ""

    @property
    def ended(self) -> bool:
        return self.return_code is not None


def simulated_run(workstation: str, task_string: str) -> tuple[int, str]:
    """What the catalogue's command prints on a healthy FTA, and its return code."""
    argv = shlex.split(task_string)
    if argv[0] == "rmstdlist":
        since = datetime.now(UTC) - timedelta(days=int(argv[1]))
        days = [since - timedelta(days=offset) for offset in range(1, 4)]
        removed = "\n".join(f"/opt/tws/stdlist/{day:%Y.%m.%d}" for day in days)
        return 0, f"Removing stdlist directories older than {argv[1]} days\n{removed}"
    if argv[0] == "evtsize":
        return 0, f"{argv[1]}: maximum size set to {argv[2]} bytes"
    if argv[0] == "lvextend":
        return 0, (
            f"  Size of logical volume {argv[-1]} changed.\n"
            f"  Logical volume {argv[-1]} successfully resized.\n"
            "resize2fs 1.46.5: the filesystem on it is now larger."
        )
    if argv[0] == "conman":
        return 0, f"%{argv[1]}\nJob limit of {workstation} changed."
    return 127, f"{argv[0]}: not found"


class AdHocJobs:
    """The ad hoc jobs submitted to one fake master, thread-safe."""

    def __init__(
        self,
        *,
        start_after: float = 0.5,
        run_seconds: float = 1.0,
        run: Callable[[str, str], tuple[int, str]] = simulated_run,
        on_end: Callable[[AdHocRun], None] | None = None,
    ) -> None:
        self.start_after, self.run_seconds = start_after, run_seconds
        self.run, self.on_end = run, on_end
        self.runs: list[AdHocRun] = []
        self._lock = threading.Lock()

    def submit(self, workstation: str, job_name: str, task_string: str, user: str) -> AdHocRun:
        with self._lock:
            run = AdHocRun(
                run_id=str(uuid.uuid4()),
                job_key=f"{workstation};JOBS;{job_name}",
                workstation=workstation,
                job_name=job_name,
                task_string=task_string,
                user_name=user,
                job_number=4000 + len(self.runs),
                submitted=time.monotonic(),
                submitted_at=datetime.now(UTC),
            )
            self.runs.append(run)
        return run

    def plan_items(self) -> list[dict[str, Any]]:
        """Every ad hoc job as an item of `/plan/job`, its state advanced to now."""
        with self._lock:
            return [self._item(run) for run in self.runs]

    def joblog(self, run_id: str) -> str | None:
        with self._lock:
            for run in self.runs:
                if run.run_id == run_id and time.monotonic() >= run.submitted + self.start_after:
                    return _joblog(run, self.start_after, self.run_seconds)
        return None

    def _item(self, run: AdHocRun) -> dict[str, Any]:
        elapsed = time.monotonic() - run.submitted
        status, start, end = "READY", None, None
        if elapsed >= self.start_after:
            status, start = "EXEC", run.submitted_at + timedelta(seconds=self.start_after)
        if elapsed >= self.start_after + self.run_seconds:
            if not run.ended:
                run.return_code, run.output = self.run(run.workstation, run.task_string)
                if self.on_end is not None:
                    self.on_end(run)
            status = "SUCC" if run.return_code == 0 else "ABEND"
            end = run.submitted_at + timedelta(seconds=self.start_after + self.run_seconds)
        return {
            "id": run.run_id,
            "name": run.job_name,
            "jobStreamInPlan": {"name": "JOBS", "workstationKey": {"name": f"/{run.workstation}"}},
            "jobDefinition": {
                "jobDefinitionInPlanKey": {"workstationInPlanKey": {"name": f"/{run.workstation}"}},
                "taskString": run.task_string,
            },
            "status": {"internalStatus": status, "returnCode": run.return_code},
            "actualStart": _iso(start),
            "actualEnd": _iso(end),
            "estimatedDuration": None,
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _joblog(run: AdHocRun, start_after: float, run_seconds: float) -> str:
    started = run.submitted_at + timedelta(seconds=start_after)
    lines = [
        RULE,
        f"= JOB       : {run.workstation}#JOBS.{run.job_name}",
        f"= USER      : {run.user_name}",
        f"= JCLFILE   : {run.task_string}",
        f"= Job Number: {run.job_number}",
        f"= {started:%a %m/%d/%y %H:%M:%S} UTC",
        RULE,
    ]
    if not run.ended:
        return "\n".join(lines) + "\n"
    ended = started + timedelta(seconds=run_seconds)
    lines += [
        run.output,
        RULE,
        f"= Exit Status           : {run.return_code}",
        f"= Elapsed Time (hh:mm:ss) : {_clock(round(run_seconds))}",
        f"= {ended:%a %m/%d/%y %H:%M:%S} UTC",
        RULE,
    ]
    return "\n".join(lines) + "\n"
