"""The HWA REST client against a fake master over real HTTP: paging, auth, errors, joblogs."""

import base64
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from resync.jobs.errors import HwaAuthError, HwaError, HwaResponseError, HwaUnavailable
from resync.jobs.hwa import AdHocJob, HwaClient
from resync.jobs.plan_items import PlanJobRun
from resync.settings import Settings
from tests.support.fake_hwa import JOBS_PATH, FakeHwa, plan_job, self_signed_certificate
from tests.support.maintenance_master import SUBMIT_PATH


@pytest.fixture
def master() -> Iterator[FakeHwa]:
    with FakeHwa(token="hwa-api-key-0123456789") as server:
        yield server


def basic_client(master: FakeHwa, **options) -> HwaClient:
    return HwaClient(master.url, user=master.user, password=master.password, **options)


def test_job_runs_are_read_across_pages(master: FakeHwa) -> None:
    master.jobs = [plan_job(f"run-{n}") for n in range(7)]
    with basic_client(master, page_size=3) as client:
        runs = client.list_job_runs("status = 'ABEND'")

    assert [run.run_id for run in runs] == [f"run-{n}" for n in range(7)]
    pages = [(r.query["limit"], r.query["offset"]) for r in master.requests]
    assert pages == [("3", "0"), ("3", "3"), ("3", "6")]
    assert {r.query["oql"] for r in master.requests} == {"status = 'ABEND'"}
    assert all(r.path == JOBS_PATH for r in master.requests)


def test_paging_stops_on_an_exactly_full_last_page(master: FakeHwa) -> None:
    master.jobs = [plan_job(f"run-{n}") for n in range(6)]
    with basic_client(master, page_size=3) as client:
        assert len(client.list_job_runs()) == 6
    assert len(master.requests) == 2
    assert "oql" not in master.requests[0].query


def test_a_job_item_becomes_a_plan_job_run(master: FakeHwa) -> None:
    master.jobs = [
        plan_job(
            "MDM;JOBS;LOAD",
            workstation="FTA01",
            status="ABEND",
            return_code=12,
            start="2026-11-27T10:00:00+01:00",
            end="2026-11-27T09:12:30Z",
            estimated_duration_ms=600_000,
        )
    ]
    with basic_client(master) as client:
        (run,) = client.list_job_runs()

    assert run == PlanJobRun(
        run_id="MDM;JOBS;LOAD",
        workstation="FTA01",
        job_stream="PAYROLL",
        job_name="LOAD_EMPLOYEES",
        status="ABEND",
        return_code=12,
        started_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
        ended_at=datetime(2026, 11, 27, 9, 12, 30, tzinfo=UTC),
        estimated_duration=600.0,
    )


def test_a_running_job_has_no_end(master: FakeHwa) -> None:
    master.jobs = [plan_job("r1", status="EXEC", return_code=None, end=None)]
    with basic_client(master) as client:
        (run,) = client.list_job_runs()
    assert run.status == "EXEC"
    assert run.ended_at is None
    assert run.return_code is None


def test_basic_auth_header_is_sent(master: FakeHwa) -> None:
    with basic_client(master) as client:
        client.list_job_runs()
    expected = base64.b64encode(f"{master.user}:{master.password}".encode()).decode()
    assert master.requests[0].headers["Authorization"] == f"Basic {expected}"


def test_token_is_sent_as_bearer(master: FakeHwa) -> None:
    with HwaClient(master.url, token=master.token) as client:
        client.list_job_runs()
    assert master.requests[0].headers["Authorization"] == f"Bearer {master.token}"


def test_wrong_password_is_an_auth_error(master: FakeHwa) -> None:
    client = HwaClient(master.url, user=master.user, password="wrong")
    with client, pytest.raises(HwaAuthError, match=r"refused the request \(401\)"):
        client.list_job_runs()


def test_injected_401_is_an_auth_error(master: FakeHwa) -> None:
    master.fail_next(401)
    with basic_client(master) as client, pytest.raises(HwaAuthError, match="RESYNC_HWA_TOKEN"):
        client.list_job_runs()


def test_server_error_mid_paging_is_unavailable(master: FakeHwa) -> None:
    master.jobs = [plan_job(f"run-{n}") for n in range(5)]
    with basic_client(master, page_size=2) as client:
        runs = client.iter_job_runs()
        assert [next(runs).run_id, next(runs).run_id] == ["run-0", "run-1"]
        master.fail_next(500)
        with pytest.raises(HwaUnavailable, match=r"failed \(500\).*retry later"):
            next(runs)


def test_slow_master_times_out(master: FakeHwa) -> None:
    master.delay_next(1.5)
    client = basic_client(master, timeout=0.3)
    with client, pytest.raises(HwaUnavailable, match=r"did not answer within 0.3 s"):
        client.list_job_runs()


def test_unreachable_master_is_unavailable() -> None:
    stopped = FakeHwa()
    url = stopped.url
    stopped.stop()
    client = HwaClient(url, user="u", password="p")
    with client, pytest.raises(HwaUnavailable, match="port 31116 is reachable"):
        client.list_job_runs()


def test_tls_is_verified_against_the_ca_bundle(tmp_path: Path) -> None:
    certificate = self_signed_certificate(tmp_path)
    with FakeHwa(certificate=certificate) as server:
        server.jobs = [plan_job("r1")]
        untrusted = HwaClient(server.url, user=server.user, password=server.password)
        with untrusted, pytest.raises(HwaUnavailable, match="RESYNC_HWA_CA_BUNDLE"):
            untrusted.list_job_runs()

        settings = Settings(
            hwa_url=server.url,
            hwa_user=server.user,
            hwa_password=server.password,
            hwa_ca_bundle=certificate[0],
        )
        with HwaClient.from_settings(settings) as trusted:
            assert [run.run_id for run in trusted.list_job_runs()] == ["r1"]


def test_unreadable_answer_is_a_response_error(master: FakeHwa) -> None:
    master.jobs = [{"id": "r1", "name": "J"}]
    with basic_client(master) as client, pytest.raises(HwaResponseError, match="no job_stream"):
        client.list_job_runs()


def test_joblog_is_read_as_text(master: FakeHwa) -> None:
    master.joblogs["MDM;JOBS;LOAD"] = "===== JOBINFO =====\nExit Status : 12\n"
    with basic_client(master) as client:
        assert client.get_joblog("MDM;JOBS;LOAD") == "===== JOBINFO =====\nExit Status : 12\n"
    assert master.requests[0].path == "/twsd/api/v2/plan/job/run/MDM%3BJOBS%3BLOAD/joblog"


def test_missing_joblog_says_so(master: FakeHwa) -> None:
    with basic_client(master) as client, pytest.raises(HwaError, match=r"\(404\)"):
        client.get_joblog("nope")


def test_client_from_settings(master: FakeHwa, tmp_path: Path) -> None:
    settings = Settings(hwa_url=master.url + "/", hwa_token=master.token)
    with HwaClient.from_settings(settings) as client:
        assert client.base_url == master.url
        client.list_job_runs()
    assert master.requests[0].headers["Authorization"] == f"Bearer {master.token}"

    with pytest.raises(HwaError, match="RESYNC_HWA_URL is not set"):
        HwaClient.from_settings(Settings())
    with pytest.raises(HwaError, match="No HWA credentials"):
        HwaClient.from_settings(Settings(hwa_url=master.url, hwa_user="twsuser"))
    with pytest.raises(HwaError, match="RESYNC_HWA_CA_BUNDLE"):
        HwaClient.from_settings(
            Settings(hwa_url=master.url, hwa_token="t", hwa_ca_bundle=tmp_path / "missing.pem")
        )


def test_an_ad_hoc_job_is_submitted_found_by_name_and_followed_to_its_end() -> None:
    with FakeHwa(workstations={"FTA01"}) as master:
        master.adhoc.start_after, master.adhoc.run_seconds = 0.2, 0.2
        job = AdHocJob("FTA01", "RSY_CLEAN_STDLIST_0A1B2C3D", "rmstdlist 10", "twsuser")
        with basic_client(master) as client:
            assert client.find_job("FTA01", job.job_name) is None
            assert client.submit_ad_hoc_job(job) == f"FTA01;JOBS;{job.job_name}"
            waiting = client.find_job("FTA01", job.job_name)
            time.sleep(0.5)
            ended = client.find_job("FTA01", job.job_name)
            joblog = client.get_joblog(ended.run_id)
        [submit] = [r for r in master.requests if r.path == SUBMIT_PATH]
        lookups = [r.query for r in master.requests if r.path == JOBS_PATH]

    assert submit.headers["Content-Type"] == "application/json"
    assert {"oql": f"name = '{job.job_name}'", "limit": "500", "offset": "0"} in lookups
    assert (waiting.status, waiting.job_stream, waiting.started_at) == ("READY", "JOBS", None)
    assert (ended.status, ended.return_code, ended.workstation) == ("SUCC", 0, "FTA01")
    assert ended.ended_at > ended.started_at
    assert joblog.startswith("=" * 63 + f"\n= JOB       : FTA01#JOBS.{job.job_name}\n")
    assert "= USER      : twsuser\n= JCLFILE   : rmstdlist 10\n" in joblog
    assert joblog.endswith(
        "= Exit Status           : 0\n= Elapsed Time (hh:mm:ss) : 00:00:00\n"
        f"= {ended.ended_at:%a %m/%d/%y %H:%M:%S} UTC\n" + "=" * 63 + "\n"
    )


@pytest.mark.parametrize(
    ("job", "error", "said"),
    [
        (AdHocJob("FTA09", "RSY_A", "ls", "twsuser"), HwaError, r"\(404\): workstation 'FTA09'"),
        (AdHocJob("FTA01", "RSY_A", "ls", "root"), HwaAuthError, "user 'root' may not run jobs"),
        (AdHocJob("FTA01", "rsy a", "ls", "twsuser"), HwaError, "not a job name the master"),
    ],
)
def test_the_master_refuses_an_ad_hoc_job_it_cannot_run(job, error, said) -> None:
    with FakeHwa(workstations={"FTA01"}) as master, basic_client(master) as client:
        with pytest.raises(error, match=said):
            client.submit_ad_hoc_job(job)
        assert master.adhoc.runs == []


def test_an_unavailable_master_is_told_apart_from_a_refusal() -> None:
    with FakeHwa() as master, basic_client(master) as client:
        master.fail_next(503)
        with pytest.raises(HwaUnavailable, match=r"failed \(503\)"):
            client.submit_ad_hoc_job(AdHocJob("FTA01", "RSY_A", "ls", "twsuser"))
    with pytest.raises(HwaUnavailable, match="Cannot connect"):
        basic_client(master).find_job("FTA01", "RSY_A")
