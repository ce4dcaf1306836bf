"""Decision support with one failed run the analysis fails on, among others: that run is its FTA's
error (an alert), the others get their cards, and the run says it is partial."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import tasks.decision_support
from flows.decision_support import decision_support
from resync.db.engine import session_scope
from resync.db.models import Alert, FailureAnalysis, Workstation
from resync.jobs.schemas import JobRun
from resync.jobs.store import store_job_runs
from resync.settings import get_settings

pytestmark = pytest.mark.usefixtures("prefect_api", "database_url")

UNREADABLE = "joblog that breaks the classifier"


def store_failed_runs() -> list[str]:
    """Two failed runs on each of FTA1, FTA2 and FTA3; FTA2's second one breaks the analysis."""
    now = datetime.now(UTC).replace(microsecond=0)
    runs = []
    for number in range(6):
        workstation = f"FTA{number % 3 + 1}"
        started = now - timedelta(hours=number + 1)
        joblog = UNREADABLE if number == 4 else "ORA-01017: invalid username/password\n"
        runs.append(
            JobRun(
                workstation=workstation,
                job_stream="PAYROLL",
                job_name=f"LOAD_{number}",
                run_id=f"{workstation};PAYROLL;LOAD_{number};1",
                status="ABEND",
                return_code=8,
                started_at=started,
                ended_at=started + timedelta(minutes=5),
                joblog=joblog,
            )
        )
    with session_scope() as session:
        session.add_all(Workstation(name=f"FTA{n}", last_sample_at=now) for n in (1, 2, 3))
        store_job_runs(session, runs, get_settings().joblog_max_bytes)
    return [run.run_id for run in runs]


def test_a_run_the_analysis_fails_on_is_its_ftas_error(monkeypatch) -> None:
    run_ids = store_failed_runs()
    classify = tasks.decision_support.classify_failure

    def failing_on_one_joblog(joblog, *arguments, **options):
        if UNREADABLE in joblog:
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        return classify(joblog, *arguments, **options)

    monkeypatch.setattr(tasks.decision_support, "classify_failure", failing_on_one_joblog)

    result = decision_support()

    broken = run_ids[4]
    error = (
        "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"
    )
    assert (result["partial"], result["failed_runs"]) == (True, {broken: error})
    assert result["analysed"] == 5
    with session_scope() as session:
        analysed = set(session.scalars(select(FailureAnalysis.run_id)))
        alerts = {
            (alert.workstation, alert.rule): alert.message
            for alert in session.scalars(select(Alert).where(Alert.resolved_at.is_(None)))
        }
    assert analysed == set(run_ids) - {broken}
    assert alerts == {
        ("FTA2", "failure_analysis_failed"): "decision support failed on this FTA, the others "
        f"were processed: run {broken}: {error}"
    }
