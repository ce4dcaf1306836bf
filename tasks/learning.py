"""Auto-learning tasks: judge past predictions, propose learned changes, record them, report.

Proposals cross task boundaries as plain dicts (`dataclasses.asdict` of
`resync.learning.Proposal`); `record_learned_changes` stores them all, applied or not.
"""

import dataclasses
import uuid
from datetime import datetime, timedelta
from typing import Any

import polars as pl
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from resync.alerts.rules import alert_rules
from resync.alerts.store import load_alert_reviews
from resync.capacity.forecasting.resample import fill_gaps
from resync.capacity.resources import SATURATING
from resync.capacity.series import hourly_series
from resync.capacity.store import load_hourly_metrics, workstations_with_metrics
from resync.db.engine import get_engine, session_scope
from resync.learning.action_policy import decision_summary
from resync.learning.alert_tuning import propose_alert_tuning, review_gate
from resync.learning.calibration import propose_calibrations
from resync.learning.changes import Proposal
from resync.learning.model_preference import propose_model_preference
from resync.learning.outcomes import hourly_levels, judge_outcomes
from resync.learning.parameters import active_parameters, alert_overrides
from resync.learning.report import learning_markdown
from resync.learning.store import (
    load_action_decisions,
    load_due_predictions,
    load_outcomes,
    load_samples,
    record_changes,
    store_outcomes,
)
from resync.settings import get_settings
from tasks.database import database_task
from tasks.fta_errors import fta_step


def _learned(
    proposals: list[Proposal], skipped: dict[str, str], errors: dict[str, str] | None = None
) -> dict[str, Any]:
    """A learner's result; an FTA it failed on (`errors`) is also skipped, with the error."""
    errors = errors or {}
    return {
        "proposals": [dataclasses.asdict(p) for p in proposals],
        "skipped": {**skipped, **{name: f"failed: {error}" for name, error in errors.items()}},
        "fta_errors": errors,
    }


@database_task
def collect_prediction_outcomes(as_of: str) -> dict[str, Any]:
    """Judge every finding and capacity forecast whose date has passed; store the outcomes
    (`outcomes`: counts) and name the FTAs whose predictions could not be judged (`fta_errors`,
    left for the next run)."""
    now = datetime.fromisoformat(as_of)
    judged_frames, errors = [], {}
    with get_engine().connect() as connection:
        due = load_due_predictions(connection, now)
        for (workstation,), predictions in due.partition_by("workstation", as_dict=True).items():
            with fta_step(errors, workstation):
                columns = predictions["resource"].unique().sort().to_list()
                samples = load_samples(
                    connection,
                    workstation,
                    columns,
                    predictions["predicted_at"].min(),
                    predictions["due_at"].max(),
                )
                judged_frames.append(judge_outcomes(predictions, hourly_levels(samples, columns)))
    judged = pl.concat(judged_frames) if judged_frames else judge_outcomes(due, pl.DataFrame())
    with session_scope() as session:
        stored = store_outcomes(session, judged)
    counts = {
        "due": due.height,
        "judged": judged.height,
        "happened": int(judged["happened"].sum()),
        "without_samples": due.height - judged.height,
        "stored": stored,
    }
    get_run_logger().info("outcomes of past predictions: %s", counts)
    return {"outcomes": counts, "fta_errors": errors}


@database_task
def collect_review_feedback() -> dict[str, Any]:
    """Reviewer decisions: maintenance actions per kind × command with their latest comments,
    alert verdicts per rule."""
    with get_engine().connect() as connection:
        maintenance = decision_summary(load_action_decisions(connection))
        alerts = load_alert_reviews(connection)
    verdicts = alerts.group_by("rule", "verdict").len().sort("rule", "verdict").to_dicts()
    return {"maintenance": maintenance, "alerts": verdicts}


@database_task
def calibrate_prediction_confidence() -> dict[str, Any]:
    """A confidence calibrator per maintenance kind with enough judged outcomes."""
    settings = get_settings()
    with get_engine().connect() as connection:
        outcomes = load_outcomes(connection, "maintenance")
        current = active_parameters(connection, "calibration")
    proposals, skipped = propose_calibrations(
        outcomes,
        current,
        min_outcomes=settings.learning_min_outcomes,
        holdout_fraction=settings.learning_holdout_fraction,
    )
    if outcomes.is_empty():
        skipped["all"] = "no judged outcome of a maintenance prediction yet"
    return _learned(proposals, skipped)


@database_task
def tune_alert_rules() -> dict[str, Any]:
    """New parameters for each rule × FTA that reviewers keep marking as false alarms."""
    settings = get_settings()
    rules = {rule.name: rule for rule in alert_rules(settings)}
    bounds = {
        "max_samples": settings.learning_alert_max_samples,
        "threshold_step": settings.learning_alert_threshold_step,
        "max_threshold_steps": settings.learning_alert_max_threshold_steps,
    }
    slack = timedelta(seconds=settings.collector_interval_seconds)
    with get_engine().connect() as connection:
        reviews = load_alert_reviews(connection)
        overrides = alert_overrides(connection)
        proposals, skipped, errors = [], {}, {}
        for (name, workstation), group in reviews.partition_by(
            "rule", "workstation", as_dict=True
        ).items():
            target = f"{name}/{workstation}"
            gate = review_gate(
                group,
                min_reviews=settings.learning_min_alert_reviews,
                false_alarm_share=settings.learning_false_alarm_share,
            )
            if name not in rules:
                skipped[target] = f"rule {name} has no threshold or count to tune"
            elif gate is not None:
                skipped[target] = gate
            else:
                with fta_step(errors, workstation):
                    rule = rules[name]
                    window = slack * (settings.learning_alert_max_samples + 1)
                    samples = load_samples(
                        connection,
                        workstation,
                        [rule.metric],
                        group["opened_at"].min() - window,
                        group["last_seen_at"].max(),
                    ).select("sample_time", pl.col(rule.metric).cast(pl.Float64).alias("value"))
                    current = overrides.get((name, workstation)) or {
                        "threshold": rule.threshold,
                        "samples": rule.samples,
                    }
                    found = propose_alert_tuning(
                        rule,
                        workstation,
                        samples,
                        group,
                        current,
                        bounds=bounds,
                        holdout_fraction=settings.learning_holdout_fraction,
                        slack=slack,
                    )
                    if isinstance(found, str):
                        skipped[target] = found
                    else:
                        proposals.append(found)
    return _learned(proposals, skipped, errors)


@database_task
def select_forecast_models(as_of: str) -> dict[str, Any]:
    """Per FTA × CPU, memory and disk: the model that backtests best, if it forecasts better."""
    settings = get_settings()
    end = datetime.fromisoformat(as_of)
    start = end - timedelta(days=settings.forecast_history_days)
    with get_engine().connect() as connection:
        current = active_parameters(connection, "forecast_model")
        workstations = workstations_with_metrics(connection, start, end, None)
        hourly = load_hourly_metrics(connection, start, end, workstations)
    proposals, skipped, errors = [], {}, {}
    for (workstation,), frame in sorted(hourly.partition_by("workstation", as_dict=True).items()):
        for resource in SATURATING:
            target = f"{workstation}/{resource}"
            with fta_step(errors, workstation):
                series = fill_gaps(hourly_series(frame, resource), "1h")
                found = propose_model_preference(
                    series["value"].to_numpy(),
                    target,
                    current.get(target),
                    held_out_days=settings.learning_model_held_out_days,
                )
                if isinstance(found, str):
                    skipped[target] = found
                else:
                    proposals.append(found)
    return _learned(proposals, skipped, errors)


@database_task
def record_learned_changes(proposals: list[dict[str, Any]], flow_run_id: str | None) -> list[int]:
    """Store every proposal as a versioned learned change; the applied ones take effect."""
    records = [Proposal(**proposal) for proposal in proposals]
    with session_scope() as session:
        ids = record_changes(session, records, uuid.UUID(flow_run_id) if flow_run_id else None)
    applied = sum(record.applied for record in records)
    get_run_logger().info("recorded %d learned changes, %d applied", len(ids), applied)
    return ids


@task(cache_policy=NONE)
def publish_learning_report(
    outcomes: dict[str, int],
    feedback: dict[str, Any],
    proposals: list[dict[str, Any]],
    change_ids: list[int],
    skipped: dict[str, str],
) -> str:
    """A markdown artifact: what was learned and applied, what was not, and why."""
    changes = [{**p, "id": i} for p, i in zip(proposals, change_ids, strict=True)]
    markdown = learning_markdown(outcomes, feedback, changes, skipped)
    applied = sum(change["applied"] for change in changes)
    create_markdown_artifact(
        key="auto-learning",
        markdown=markdown,
        description=f"Auto-learning: {applied} change(s) applied of {len(changes)} proposed",
    )
    return markdown
