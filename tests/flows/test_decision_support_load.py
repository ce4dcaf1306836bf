"""What one decision-support run costs Prefect's database (SQLite in the embedded default):
task runs and artifacts, counted through the client, for a run of many failed jobs.

Before batching, 40 failed runs cost 241 task runs (six per failed run) and 40 artifacts.
"""

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from sqlalchemy import func, select

from flows.decision_support import decision_support
from resync.db.engine import session_scope
from resync.db.models import FailureAnalysis
from resync.jobs.schemas import JobRun
from resync.jobs.store import store_job_runs
from resync.settings import get_settings
from tasks.failure_cards import ARTIFACT_KEY

pytestmark = pytest.mark.usefixtures("prefect_api", "database_url")

FAILED_RUNS = 40
BATCH_RUNS = 15
NOW = datetime.now(UTC).replace(microsecond=0)


def store_failed_runs(count: int) -> None:
    runs = [
        JobRun(
            workstation=f"WS-{number % 4:02d}",
            job_stream="NIGHTLY",
            job_name="EXPORT_GL",
            run_id=f"WS-{number % 4:02d};NIGHTLY;EXPORT_GL;{number}",
            status="ABEND",
            return_code=12,
            started_at=NOW - timedelta(hours=count - number),
            ended_at=NOW - timedelta(hours=count - number, minutes=-5),
            joblog="ORA-00060: deadlock detected while waiting for resource\n",
        )
        for number in range(count)
    ]
    with session_scope() as session:
        store_job_runs(session, runs, get_settings().joblog_max_bytes)


def prefect_load(flow_run_id: uuid.UUID) -> tuple[int, int]:
    """(task runs, artifacts) the flow run has in Prefect's database."""
    of_run = {"flow_runs": {"id": {"any_": [str(flow_run_id)]}}}
    with get_client(sync_client=True) as client:
        task_runs = client.request("POST", "/task_runs/count", json=of_run)
        artifacts = client.request("POST", "/artifacts/count", json=of_run)
    return task_runs.raise_for_status().json(), artifacts.raise_for_status().json()


def settled_load(flow_run_id: uuid.UUID, quiet_seconds: float = 3, timeout: float = 60):
    """The load once it stops changing: the server records task runs from events, late."""
    deadline = time.monotonic() + timeout
    last, since = prefect_load(flow_run_id), time.monotonic()
    while time.monotonic() - since < quiet_seconds and time.monotonic() < deadline:
        time.sleep(0.25)
        now = prefect_load(flow_run_id)
        if now != last:
            last, since = now, time.monotonic()
    return last


def test_many_failed_runs_cost_a_few_task_runs_per_batch_and_one_artifact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RESYNC_FAILURE_BATCH_RUNS", str(BATCH_RUNS))
    get_settings.cache_clear()
    store_failed_runs(FAILED_RUNS)

    state = decision_support(return_state=True)

    assert state.result()["analysed"] == FAILED_RUNS
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(FailureAnalysis)) == FAILED_RUNS
    batches = -(-FAILED_RUNS // BATCH_RUNS)
    # Select, reading and classifying per batch, similar cases, the cards and their store for
    # every run, publish, then the FTAs' errors (their workstations, recorded, alerts
    # notified): 14 here (20 with every step per batch, 241 before batching).
    assert settled_load(state.state_details.flow_run_id) == (1 + 2 * batches + 3 + 1 + 3, 1)
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])
            )
        )
    assert artifact.key == ARTIFACT_KEY
    assert artifact.data.startswith(f"# Root causes of {FAILED_RUNS} failed job run(s)\n")
    rows = [line for line in artifact.data.splitlines() if line.startswith("| 20")]
    assert len(rows) == FAILED_RUNS
    assert all("| database_error |" in row for row in rows)
