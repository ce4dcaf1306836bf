"""Nodes of the decision-support graph; each calls Prefect tasks so it shows as task runs."""

from typing import Any

from prefect.runtime import flow_run

from graphs.decision_support.state import DecisionSupportState
from tasks.decision_support import (
    classify_job_failure,
    fetch_failure_context,
    find_similar_failures,
    recommend_failure_resolution,
    store_failure_card,
)


def fetch_context(state: DecisionSupportState) -> dict[str, Any]:
    return {"context": fetch_failure_context(state["run_id"])}


def classify_failure(state: DecisionSupportState) -> dict[str, Any]:
    context = state["context"]
    return {
        "classification": classify_job_failure(context["joblog"], context["run"]["return_code"])
    }


def find_similar_cases(state: DecisionSupportState) -> dict[str, Any]:
    return {"similar_cases": find_similar_failures(state["run_id"], state["context"]["joblog"])}


def recommend_resolution(state: DecisionSupportState) -> dict[str, Any]:
    card = recommend_failure_resolution(
        state["context"], state["classification"], state["similar_cases"]
    )
    store_failure_card(card, state["context"]["joblog"], flow_run.id)
    return {"card": card}
