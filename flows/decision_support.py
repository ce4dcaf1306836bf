"""Decision support: a root-cause card for each failed job run, stored and served by the API,
and one artifact per flow run listing them.

Started by the job-history sync for its newly failed runs, or on demand: with `run_ids`, those
runs (re-analysed if they already have a card); without, every failed run not yet analysed.
The runs go through the graph together; it reads and classifies them a task run per batch of
RESYNC_FAILURE_BATCH_RUNS through the flow's task runner, so a backlog of hundreds of failures
costs Prefect a few task runs, not thousands. Runs the graph fails on go through it again in
halves, down to the runs that fail alone: each is recorded as its FTA's error (an alert), the
others' cards are stored, and the run says it is partial.
"""

from datetime import UTC, datetime
from typing import Any

from langgraph.graph.state import CompiledStateGraph
from prefect import flow

from graphs.decision_support.graph import build_graph
from tasks.alerts import notify_alerts
from tasks.decision_support import find_run_workstations, select_failed_runs
from tasks.failure_cards import publish_failure_cards
from tasks.fta_errors import describe, record_fta_errors
from tasks.task_runner import configured_task_runner


def _run_name() -> str:
    return f"decision-support-{datetime.now(UTC):%Y%m%d-%H%M%S}"


@flow(name="decision-support", flow_run_name=_run_name, task_runner=configured_task_runner())
def decision_support(run_ids: list[str] | None = None) -> dict[str, Any]:
    """Classify the failed runs batch by batch, find similar past failures, store every card and
    publish them as one artifact."""
    graph = build_graph().compile()
    selected = select_failed_runs(run_ids)
    failed: dict[str, str] = {}
    cards = _analyse(graph, selected, failed) if selected else []
    if cards:
        publish_failure_cards(cards)
    workstations = find_run_workstations(selected)
    errors: dict[str, str] = {}
    for run_id, error in failed.items():
        earlier = errors.get(workstations[run_id])
        errors[workstations[run_id]] = "; ".join(filter(None, [earlier, f"run {run_id}: {error}"]))
    notify_alerts(record_fta_errors("decision_support", errors, sorted(set(workstations.values()))))
    return {
        "analysed": len(cards),
        "classes": {card["run_id"]: card["failure_class"] for card in cards},
        "partial": bool(failed),
        "failed_runs": failed,
        "fta_errors": errors,
    }


def _analyse(graph: CompiledStateGraph, run_ids: list[str], failed: dict[str, str]) -> list[dict]:
    """The cards of `run_ids`; a run the graph fails on alone is left out, in `failed`."""
    try:
        return graph.invoke({"run_ids": run_ids})["cards"]
    except Exception as error:
        if len(run_ids) == 1:
            failed[run_ids[0]] = describe(error)
            return []
    middle = len(run_ids) // 2
    return _analyse(graph, run_ids[:middle], failed) + _analyse(graph, run_ids[middle:], failed)


if __name__ == "__main__":
    decision_support()
