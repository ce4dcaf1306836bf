"""Nodes of the decision-support graph; each calls one Prefect task for the whole batch, so a
batch shows as one task run per step however many runs failed."""

from typing import Any

from prefect.runtime import flow_run

from graphs.decision_support.state import DecisionSupportState
from tasks.decision_support import (
    classify_job_failures,
    fetch_failure_contexts,
    find_similar_failures,
    recommend_failure_resolutions,
)
from tasks.failure_cards import store_failure_cards


def fetch_contexts(state: DecisionSupportState) -> dict[str, Any]:
    return {"contexts": fetch_failure_contexts(state["run_ids"])}


def classify_failures(state: DecisionSupportState) -> dict[str, Any]:
    return {"classifications": classify_job_failures(state["contexts"])}


def find_similar_cases(state: DecisionSupportState) -> dict[str, Any]:
    return {"similar_cases": find_similar_failures(state["contexts"], state["classifications"])}


def recommend_resolutions(state: DecisionSupportState) -> dict[str, Any]:
    contexts = state["contexts"]
    cards = recommend_failure_resolutions(
        contexts, state["classifications"], state["similar_cases"]
    )
    store_failure_cards(cards, [context["joblog"] for context in contexts], flow_run.id)
    return {"cards": cards}
