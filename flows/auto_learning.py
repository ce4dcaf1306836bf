"""Auto-learning: judge past predictions, learn from reviews and outcomes, version each change.

Wraps the auto-learning graph (graphs/auto_learning), checkpointed on the application database
with the flow run id as its thread: a crashed run's retry resumes after its last completed step.
Calibrators, alert-rule parameters, forecast-model preferences, action policies (from reviewers'
decisions) and saturation-probability calibrators it applies are read by the maintenance, alert
and capacity tasks; `resync learning revert ID` undoes any of them.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from prefect import flow
from prefect.runtime import flow_run

from graphs.auto_learning.graph import build_graph
from graphs.auto_learning.nodes import proposals_and_skipped
from graphs.checkpoints import invoke_or_continue, open_checkpointer
from resync.settings import get_settings


def _run_name() -> str:
    return f"auto-learning-{datetime.now(UTC):%Y%m%d-%H%M}"


@flow(name="auto-learning", flow_run_name=_run_name)
def auto_learning(as_of: datetime | None = None) -> dict[str, Any]:
    """Outcomes, calibration, alert tuning, model preference, action policies, saturation
    probability; record and report the changes."""
    flow_run_id = flow_run.get_id()
    inputs = {
        "as_of": (as_of or datetime.now(UTC)).astimezone(UTC).isoformat(),
        "flow_run_id": flow_run_id,
    }
    with open_checkpointer(get_settings()) as checkpointer:
        graph = build_graph().compile(checkpointer=checkpointer)
        config = {"configurable": {"thread_id": str(flow_run_id or uuid.uuid4())}}
        state = invoke_or_continue(graph, inputs, config)
    proposals, _ = proposals_and_skipped(state)
    return {
        "outcomes": state["outcomes"],
        "change_ids": state["change_ids"],
        "applied": [i for i, p in zip(state["change_ids"], proposals, strict=True) if p["applied"]],
        # Partial: the FTAs a learner failed on were left out (an alert names each).
        "partial": bool(state.get("fta_errors")),
        "fta_errors": state.get("fta_errors", {}),
    }


if __name__ == "__main__":
    auto_learning()
