"""Job runs pushed by the master (`POST /api/v1/jobs/executions`), their validation rules, and
the job-runs API's responses."""

from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from resync.ingest.payload import MAX_INT32, WorkstationName, within_accepted_window

# TWS job states (conman `showjobs`): the terminal ones a history records, and the others a
# master may still report for a run it pushes early.
JobStatus = Literal[
    "SUCC",
    "ABEND",
    "CANCL",
    "FAIL",
    "DONE",
    "ERROR",
    "EXEC",
    "HOLD",
    "INTRO",
    "PEND",
    "READY",
    "SCHED",
    "SUSP",
    "WAIT",
    "BOUND",
    "EXTRN",
    "FENCE",
]
JOB_STATUSES: tuple[str, ...] = get_args(JobStatus)
# The terminal states (only runs in one are stored by the sync), and the failures among them.
FINISHED_STATUSES = ("SUCC", "ABEND", "CANCL", "FAIL", "DONE", "ERROR")
FAILED_STATUSES = ("ABEND", "FAIL", "ERROR")

# Job stream names: like workstation names, 16 characters; job names: up to 40 (distributed).
JobStreamName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,15}$", to_upper=True)
]
JobName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,39}$", to_upper=True)]
# The plan's run id: printable ASCII without spaces (UUIDs, 'MDM;JOBS;NAME', …).
RunId = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,64}$")]
ReturnCode = Annotated[int, Field(ge=-MAX_INT32 - 1, le=MAX_INT32)]

EXAMPLE_JOB_RUN = {
    "workstation": "WS-PROD-01",
    "job_stream": "PAYROLL",
    "job_name": "LOAD_EMPLOYEES",
    "run_id": "9c3a6f0e-2b1d-4d6f-9a53-1f0f3c2b7e11",
    "status": "ABEND",
    "return_code": 12,
    "started_at": "2024-12-25T10:30:00Z",
    "ended_at": "2024-12-25T10:42:10Z",
    "joblog": "AWKJIS003E ... file not found: /data/employees.csv\nExit Status : 12\n",
}


class JobRun(BaseModel):
    """One run of a job as the master reports it; fields the contract does not know are ignored."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [EXAMPLE_JOB_RUN]})

    workstation: WorkstationName
    job_stream: JobStreamName
    job_name: JobName
    run_id: RunId
    status: JobStatus
    return_code: ReturnCode | None = None
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    joblog: str | None = None

    @field_validator("started_at", "ended_at")
    @classmethod
    def check_time_window(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return within_accepted_window(value, "time", "the master's clock")

    @field_validator("joblog")
    @classmethod
    def refuse_nul_characters(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("joblog may not contain NUL characters")
        return value

    @model_validator(mode="after")
    def check_order(self) -> "JobRun":
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError("ended_at must not be earlier than started_at")
        return self

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, or None while the run has no end."""
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


class JobExecutionsAccepted(BaseModel):
    accepted: int
    duplicates: int
    duplicate_run_ids: list[str]


class JobExecutionPublic(BaseModel):
    """A job run in a list: its joblog is read on its own route (`has_joblog` says if any)."""

    workstation: str
    job_stream: str
    job_name: str
    run_id: str
    status: str
    return_code: int | None
    started_at: datetime
    ended_at: datetime | None
    duration: float | None
    has_joblog: bool
    received_at: datetime


class JobLogPublic(BaseModel):
    run_id: str
    joblog: str | None


class JobExecutionsPublic(BaseModel):
    data: list[JobExecutionPublic]
    count: int


TRUNCATION_MARK = "[… joblog truncated by Resync: the beginning was dropped …]\n"


def cap_joblog(joblog: str | None, max_bytes: int) -> str | None:
    """The joblog within `max_bytes` of UTF-8, keeping its end (where a failure is explained)."""
    if joblog is None:
        return None
    encoded = joblog.encode()
    if len(encoded) <= max_bytes:
        return joblog
    mark = TRUNCATION_MARK.encode()
    tail = encoded[len(encoded) - (max_bytes - len(mark)) :]
    return TRUNCATION_MARK + tail.decode(errors="ignore")
