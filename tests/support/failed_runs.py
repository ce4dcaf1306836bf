"""Failed job runs for decision support, and the cards a decision-support run stores for them."""

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from sqlalchemy import delete, select

from flows.decision_support import decision_support
from resync.db.engine import session_scope
from resync.db.models import FailureAnalysis
from resync.jobs.schemas import JobRun
from resync.jobs.store import store_job_runs
from resync.settings import get_settings

JOBLOGS = (
    "ORA-00060: deadlock detected while waiting for resource\n",
    "write /opt/tws/stdlist/out.dat: No space left on device\n",
    "ORA-00060: deadlock detected while waiting for resource on GL_BALANCES\n",
    "ORA-01017: invalid username/password; logon denied\n",
)
CARD_COLUMNS = (
    "failure_class",
    "confidence",
    "method",
    "explanation",
    "evidence",
    "resource_state",
    "run_history",
    "similar_cases",
    "suggested_fix",
    "analyst",
)


def store_failed_runs(count: int) -> list[str]:
    """`count` failed runs an hour apart on four FTAs, their joblogs in four families."""
    now = datetime.now(UTC).replace(microsecond=0)
    runs = [
        JobRun(
            workstation=f"WS-{number % 4:02d}",
            job_stream="NIGHTLY",
            job_name=f"EXPORT_{number % 3}",
            run_id=f"WS-{number % 4:02d};NIGHTLY;EXPORT_{number % 3};{number}",
            status="ABEND",
            return_code=12,
            started_at=now - timedelta(hours=count - number),
            ended_at=now - timedelta(hours=count - number, minutes=-5),
            joblog=JOBLOGS[number % len(JOBLOGS)],
        )
        for number in range(count)
    ]
    with session_scope() as session:
        store_job_runs(session, runs, get_settings().joblog_max_bytes)
    return [run.run_id for run in runs]


def analyse_and_forget(run_ids: list[str], task_runner: TaskRunner | None = None) -> dict:
    """The cards a decision-support run (on `task_runner`, or threads) stores for `run_ids`, as
    tuples of CARD_COLUMNS by run id, then deleted so the next run starts from the same history;
    and its fetch_failure_contexts task runs (`fetched`)."""
    flow = decision_support.with_options(task_runner=task_runner or ThreadPoolTaskRunner())
    state = flow(run_ids, return_state=True)
    assert state.result()["analysed"] == len(run_ids)
    with session_scope() as session:
        cards: dict[str, Any] = {
            card.run_id: tuple(getattr(card, column) for column in CARD_COLUMNS)
            for card in session.scalars(select(FailureAnalysis))
        }
        session.execute(delete(FailureAnalysis))
    return {"cards": cards, "fetched": fetch_task_runs(state.state_details.flow_run_id)}


def fetch_task_runs(flow_run_id: uuid.UUID, quiet_seconds: float = 2, timeout: float = 60) -> int:
    """The flow run's fetch_failure_contexts task runs, once their count stops changing (the
    server records task runs from events, late)."""

    def count() -> int:
        with get_client(sync_client=True) as client:
            task_runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            )
        names = [task_run.name.rsplit("-", 1)[0] for task_run in task_runs]
        return names.count("fetch_failure_contexts")

    deadline = time.monotonic() + timeout
    last, since = count(), time.monotonic()
    while time.monotonic() - since < quiet_seconds and time.monotonic() < deadline:
        time.sleep(0.25)
        if (now := count()) != last:
            last, since = now, time.monotonic()
    return last
