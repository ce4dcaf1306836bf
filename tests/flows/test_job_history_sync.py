"""The job-history sync flow against the fake HWA master, through a real Prefect API."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from sqlalchemy import select

from flows.job_history_sync import job_history_sync
from resync.db.engine import session_scope
from resync.db.models import JobExecution
from resync.demo.estate import demo_estate
from resync.demo.jobs import demo_plan
from resync.jobs.errors import HwaAuthError
from resync.jobs.schemas import TRUNCATION_MARK
from resync.maintenance.jobs import job_slowdowns
from resync.maintenance.series import job_runs
from resync.settings import get_settings
from tests.support.fake_hwa import JOBS_PATH, FakeHwa, plan_job

pytestmark = pytest.mark.usefixtures("prefect_api", "database_url")

JOBLOG_MAX_BYTES = 2048


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def finished(run_id: str, hours_ago: float, status: str = "SUCC", **fields) -> dict:
    start = datetime.now(UTC) - timedelta(hours=hours_ago)
    return plan_job(
        run_id,
        status=status,
        return_code=0 if status == "SUCC" else 12,
        start=iso(start),
        end=iso(start + timedelta(minutes=5)),
        **fields,
    )


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHwa]:
    with FakeHwa() as server:
        monkeypatch.setenv("RESYNC_HWA_URL", server.url)
        monkeypatch.setenv("RESYNC_HWA_USER", server.user)
        monkeypatch.setenv("RESYNC_HWA_PASSWORD", server.password)
        monkeypatch.setenv("RESYNC_HWA_PAGE_SIZE", "3")
        monkeypatch.setenv("RESYNC_JOBLOG_MAX_BYTES", str(JOBLOG_MAX_BYTES))
        get_settings.cache_clear()
        yield server
    get_settings.cache_clear()


def stored() -> dict[str, JobExecution]:
    with session_scope() as session:
        rows = session.scalars(select(JobExecution)).all()
        session.expunge_all()
    return {row.run_id: row for row in rows}


def joblog_requests(fake: FakeHwa) -> list[str]:
    return [r.path for r in fake.requests if r.path.endswith("/joblog")]


def test_finished_runs_are_stored_across_pages_with_capped_joblogs(fake: FakeHwa) -> None:
    fake.jobs = [finished(f"run-{n}", hours_ago=10 - n) for n in range(5)]
    fake.jobs += [
        finished("abend-1", 3, status="ABEND", job_name="LOAD_ORDERS"),
        finished("abend-2", 2, status="ABEND", workstation="FTA02"),
        plan_job(
            "running", status="EXEC", return_code=None, end=None, start=iso(datetime.now(UTC))
        ),
    ]
    fake.joblogs = {"abend-1": "x" * 10_000 + "\nExit Status : 12\n", "abend-2": "short log\n"}

    summary = job_history_sync()

    rows = stored()
    assert set(rows) == {*(f"run-{n}" for n in range(5)), "abend-1", "abend-2"}
    assert summary["plan_runs"] == 8
    assert (summary["stored"], summary["duplicates"], summary["joblogs"]) == (7, 0, 2)
    assert [(r.query["offset"]) for r in fake.requests if r.path == JOBS_PATH] == ["0", "3", "6"]
    assert sorted(joblog_requests(fake)) == [
        "/twsd/api/v2/plan/job/run/abend-1/joblog",
        "/twsd/api/v2/plan/job/run/abend-2/joblog",
    ]
    capped = rows["abend-1"].joblog
    assert capped.startswith(TRUNCATION_MARK) and capped.endswith("Exit Status : 12\n")
    assert len(capped.encode()) <= JOBLOG_MAX_BYTES
    assert rows["abend-2"].joblog == "short log\n"
    assert rows["run-0"].joblog is None
    assert (rows["abend-1"].status, rows["abend-1"].return_code) == ("ABEND", 12)
    assert rows["abend-2"].workstation == "FTA02"
    assert rows["run-0"].duration == 300.0


def test_a_rerun_stores_nothing_twice_and_picks_up_runs_that_finished(fake: FakeHwa) -> None:
    fake.jobs = [finished("run-1", 5), finished("abend-1", 4, status="ABEND")]
    fake.jobs.append(plan_job("later", status="EXEC", return_code=None, end=None))
    fake.joblogs = {"abend-1": "log\n"}
    job_history_sync()
    first = stored()

    again = job_history_sync()

    assert stored().keys() == first.keys() == {"run-1", "abend-1"}
    assert (again["new_finished_runs"], again["stored"]) == (0, 0)
    assert len(joblog_requests(fake)) == 1

    fake.jobs[-1] = finished("later", 1)
    third = job_history_sync()
    assert (third["new_finished_runs"], third["stored"]) == (1, 1)
    assert set(stored()) == {"run-1", "abend-1", "later"}


def test_runs_that_ended_long_before_the_watermark_are_not_read_again(fake: FakeHwa) -> None:
    fake.jobs = [finished("recent", 1)]
    job_history_sync()
    fake.jobs += [finished("old", 24 * 3), finished("within-overlap", 12)]

    summary = job_history_sync()

    assert summary["new_finished_runs"] == 1
    assert set(stored()) == {"recent", "within-overlap"}


def test_a_missing_joblog_or_a_run_the_schema_refuses_does_not_stop_the_sync(
    fake: FakeHwa,
) -> None:
    fake.jobs = [
        finished("abend-without-log", 3, status="ABEND"),
        finished("bad-name", 2, workstation="FTA-WITH-A-FAR-TOO-LONG-NAME"),
        finished("good", 1),
    ]

    summary = job_history_sync()

    assert (summary["stored"], summary["rejected"], summary["joblogs"]) == (2, 1, 0)
    rows = stored()
    assert set(rows) == {"abend-without-log", "good"}
    assert rows["abend-without-log"].joblog is None


def test_an_unavailable_master_is_retried(fake: FakeHwa) -> None:
    fake.jobs = [finished("run-1", 2)]
    fake.fail_next(503)

    state = job_history_sync(return_state=True)

    assert state.is_completed()
    assert set(stored()) == {"run-1"}
    first_pages = [r for r in fake.requests if r.path == JOBS_PATH and r.query["offset"] == "0"]
    assert len(first_pages) == 2


def test_refused_credentials_fail_at_once_without_retries(
    fake: FakeHwa, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.jobs = [finished("run-1", 2)]
    monkeypatch.setenv("RESYNC_HWA_PASSWORD", "not-the-password")
    get_settings.cache_clear()

    with pytest.raises(HwaAuthError, match="refused the request"):
        job_history_sync()

    assert len(fake.requests) == 1
    assert stored() == {}


def test_without_a_master_configured_the_flow_says_so_and_finishes(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("RESYNC_HWA_URL", raising=False)
    get_settings.cache_clear()

    state = job_history_sync(return_state=True)

    assert state.is_completed()
    assert state.result() == {"status": "not_configured"}
    assert "RESYNC_HWA_URL is not set" in caplog.text
    assert stored() == {}


def test_the_demo_masters_plan_syncs_and_shows_the_creeping_job(
    fake: FakeHwa, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESYNC_HWA_PAGE_SIZE", "500")
    get_settings.cache_clear()
    profiles = demo_estate(4)
    now = datetime.now(UTC)
    fake.jobs, fake.joblogs = demo_plan(profiles, now - timedelta(days=30), now, history_days=30)
    disk_filling = next(p.name for p in profiles if p.scenario == "disk_filling")

    summary = job_history_sync()

    rows = stored()
    finished_runs = [job for job in fake.jobs if job["status"]["internalStatus"] != "EXEC"]
    assert summary["stored"] == len(rows) == len(finished_runs)
    abended = [row for row in rows.values() if row.status == "ABEND"]
    assert abended and all("Exit Status : 12" in row.joblog for row in abended)
    history = pl.DataFrame(
        [
            {
                name: getattr(row, name)
                for name in (
                    "workstation",
                    "job_stream",
                    "job_name",
                    "started_at",
                    "ended_at",
                    "duration",
                    "status",
                )
            }
            for row in rows.values()
        ]
    )
    slowdowns = job_slowdowns(job_runs(history), now=datetime.now(UTC), settings=get_settings())
    assert [(s.workstation, s.resource) for s in slowdowns] == [
        (disk_filling, "job:DAILY_ETL.EXTRACT_ORDERS")
    ]


def test_the_demo_plan_keeps_its_past_as_time_passes() -> None:
    profiles = demo_estate(4)
    now = datetime.now(UTC)
    start = now - timedelta(days=30)
    earlier, _ = demo_plan(profiles, start, now - timedelta(hours=6), history_days=30)
    later, _ = demo_plan(profiles, start, now, history_days=30)
    finished = [job for job in earlier if job["status"]["internalStatus"] != "EXEC"]
    assert finished and all(job in later for job in finished)
    assert len(later) > len(earlier)
