"""Nodes of the decision-support graph. Reading and classifying the failed runs take a task
run per batch of RESYNC_FAILURE_BATCH_RUNS runs, fanned out through the flow's task runner
(tasks/task_runner.py); finding similar cases and writing the cards take one task run for every
run, each run compared with the runs before it. A run of many failures shows as a few task runs
per batch, not a handful per failed run."""

from typing import Any

from prefect.runtime import flow_run

from graphs.decision_support.state import DecisionSupportState
from resync.settings import get_settings
from tasks.decision_support import (
    classify_job_failures,
    fetch_failure_contexts,
    find_similar_failures,
    recommend_failure_resolutions,
)
from tasks.failure_cards import store_failure_cards
from tasks.task_runner import in_groups


def _in_batches(items: list[Any]) -> list[list[Any]]:
    return in_groups(items, get_settings().failure_batch_runs)


def fetch_contexts(state: DecisionSupportState) -> dict[str, Any]:
    batches = fetch_failure_contexts.map(_in_batches(state["run_ids"]))
    return {"contexts": [context for batch in batches.result() for context in batch]}


def classify_failures(state: DecisionSupportState) -> dict[str, Any]:
    batches = classify_job_failures.map(_in_batches(state["contexts"]))
    return {"classifications": [item for batch in batches.result() for item in batch]}


def find_similar_cases(state: DecisionSupportState) -> dict[str, Any]:
    return {"similar_cases": find_similar_failures(state["contexts"], state["classifications"])}


def recommend_resolutions(state: DecisionSupportState) -> dict[str, Any]:
    contexts = state["contexts"]
    cards = recommend_failure_resolutions(
        contexts, state["classifications"], state["similar_cases"]
    )
    store_failure_cards(cards, [context["joblog"] for context in contexts], flow_run.id)
    return {"cards": cards}
