"""Predictive maintenance: what will fail on which FTA, proposed actions, a human review, audit.

The flow drives the checkpointed maintenance graph. At the graph's review interrupt it pauses
for the reviewer's answer in the Prefect UI (for hours if need be), asking only the actions
that need a person, and resumes the graph with it. One maintenance run is active at a time,
held by the run claim rather than a deployment concurrency limit (whose lease Prefect revokes
when a run pauses): while the flow process driving a run keeps its heartbeat fresh, a new flow
run ends at once, naming that run; a run whose process died is continued from its checkpoint
by the next flow run, never restarted from `fetch_data`.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from langgraph.types import Command
from prefect import flow
from prefect.runtime import flow_run

from graphs.checkpoints import invoke_or_continue, open_checkpointer
from graphs.maintenance.graph import build_graph
from resync.maintenance.claims import RunTakenOver
from resync.settings import get_settings
from tasks.maintenance_review import answer_from_form, release_abandoned_flow_run, request_review
from tasks.maintenance_runs import (
    claim_maintenance_run,
    heartbeat,
    publish_maintenance_artifacts,
    read_evidence_links,
    set_maintenance_status,
)
from tasks.task_runner import configured_task_runner


def _run_name() -> str:
    return f"maintenance-{datetime.now(UTC):%Y%m%d-%H%M%S}"


def _drive_graph(
    run: dict[str, Any], current: uuid.UUID, submitted: dict[str, Any] | None
) -> dict[str, Any]:
    """Run or continue the run's graph thread to its end, pausing for each review it asks."""
    config = {"configurable": {"thread_id": run["thread_id"]}}
    with open_checkpointer() as checkpointer:
        graph = build_graph().compile(checkpointer=checkpointer)
        invoke_or_continue(graph, {"run_id": run["run_id"]}, config)
        while (snapshot := graph.get_state(config)).interrupts:
            request = snapshot.interrupts[0].value
            if submitted is not None:
                answer, submitted = answer_from_form(request, submitted), None
            else:
                set_maintenance_status(run["run_id"], current, "awaiting_review")
                answer = request_review(request, read_evidence_links(), get_settings())
            set_maintenance_status(run["run_id"], current, "running")
            graph.invoke(Command(resume=answer), config)
        return snapshot.values


@flow(name="predictive-maintenance", flow_run_name=_run_name, task_runner=configured_task_runner())
def predictive_maintenance() -> dict[str, Any]:
    """Analyse the estate, propose preventive actions, have them reviewed, run the approved."""
    current = uuid.UUID(flow_run.id)
    run = claim_maintenance_run(current)
    if run["active"] is not None:
        return {"active": run["active"]}
    with heartbeat(run["run_id"], current):
        submitted = None
        if run["previous_flow_run_id"] is not None:
            submitted = release_abandoned_flow_run(run["previous_flow_run_id"])
        try:
            state = _drive_graph(run, current, submitted)
        except RunTakenOver:
            raise
        except Exception:
            # An error, unlike a dead process, is not retried from the checkpoint: the next run
            # starts afresh on fresh data.
            set_maintenance_status(run["run_id"], current, "failed")
            raise
        publish_maintenance_artifacts(run["run_id"], state["findings"], state["insight"])
        set_maintenance_status(run["run_id"], current, "finished")
    return {
        "run_id": run["run_id"],
        "findings": len(state["findings"]),
        "actions": sum(len(f["actions"]) for f in state["findings"]),
        "approved": sum(d["decision"] == "approved" for d in state.get("decisions", [])),
        "executed": len(state.get("executions", [])),
        "analyst": state["insight"]["analyst"],
        # Partial: the FTAs the analysis failed on were left out (an alert names each).
        "partial": bool(state.get("fta_errors")),
        "fta_errors": state.get("fta_errors", {}),
        "active": None,
    }


if __name__ == "__main__":
    predictive_maintenance()
