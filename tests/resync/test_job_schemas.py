"""Job-run rules without the API: the joblog cap and the run's duration."""

from datetime import UTC, datetime

import pytest

from resync.jobs.schemas import TRUNCATION_MARK, JobRun, cap_joblog


def test_short_joblog_is_kept_whole() -> None:
    assert cap_joblog("Exit Status : 0\n", 1024) == "Exit Status : 0\n"
    assert cap_joblog(None, 1024) is None


@pytest.mark.parametrize("character", ["x", "é", "日", "🙂"])
def test_long_joblog_keeps_its_end_within_the_byte_limit(character: str) -> None:
    joblog = character * 5000 + "Exit Status : 12"
    capped = cap_joblog(joblog, 1024)

    assert len(capped.encode()) <= 1024
    assert capped.startswith(TRUNCATION_MARK)
    assert capped.endswith(character + "Exit Status : 12")
    assert len(capped.encode()) >= 1024 - 3  # at most one split character is dropped


def test_duration_is_in_seconds_and_absent_while_running() -> None:
    base = {
        "workstation": "fta01",
        "job_stream": "payroll",
        "job_name": "load",
        "run_id": "r1",
        "status": "EXEC",
        "started_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }
    running = JobRun.model_validate(base)
    assert running.duration is None
    assert (running.workstation, running.job_stream, running.job_name) == (
        "FTA01",
        "PAYROLL",
        "LOAD",
    )
    finished = JobRun.model_validate({**base, "ended_at": base["started_at"]})
    assert finished.duration == 0.0
