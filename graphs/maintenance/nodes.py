"""Nodes of the predictive-maintenance graph; each calls Prefect tasks so it shows as task runs.

`human_review` interrupts the graph with the findings and the ids of the actions a person must
decide (the review policy's), and waits for the flow to resume it with the answer
(`Command(resume=answer)`, a `ReviewAnswer`); no task runs before the interrupt, so the node's
second start, on resume, repeats no work. The actions nobody was asked are auto-approved.
"""

from typing import Any, Literal

from langgraph.types import interrupt
from prefect import unmapped

from graphs.maintenance.state import MaintenanceState
from resync.maintenance.review_policy import actions_needing_review, needs_review
from resync.maintenance.types import Finding, ReviewAnswer
from resync.settings import get_settings
from tasks.alerts import notify_alerts
from tasks.fta_errors import record_fta_errors
from tasks.maintenance import (
    analyze_fta_degradation,
    combine_degradations,
    correlate_degradations,
    fetch_maintenance_data,
    predict_failures,
    recommend_actions,
    record_review_decisions,
)
from tasks.maintenance_actions import execute_approved_actions
from tasks.maintenance_effects import check_action_effects, notify_failed_actions
from tasks.maintenance_runs import store_maintenance_findings, write_maintenance_briefing
from tasks.task_runner import fta_groups

JOB_KINDS = ("job_slowdown", "job_failures")


def fetch_data(state: MaintenanceState) -> dict[str, Any]:
    return fetch_maintenance_data()


def analyze_degradation(state: MaintenanceState) -> dict[str, Any]:
    """A task run per group of FTAs through the flow's task runner (tasks/task_runner.py); the
    job tests of every group are judged together."""
    analyses = analyze_fta_degradation.map(
        unmapped(state["window_start"]),
        unmapped(state["window_end"]),
        fta_groups(state["workstations"]),
    )
    return combine_degradations(analyses.result())


def correlate(state: MaintenanceState) -> dict[str, Any]:
    """A task run per group of the FTAs with degraded jobs, given those FTAs' degradations."""
    by_fta: dict[str, list[dict[str, Any]]] = {}
    for degradation in state["degradations"]:
        by_fta.setdefault(degradation["workstation"], []).append(degradation)
    groups = fta_groups(
        sorted({d["workstation"] for d in state["degradations"] if d["kind"] in JOB_KINDS})
    )
    futures = correlate_degradations.map(
        unmapped(state["window_start"]),
        unmapped(state["window_end"]),
        groups,
        [[d for name in group for d in by_fta[name]] for group in groups],
    )
    correlations: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for result in futures.result():
        correlations += result["correlations"]
        errors |= result["fta_errors"]
    return {"correlations": correlations, "fta_errors": errors}


def predict(state: MaintenanceState) -> dict[str, Any]:
    predictions = predict_failures(
        state["window_end"], state["degradations"], state["correlations"]
    )
    return {"predictions": predictions}


def recommend(state: MaintenanceState) -> dict[str, Any]:
    findings = recommend_actions(state["predictions"], state["host_facts"])
    insight = write_maintenance_briefing(findings)
    store_maintenance_findings(state["run_id"], findings, insight)
    errors = state.get("fta_errors", {})
    notify_alerts(record_fta_errors("maintenance", errors, sorted(state["host_facts"])))
    return {"findings": findings, "insight": insight}


def human_review(state: MaintenanceState) -> dict[str, Any]:
    findings = [Finding.model_validate(finding) for finding in state["findings"]]
    threshold = get_settings().review_confidence_threshold
    asked = [action.action_id for action in actions_needing_review(findings, threshold)]
    request = {"findings": state["findings"], "insight": state["insight"], "asked": asked}
    answer = interrupt(request)
    return {"decisions": record_review_decisions(state["run_id"], state["findings"], answer)}


def execute_actions(state: MaintenanceState) -> dict[str, Any]:
    update: dict[str, Any] = {}
    if "decisions" not in state:
        # Nobody was asked: every action runs by the review policy.
        nobody_asked = ReviewAnswer(source="auto_approved").model_dump(mode="json")
        update["decisions"] = record_review_decisions(
            state["run_id"], state["findings"], nobody_asked
        )
    update["executions"] = execute_approved_actions(state["run_id"], state["findings"])
    return update


def check_effects(state: MaintenanceState) -> dict[str, Any]:
    effects = check_action_effects(state["run_id"])
    notify_failed_actions()
    return {"effects": effects}


def route_after_recommend(state: MaintenanceState) -> Literal["human_review", "execute_actions"]:
    """A person reviews when the review policy names an action they must decide on."""
    if "findings" not in state:
        raise ValueError("no findings in this state; recommend must run before routing")
    findings = [Finding.model_validate(finding) for finding in state["findings"]]
    if needs_review(findings, get_settings().review_confidence_threshold):
        return "human_review"
    return "execute_actions"
