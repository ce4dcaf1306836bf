"""The decision-support flow on both backends with a real Prefect API: cards, the run's artifact,
reuse."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    DeploymentFilter,
    DeploymentFilterId,
)
from sqlalchemy import select

from flows.decision_support import decision_support
from flows.job_history_sync import job_history_sync
from resync.db.engine import session_scope
from resync.db.models import (
    Alert,
    FailureAnalysis,
    FailureResolution,
    Workstation,
    WorkstationMetrics,
)
from resync.jobs.schemas import JobRun
from resync.jobs.store import store_job_runs
from resync.settings import get_settings
from tasks.decision_support import DEPLOYMENT, start_failure_analysis
from tasks.failure_cards import ARTIFACT_KEY
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.fake_hwa import FakeHwa, plan_job

pytestmark = pytest.mark.usefixtures("prefect_api", "database_url")

NOW = datetime.now(UTC).replace(microsecond=0)
DISK_RUN = "WS-PROD-01;PAYROLL;LOAD_EMPLOYEES;7"
DISK_FULL_LOG = (
    "= JOB : WS-PROD-01#PAYROLL.LOAD_EMPLOYEES\n"
    "Connecting with jdbc:postgresql://etl:Hunter22@db01/hr\n"
    "ERROR: could not connect to db01:5432: Connection refused; retrying\n"
    "Reconnected to db01 on attempt 2\n"
    "gzip: /data/out/employees.csv.gz: No space left on device\n"
    "= Exit Status : 1\n"
)


def store_run(run_id: str, hours_ago: float, status: str = "SUCC", **fields) -> None:
    started = NOW - timedelta(hours=hours_ago)
    run = JobRun(
        workstation=fields.pop("workstation", "WS-PROD-01"),
        job_stream="PAYROLL",
        job_name=fields.pop("job_name", "LOAD_EMPLOYEES"),
        run_id=run_id,
        status=status,
        return_code=0 if status == "SUCC" else 1,
        started_at=started,
        ended_at=started + timedelta(minutes=fields.pop("minutes", 10)),
        **fields,
    )
    with session_scope() as session:
        store_job_runs(session, [run], get_settings().joblog_max_bytes)


def store_full_disk(workstation: str = "WS-PROD-01") -> None:
    """Samples every 5 minutes over the last 3 hours, the disk at 97 %, and its open alert."""
    with session_scope() as session:
        session.add(Workstation(name=workstation, last_sample_at=NOW))
        session.flush()
        for step in range(36):
            session.add(
                WorkstationMetrics(
                    workstation=workstation,
                    sample_time=NOW - timedelta(minutes=5 * step),
                    inbox_id=step,
                    cpu_percent=30.0,
                    memory_percent=50.0,
                    disk_percent=97.0,
                    latency_avg_ms=4.0,
                    packet_loss_percent=0.0,
                    tcp_connectivity=1,
                    disk_io_read_kbs=1.0,
                    disk_io_write_kbs=1.0,
                    process_count=200,
                    load_avg_1=1.0,
                    load_avg_5=1.0,
                    load_avg_15=1.0,
                    network_rx_kbs=1.0,
                    network_tx_kbs=1.0,
                )
            )
        session.add(
            Alert(
                workstation=workstation,
                rule="disk_saturation",
                severity="critical",
                message="disk above 90 % for 3 samples (now 97.0 %)",
                opened_at=NOW - timedelta(hours=2),
            )
        )


def artifacts(flow_run_id: uuid.UUID) -> dict[str, str]:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {artifact.key: artifact.data for artifact in found}


def cards() -> dict[str, FailureAnalysis]:
    with session_scope() as session:
        return {row.run_id: row for row in session.scalars(select(FailureAnalysis))}


def test_every_failed_run_not_yet_analysed_gets_a_card_in_the_runs_artifact() -> None:
    store_full_disk()
    for number in range(4):
        store_run(f"ok-{number}", hours_ago=30 - number, minutes=10)
    store_run(DISK_RUN, hours_ago=0.5, status="ABEND", joblog=DISK_FULL_LOG)
    store_run(
        "other-fail",
        hours_ago=1,
        status="ABEND",
        job_name="BACKUP",
        joblog="Running backup\nbackup.sh: line 3: Segmentation fault (core dumped)\n"
        "= Exit Status : 139\n",
    )
    store_run("no-joblog", hours_ago=2, status="FAIL", job_name="PURGE")

    state = decision_support(return_state=True)

    result = state.result()
    assert result == {
        "analysed": 3,
        "classes": {"no-joblog": "unknown", "other-fail": "unknown", DISK_RUN: "disk_full"},
        "partial": False,
        "failed_runs": {},
        "fta_errors": {},
    }
    found = cards()
    disk = found[DISK_RUN]
    assert disk.flow_run_id == state.state_details.flow_run_id
    assert [e["line"] for e in disk.evidence] == [5, 6]
    assert disk.evidence[0]["text"] == "gzip: /data/out/employees.csv.gz: No space left on device"
    assert disk.resource_state["corroborating"] == [
        "disk at 97.0 % (threshold 90.0 %)",
        "alert disk_saturation (critical): disk above 90 % for 3 samples (now 97.0 %)",
    ]
    assert disk.confidence == 0.95
    assert disk.run_history["earlier_runs"] == 4
    assert disk.run_history["earlier_failures"] == 0
    assert "Hunter22" not in disk.joblog and "etl:[REDACTED]@db01" in disk.joblog
    assert disk.analyst == "deterministic"
    unknown = found["other-fail"]
    assert (unknown.failure_class, unknown.confidence, unknown.method) == (
        "unknown",
        0.0,
        "catalogue",
    )
    assert unknown.resource_state["corroborating"] == []
    assert unknown.explanation == (
        "The failure's cause is outside the classes (glibc strsignal SIGSEGV (11))."
    )
    no_joblog = found["no-joblog"]
    assert no_joblog.explanation == "No decisive failure: the joblog reports no error."
    assert no_joblog.suggested_fix.startswith("No known cause was proven")

    published = artifacts(state.state_details.flow_run_id)
    assert list(published) == [ARTIFACT_KEY]
    cards_artifact = published[ARTIFACT_KEY]
    assert cards_artifact.startswith("# Root causes of 3 failed job run(s)\n\n")
    assert "unknown: 2, disk_full: 1" in cards_artifact
    rows = [line for line in cards_artifact.splitlines() if line.startswith("| 20")]
    assert [row.split(" | ")[3] for row in rows] == ["no-joblog", "other-fail", DISK_RUN]
    assert (
        f"| WS-PROD-01 | PAYROLL.LOAD_EMPLOYEES | {DISK_RUN} | disk_full | 0.95 | "
        "gzip: /data/out/employees.csv.gz: No space left on device | Free space on"
    ) in rows[2]
    assert "**Root cause: disk_full** (confidence 0.95, catalogue, analyst: deterministic)" in (
        cards_artifact
    )
    assert (
        "| 5 | gzip: /data/out/employees.csv.gz: No space left on device | glibc ENOSPC (28) |"
    ) in cards_artifact
    assert "## Failed job BACKUP on WS-PROD-01" in cards_artifact
    assert "Hunter22" not in cards_artifact

    again = decision_support(return_state=True)
    assert again.result() == {
        "analysed": 0,
        "classes": {},
        "partial": False,
        "failed_runs": {},
        "fta_errors": {},
    }
    assert artifacts(again.state_details.flow_run_id) == {}


def test_on_demand_run_ids_reanalyse_and_use_recorded_resolutions() -> None:
    store_run("first", hours_ago=48, status="ABEND", joblog=DISK_FULL_LOG)
    store_run("ok", hours_ago=30)
    assert decision_support(run_ids=["first", "ok", "missing"])["analysed"] == 1
    with session_scope() as session:
        session.add(
            FailureResolution(
                run_id="first",
                resolution="Purged /data/out/archive and reran",
                resolved_by="ops",
            )
        )
    store_run("second", hours_ago=1, status="ABEND", joblog=DISK_FULL_LOG.replace("7", "8"))

    assert decision_support(run_ids=["second"]) == {
        "analysed": 1,
        "classes": {"second": "disk_full"},
        "partial": False,
        "failed_runs": {},
        "fta_errors": {},
    }
    second = cards()["second"]
    [case] = second.similar_cases
    assert case["run_id"] == "first"
    assert case["resolution"] == "Purged /data/out/archive and reran"
    assert case["similarity"] > 0.9
    assert second.suggested_fix.startswith("A similar failure (LOAD_EMPLOYEES on WS-PROD-01")
    assert "was resolved by: Purged /data/out/archive and reran" in second.suggested_fix
    assert second.resource_state["samples"] == 0
    assert second.confidence == 0.9

    first_created = cards()["first"].created_at
    assert decision_support(run_ids=["first"])["analysed"] == 1
    again = cards()["first"]
    assert again.similar_cases[0]["run_id"] == "second"
    assert again.created_at >= first_created
    with session_scope() as session:
        assert session.scalar(select(FailureResolution.run_id)) == "first"


def test_starting_analysis_creates_a_run_of_the_deployment_without_waiting() -> None:
    assert start_failure_analysis(["a;1", "b;2"]) is None  # no deployment: a warning, no run
    deployment_id = decision_support.to_deployment(name="decision-support").apply()
    try:
        flow_run_id = start_failure_analysis(["a;1", "b;2"])
        with get_client(sync_client=True) as client:
            flow_run = client.read_flow_run(uuid.UUID(flow_run_id))
            assert client.read_deployment_by_name(DEPLOYMENT).id == deployment_id
            client.delete_flow_run(flow_run.id)
    finally:
        with get_client(sync_client=True) as client:
            client.delete_deployment(deployment_id)
    assert flow_run.deployment_id == deployment_id
    assert flow_run.parameters == {"run_ids": ["a;1", "b;2"]}
    assert flow_run.state.is_scheduled()
    assert start_failure_analysis([]) is None


def test_claude_is_asked_only_about_the_failure_the_catalogue_cannot_decide(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store_run(DISK_RUN, hours_ago=1, status="ABEND", joblog=DISK_FULL_LOG)
    store_run(
        "rates",
        hours_ago=2,
        status="ABEND",
        job_name="LOAD_RATES",
        joblog="Token=abc123\nERROR: rates feed returned HTTP 503\n= Exit Status : 4\n",
    )
    with FakeAnthropic() as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key")
        monkeypatch.setenv("RESYNC_ANTHROPIC_BASE_URL", fake.url)
        get_settings.cache_clear()
        fake.reply_json(
            {
                "failure_class": "connection_failure",
                "evidence_lines": [2],
                "confidence": 0.8,
                "explanation": "The rates service was unavailable.",
            }
        )
        result = decision_support()
    assert result["classes"] == {"rates": "connection_failure", DISK_RUN: "disk_full"}
    [request] = fake.requests
    assert "abc123" not in str(request) and "Token=[REDACTED]" in str(request)
    rates, disk = cards()["rates"], cards()[DISK_RUN]
    assert (rates.method, rates.confidence, rates.analyst) == ("analyst", 0.6, "claude-sonnet-4-6")
    assert rates.evidence == [
        {
            "line": 2,
            "text": "ERROR: rates feed returned HTTP 503",
            "source": "analyst claude-sonnet-4-6",
        }
    ]
    assert (disk.method, disk.analyst) == ("catalogue", "deterministic")


def test_the_job_history_sync_starts_an_analysis_of_its_new_failed_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = NOW - timedelta(hours=1)
    times = {"start": start.isoformat(), "end": (start + timedelta(minutes=5)).isoformat()}
    deployment_id = decision_support.to_deployment(name="decision-support").apply()
    try:
        with FakeHwa() as fake:
            monkeypatch.setenv("RESYNC_HWA_URL", fake.url)
            monkeypatch.setenv("RESYNC_HWA_USER", fake.user)
            monkeypatch.setenv("RESYNC_HWA_PASSWORD", fake.password)
            get_settings.cache_clear()
            fake.jobs = [
                plan_job("ok", **times),
                plan_job("bad", status="ABEND", return_code=1, **times),
            ]
            fake.joblogs = {"bad": DISK_FULL_LOG}
            job_history_sync()
            job_history_sync()
        with get_client(sync_client=True) as client:
            started = client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
            )
            for flow_run in started:
                client.delete_flow_run(flow_run.id)
    finally:
        with get_client(sync_client=True) as client:
            client.delete_deployment(deployment_id)
    assert [flow_run.parameters for flow_run in started] == [{"run_ids": ["bad"]}]
