"""Watching maintenance flow runs through the Prefect API: pauses, review forms, task runs, and
the findings a run stored."""

import time
import uuid
from collections import Counter
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import FlowRun
from prefect.input.actions import read_flow_run_input
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from sqlalchemy import select

from flows.predictive_maintenance import predictive_maintenance
from resync.db.engine import session_scope
from resync.db.models import MaintenanceFinding, MaintenanceRun

# The task each node calls, in graph order (human_review's task runs after the interrupt).
NODE_TASKS = (
    "fetch_maintenance_data",
    "analyze_fta_degradation",
    "combine_degradations",
    "correlate_degradations",
    "predict_failures",
    "recommend_actions",
    "write_maintenance_briefing",
    "store_maintenance_findings",
    "record_review_decisions",
    "execute_approved_actions",
    "check_action_effects",
    "notify_failed_actions",
)
FINDING_COLUMNS = (
    "workstation",
    "kind",
    "resource",
    "predicted_failure_date",
    "confidence",
    "evidence_summary",
    "evidence",
    "actions",
)


def wait_for_paused_run(timeout: float = 120.0) -> FlowRun:
    """The flow run driving the awaiting-review maintenance run, once Prefect shows it paused."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            with session_scope() as session:
                flow_run_id = session.scalar(
                    select(MaintenanceRun.flow_run_id).where(
                        MaintenanceRun.status == "awaiting_review"
                    )
                )
            if flow_run_id is not None:
                flow_run = client.read_flow_run(flow_run_id)
                paused = flow_run.state is not None and flow_run.state.is_paused()
                if paused and review_input(flow_run, "schema") is not None:
                    return flow_run
            time.sleep(0.3)
    raise AssertionError(f"no maintenance flow run paused for review within {timeout} s")


def review_input(flow_run: FlowRun, part: str) -> Any:
    """The pause's `schema`, `description` or `response` as stored by Prefect."""
    keyset = flow_run.state.state_details.run_input_keyset
    return read_flow_run_input(keyset[part], flow_run_id=flow_run.id)


def action_ids(schema: dict[str, Any]) -> list[str]:
    """The action fields of a review form's schema (every property but reviewer and comment)."""
    return sorted(set(schema["properties"]) - {"reviewer", "comment"})


def completed_task_runs(flow_run_ids: list[uuid.UUID]) -> Counter[str]:
    """Completed task runs per task name, over the given flow runs."""
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=flow_run_ids))
        )
    return Counter(
        task_run.name.rsplit("-", 1)[0]
        for task_run in task_runs
        if task_run.state is not None and task_run.state.is_completed()
    )


def run_and_read_findings(task_runner: TaskRunner | None = None) -> dict[str, Any]:
    """Run the maintenance flow (on `task_runner`, or the flow's); the run's findings as tuples
    of FINDING_COLUMNS (by FTA and kind), its flow run, and when its findings were stored."""
    flow = predictive_maintenance.with_options(task_runner=task_runner or ThreadPoolTaskRunner())
    run_id = uuid.UUID(flow()["run_id"])
    with session_scope() as session:
        run = session.get(MaintenanceRun, run_id)
        stored = session.scalars(
            select(MaintenanceFinding)
            .where(MaintenanceFinding.run_id == run_id)
            .order_by(MaintenanceFinding.workstation, MaintenanceFinding.kind)
        )
        findings = [tuple(getattr(f, column) for column in FINDING_COLUMNS) for f in stored]
        return {"findings": findings, "flow_run_id": run.flow_run_id, "at": run.findings_at}


def flow_run_state(flow_run_id: uuid.UUID) -> str:
    with get_client(sync_client=True) as client:
        return client.read_flow_run(flow_run_id).state.name
