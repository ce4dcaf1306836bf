"""Nodes of the auto-learning graph; each calls Prefect tasks so each step is a task run."""

from typing import Any

from graphs.auto_learning.state import LearningState
from tasks.learning import (
    calibrate_prediction_confidence,
    collect_prediction_outcomes,
    collect_review_feedback,
    publish_learning_report,
    record_learned_changes,
    select_forecast_models,
    tune_alert_rules,
)
from tasks.learning_feedback import calibrate_saturation_probability, learn_action_policies

LEARNERS = (
    "calibration",
    "alert_rules",
    "forecast_models",
    "action_policies",
    "capacity_calibration",
)


def collect_outcomes(state: LearningState) -> dict[str, Any]:
    return {
        "outcomes": collect_prediction_outcomes(state["as_of"]),
        "feedback": collect_review_feedback(),
    }


def calibrate_confidence(state: LearningState) -> dict[str, Any]:
    return {"calibration": calibrate_prediction_confidence()}


def tune_alerts(state: LearningState) -> dict[str, Any]:
    return {"alert_rules": tune_alert_rules()}


def select_models(state: LearningState) -> dict[str, Any]:
    return {"forecast_models": select_forecast_models(state["as_of"])}


def learn_action_policy(state: LearningState) -> dict[str, Any]:
    return {"action_policies": learn_action_policies()}


def calibrate_capacity(state: LearningState) -> dict[str, Any]:
    return {"capacity_calibration": calibrate_saturation_probability()}


def proposals_and_skipped(state: LearningState) -> tuple[list[dict], dict[str, str]]:
    """Every learner's proposals in order, and every target left out with its reason."""
    missing = [name for name in LEARNERS if name not in state]
    if missing:
        raise ValueError(f"the learners {missing} have not run in this state")
    proposals = [p for name in LEARNERS for p in state[name]["proposals"]]
    skipped = {
        f"{name}: {target}": why
        for name in LEARNERS
        for target, why in state[name]["skipped"].items()
    }
    return proposals, skipped


def apply_changes(state: LearningState) -> dict[str, Any]:
    proposals, skipped = proposals_and_skipped(state)
    change_ids = record_learned_changes(proposals, state.get("flow_run_id"))
    report = publish_learning_report(
        state["outcomes"], state["feedback"], proposals, change_ids, skipped
    )
    return {"change_ids": change_ids, "report": report}
