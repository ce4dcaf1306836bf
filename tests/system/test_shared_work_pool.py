"""Two Prefect workers on one process pool share its scheduled runs and never run one twice.

Two runs are scheduled on a real Prefect server before two `prefect worker start` processes
(one run at a time each) poll the pool; each run records itself and its worker's process id.
"""

import os
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prefect import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.objects import FlowRun
from prefect.settings import PREFECT_API_URL
from prefect.states import Scheduled
from prefect.workers.process import ProcessWorker

from tests.system.support.pool_probe import pool_probe
from tests.system.support.processes import ROOT, Processes

RUNS = 2
WORKER_LIMIT = 1
BIN = Path(sys.executable).parent


@pytest.fixture
def workers(prefect_api: None, tmp_path: Path) -> Iterator[Processes]:
    environment = {
        **os.environ,
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        "PREFECT_WORKER_QUERY_SECONDS": "1",
    }
    processes = Processes(tmp_path, environment)
    yield processes
    processes.stop()


def test_two_workers_share_the_scheduled_runs_and_run_each_once(
    workers: Processes, tmp_path: Path
) -> None:
    pool = f"shared-{uuid.uuid4().hex[:8]}"
    record = tmp_path / "runs.txt"
    with get_client(sync_client=True) as client:
        client.create_work_pool(
            WorkPoolCreate(
                name=pool,
                type="process",
                base_job_template=ProcessWorker.get_default_base_job_template(),
            )
        )
        deployment_id = pool_probe.from_source(
            source=str(ROOT), entrypoint="tests/system/support/pool_probe.py:pool_probe"
        ).deploy(
            name="pool-probe",
            work_pool_name=pool,
            build=False,
            push=False,
            print_next_steps=False,
        )
        scheduled = {
            client.create_flow_run_from_deployment(
                deployment_id,
                parameters={"record": str(record)},
                state=Scheduled(scheduled_time=datetime.now(UTC)),
            ).id
            for _ in range(RUNS)
        }
    for name in ("worker-a", "worker-b"):
        workers.start(
            name,
            str(BIN / "prefect"),
            "worker",
            "start",
            "--pool",
            pool,
            "--name",
            name,
            "--limit",
            str(WORKER_LIMIT),
        )

    def runs() -> list[FlowRun]:
        with get_client(sync_client=True) as client:
            return [client.read_flow_run(flow_run_id) for flow_run_id in scheduled]

    def all_final() -> list[FlowRun] | None:
        current = runs()
        return current if all(run.state.is_final() for run in current) else None

    finished = workers.wait_until(all_final, 240, "the runs to finish", "worker-a", "worker-b")
    assert [run.state.type.value for run in finished] == ["COMPLETED"] * RUNS, workers.log_tails()
    assert [run.run_count for run in finished] == [1] * RUNS

    executions = [line.split() for line in record.read_text().splitlines()]
    assert sorted(uuid.UUID(run_id) for run_id, _ in executions) == sorted(scheduled)
    by_worker = Counter(int(parent) for _, parent in executions)
    worker_pids = {workers.running[name].pid for name in ("worker-a", "worker-b")}
    assert set(by_worker) == worker_pids, (by_worker, worker_pids)
    assert sorted(by_worker.values()) == [WORKER_LIMIT, WORKER_LIMIT]
