"""The job runs of the master's plan as Resync reads them: `PlanJobRun`, parsed from one item of
`GET /twsd/api/v2/plan/job`'s `results` (`resync.jobs.hwa` reads them; keep the fake server in
`resync/demo/master.py` in step).

- The job item (`id`, `name`, `jobStreamInPlan.name`, `status.internalStatus`, the workstation
  under `jobDefinition.jobDefinitionInPlanKey.workstationInPlanKey.name`): the JobInPlan shape
  that public scripts read from the REST API. Start, end, return code and estimated duration are
  read from the names listed in `_FIELD_PATHS`, first match wins; the parser is lenient so that a
  differently nested engine answer needs only a new path there.
- Workstation names may carry a folder (`/MDM`, `/EU/FTA01`): the folder is dropped.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from resync.jobs.errors import HwaResponseError

# For each field of a job run, where an engine's answer may hold it (first non-null wins).
_FIELD_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "run_id": (("id",), ("jobId",)),
    "job_name": (("name",), ("key", "name"), ("jobName",)),
    "job_stream": (("jobStreamInPlan", "name"), ("jobStreamName",)),
    "workstation": (
        ("workstationKey", "name"),
        ("jobDefinition", "jobDefinitionInPlanKey", "workstationInPlanKey", "name"),
        ("jobStreamInPlan", "workstationKey", "name"),
        ("workstationName",),
    ),
    "status": (("status", "internalStatus"), ("internalStatus",), ("status",)),
    "return_code": (("status", "returnCode"), ("returnCode",)),
    "started_at": (("actualStart",), ("status", "actualStart"), ("startTime",)),
    "ended_at": (("actualEnd",), ("status", "actualEnd"), ("endTime",)),
    "estimated_duration_ms": (("estimatedDuration",), ("jobDefinition", "estimatedDuration")),
}


@dataclass(frozen=True)
class PlanJobRun:
    """One job run of the current plan, as Resync stores it."""

    run_id: str
    workstation: str
    job_stream: str
    job_name: str
    status: str
    return_code: int | None
    started_at: datetime | None
    ended_at: datetime | None
    estimated_duration: float | None  # seconds


def parse_job_run(item: Any) -> PlanJobRun:
    """A `PlanJobRun` from one item of `/plan/job`'s `results` (see the module docstring)."""
    if not isinstance(item, dict):
        raise HwaResponseError(f"job item is not an object: {item!r:.100}")
    found = {field: _first(item, paths) for field, paths in _FIELD_PATHS.items()}
    for required in ("run_id", "job_name", "job_stream", "workstation", "status"):
        if not isinstance(found[required], str) or not found[required]:
            raise HwaResponseError(f"job item has no {required}: {item!r:.200}")
    estimated = found["estimated_duration_ms"]
    return PlanJobRun(
        run_id=found["run_id"],
        workstation=_without_folder(found["workstation"]),
        job_stream=_without_folder(found["job_stream"]),
        job_name=_without_folder(found["job_name"]),
        status=found["status"].upper(),
        return_code=_integer(found["return_code"], "returnCode"),
        started_at=_instant(found["started_at"]),
        ended_at=_instant(found["ended_at"]),
        estimated_duration=None if estimated is None else _integer(estimated, "duration") / 1000,
    )


def _first(item: dict[str, Any], paths: tuple[tuple[str, ...], ...]) -> Any:
    for path in paths:
        value: Any = item
        for name in path:
            value = value.get(name) if isinstance(value, dict) else None
        if value is not None and not isinstance(value, dict):
            return value
    return None


def _without_folder(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _integer(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise HwaResponseError(f"{name} is not a number: {value!r:.50}")
    try:
        return int(value)
    except ValueError:
        raise HwaResponseError(f"{name} is not a number: {value!r:.50}") from None


def _instant(value: Any) -> datetime | None:
    """ISO 8601 with a zone ('Z' or an offset), or epoch milliseconds; always UTC."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise HwaResponseError(f"time is not ISO 8601: {value!r:.50}") from None
    if moment.tzinfo is None:
        raise HwaResponseError(f"time has no zone: {value!r:.50}")
    return moment.astimezone(UTC)
