"""Nodes of the auto-learning graph; each calls Prefect tasks so each step is a task run."""

from typing import Any

from graphs.auto_learning.state import LearningState
from tasks.alerts import notify_alerts
from tasks.failure_model import retrain_failure_model
from tasks.fta_errors import record_fta_errors
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
    "failure_model",
)


def collect_outcomes(state: LearningState) -> dict[str, Any]:
    return {**collect_prediction_outcomes(state["as_of"]), "feedback": collect_review_feedback()}


def calibrate_confidence(state: LearningState) -> dict[str, Any]:
    return {"calibration": calibrate_prediction_confidence()}


def tune_alerts(state: LearningState) -> dict[str, Any]:
    tuned = tune_alert_rules()
    return {"alert_rules": tuned, "fta_errors": tuned["fta_errors"]}


def select_models(state: LearningState) -> dict[str, Any]:
    selected = select_forecast_models(state["as_of"])
    return {"forecast_models": selected, "fta_errors": selected["fta_errors"]}


def learn_action_policy(state: LearningState) -> dict[str, Any]:
    return {"action_policies": learn_action_policies()}


def calibrate_capacity(state: LearningState) -> dict[str, Any]:
    return {"capacity_calibration": calibrate_saturation_probability()}


def learn_failure_classes(state: LearningState) -> dict[str, Any]:
    return {"failure_model": retrain_failure_model()}


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
    notify_alerts(record_fta_errors("learning", state.get("fta_errors", {}), None))
    return {"change_ids": change_ids, "report": report}
