"""Capacity forecast: which FTA runs out of CPU, memory or disk, when, and what to order by when.

Wraps the capacity graph (graphs/capacity), checkpointed on the application database with the
flow run id as its thread: a crashed run's retry resumes after its last completed step. Once the
graph has finished the run, the report flow renders its report as a subflow.
"""

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from prefect import flow
from prefect.runtime import flow_run
from pydantic import Field

from flows.report_generation import report_generation
from graphs.capacity.graph import build_graph
from graphs.capacity.nodes import summarize
from graphs.checkpoints import invoke_or_continue, open_checkpointer
from resync.capacity.resources import RESOURCES, Resource
from resync.ingest.payload import WORKSTATION_PATTERN
from resync.settings import get_settings
from tasks.capacity import check_forecast_request
from tasks.task_runner import configured_task_runner


def _run_name() -> str:
    parameters = flow_run.parameters
    chosen = parameters.get("workstations")
    scope = f"{len(chosen)}-ftas" if chosen else "all-ftas"
    return f"capacity-{scope}-{datetime.now(UTC):%Y%m%d-%H%M}"


@flow(name="capacity-forecast", flow_run_name=_run_name, task_runner=configured_task_runner())
def capacity_forecast(
    workstations: list[Annotated[str, Field(pattern=WORKSTATION_PATTERN)]] | None = None,
    resources: list[Resource] | None = None,
    history_days: Annotated[int, Field(ge=1, le=400)] | None = None,
    horizon_days: Annotated[int, Field(ge=1, le=730)] | None = None,
) -> dict[str, Any]:
    """Forecast every FTA × resource, date the saturations, size the fixes, write the insight."""
    settings = get_settings()
    inputs = {
        "workstation_filter": [name.upper() for name in workstations] if workstations else None,
        "resources": list(resources or RESOURCES),
        "history_days": history_days or settings.forecast_history_days,
        "horizon_days": horizon_days or settings.forecast_horizon_days,
    }
    check_forecast_request(inputs["workstation_filter"], inputs["history_days"])
    thread_id = str(flow_run.get_id() or uuid.uuid4())
    with open_checkpointer(settings) as checkpointer:
        graph = build_graph().compile(checkpointer=checkpointer)
        config = {"configurable": {"thread_id": thread_id}}
        state = invoke_or_continue(graph, inputs, config)
    report_id = report_generation(capacity_run_id=uuid.UUID(state["run_id"]))
    return {
        **summarize(state),
        "analyst": state["insight"]["analyst"],
        "report_id": str(report_id),
        # Partial: the FTAs a step failed on were left out (an alert names each).
        "partial": bool(state.get("fta_errors")),
        "fta_errors": state.get("fta_errors", {}),
    }


if __name__ == "__main__":
    capacity_forecast()
