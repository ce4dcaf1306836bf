"""Predictive-maintenance tasks, one per step of the graph: read, analyse, decide (acting is
`tasks.maintenance_actions`). The analysis of degradations and their correlations reads and
analyses a group of FTAs per task run, fanned out through the flow's task runner.

Records cross task boundaries as JSON-safe dicts (`model_dump(mode="json")`) and are validated
back into `resync.maintenance.types` models by the task that reads them. Each task says in the
run's log what it is about to do and what it found, so a run reading a month of samples is not
silent for the minute it takes.
"""

import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from resync.db.engine import get_engine, session_scope
from resync.db.models import utcnow
from resync.learning.action_policy import apply_action_policies
from resync.learning.calibration import calibrate_predictions
from resync.learning.parameters import active_parameters
from resync.maintenance.correlation import correlate
from resync.maintenance.degradation import degradation_evidence, judge_degradations
from resync.maintenance.history import (
    analysed_workstations,
    count_history,
    load_host_facts,
    load_jobs,
    load_metrics,
)
from resync.maintenance.prediction import predict
from resync.maintenance.recommendation import merge_findings, recommend
from resync.maintenance.review_policy import review_decisions
from resync.maintenance.store import store_reviews
from resync.maintenance.types import Correlation, Degradation, Finding, JobTest, Prediction
from resync.settings import get_settings
from tasks.database import database_task
from tasks.fta_errors import per_fta


def _dump(records: list[Any]) -> list[dict[str, Any]]:
    return [record.model_dump(mode="json") for record in records]


def _frames(window_start: str, window_end: str, workstations: list[str]) -> tuple[Any, Any]:
    start, end = datetime.fromisoformat(window_start), datetime.fromisoformat(window_end)
    began = time.monotonic()
    with get_engine().connect() as connection:
        metrics = load_metrics(connection, start, end, workstations)
        jobs = load_jobs(connection, start, end, workstations)
    get_run_logger().info(
        "read %d samples of %d FTAs and %d job runs in %.1f s",
        metrics.height,
        metrics["workstation"].n_unique(),
        jobs.height,
        time.monotonic() - began,
    )
    return metrics, jobs


def _by_kind(records: list[dict[str, Any]]) -> str:
    counts = Counter(record["kind"] for record in records)
    return ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items())) or "none"


@database_task
def fetch_maintenance_data(now: datetime | None = None) -> dict[str, Any]:
    """Fix the analysis window (ending now), count what it holds, name the FTAs it holds
    samples or job runs of, read the FTAs' host facts."""
    end = now or datetime.now(UTC)
    start = end - timedelta(days=get_settings().maintenance_history_days)
    get_run_logger().info("counting the history of the last %d days", (end - start).days)
    with get_engine().connect() as connection:
        history = count_history(connection, start, end)
        workstations = analysed_workstations(connection, start, end)
        host_facts = load_host_facts(connection)
    get_run_logger().info(
        "maintenance window %s → %s: %d FTAs, %d samples, %d job runs",
        start.isoformat(),
        end.isoformat(),
        history["workstations"],
        history["samples"],
        history["job_runs"],
    )
    return {
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "history": history,
        "workstations": workstations,
        "host_facts": host_facts,
    }


@database_task
def analyze_fta_degradation(
    window_start: str, window_end: str, workstations: list[str]
) -> dict[str, Any]:
    """The resource degradations of `workstations` over the window (`degradations`), the tests
    of their jobs' slowdowns and failure rates (`job_tests`, for `combine_degradations`), and
    the FTAs the analysis failed on, left out (`fta_errors`)."""
    logger = get_run_logger()
    logger.info("reading the window's samples and job runs to find what is degrading")
    metrics, jobs = _frames(window_start, window_end, workstations)
    now = datetime.fromisoformat(window_end)
    began = time.monotonic()
    logger.info(
        "analysing resource trends, job slowdowns and failure rates of %d FTAs",
        metrics["workstation"].n_unique(),
    )
    (resources, tests), errors = per_fta(
        lambda m, j: degradation_evidence(m, j, now=now, settings=get_settings()), metrics, jobs
    )
    logger.info(
        "%d resource degradations and %d job tests in %.1f s",
        len(resources),
        len(tests),
        time.monotonic() - began,
    )
    return {"degradations": _dump(resources), "job_tests": _dump(tests), "fta_errors": errors}


@task(cache_policy=NONE)
def combine_degradations(analyses: list[dict[str, Any]]) -> dict[str, Any]:
    """The estate's degradations from the analyses of its groups of FTAs
    (`analyze_fta_degradation`), the job tests judged over every job of the estate
    (`degradations`), and the FTAs left out (`fta_errors`)."""
    resources = [Degradation.model_validate(item) for a in analyses for item in a["degradations"]]
    tests = [JobTest.model_validate(item) for a in analyses for item in a["job_tests"]]
    degradations = _dump(judge_degradations(resources, tests, get_settings()))
    get_run_logger().info("%d degradations: %s", len(degradations), _by_kind(degradations))
    errors = {name: error for a in analyses for name, error in a["fta_errors"].items()}
    return {"degradations": degradations, "fta_errors": errors}


@database_task
def correlate_degradations(
    window_start: str, window_end: str, workstations: list[str], degradations: list[dict[str, Any]]
) -> dict[str, Any]:
    """How each degraded job of `workstations` moves with its FTA's resources over the window
    (`correlations`; `degradations` are those FTAs'), and the FTAs it failed on, left out
    (`fta_errors`)."""
    logger = get_run_logger()
    logger.info("correlating %d degradations with their FTAs' resources", len(degradations))
    metrics, jobs = _frames(window_start, window_end, workstations)
    records = [Degradation.model_validate(item) for item in degradations]

    def correlate_ftas(metrics: Any, jobs: Any) -> list[Correlation]:
        names = set(metrics["workstation"]) | set(jobs["workstation"])
        return correlate([r for r in records if r.workstation in names], metrics, jobs)

    found, errors = per_fta(correlate_ftas, metrics, jobs)
    correlations = _dump(found)
    logger.info("%d correlations", len(correlations))
    return {"correlations": correlations, "fta_errors": errors}


@database_task
def predict_failures(
    window_end: str, degradations: list[dict[str, Any]], correlations: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What fails within the horizon, when, and how sure the analysis is (confidence calibrated
    by what auto-learning applied)."""
    predictions = predict(
        [Degradation.model_validate(item) for item in degradations],
        [Correlation.model_validate(item) for item in correlations],
        now=datetime.fromisoformat(window_end),
        settings=get_settings(),
    )
    with get_engine().connect() as connection:
        calibrators = active_parameters(connection, "calibration")
    calibrated = _dump(calibrate_predictions(predictions, calibrators))
    get_run_logger().info(
        "%d failures predicted within %d days: %s",
        len(calibrated),
        get_settings().maintenance_horizon_days,
        _by_kind(calibrated),
    )
    return calibrated


@database_task
def recommend_actions(
    predictions: list[dict[str, Any]], host_facts: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The allow-listed actions proposed for each prediction, sized from the FTA's facts, under
    the action policies auto-learning applied from reviewers' decisions."""
    records = [Prediction.model_validate(item) for item in predictions]
    with get_engine().connect() as connection:
        policies = active_parameters(connection, "action_policy")
    proposed = recommend(records, host_facts, get_settings())
    # One finding per FTA and kind: two job problems of one kind on one FTA are one finding.
    findings = _dump(merge_findings(apply_action_policies(proposed, policies)))
    get_run_logger().info(
        "%d findings, %d actions proposed",
        len(findings),
        sum(len(finding["actions"]) for finding in findings),
    )
    return findings


@database_task
def record_review_decisions(
    run_id: str, findings: list[dict[str, Any]], answer: dict[str, Any]
) -> list[dict[str, Any]]:
    """Store one decision per proposed action: the answer's for the actions a person was asked,
    auto-approval for the others (`resync.maintenance.review_policy.review_decisions`).

    `answer` is a `resync.maintenance.types.ReviewAnswer` as a dict.
    """
    decisions = review_decisions([Finding.model_validate(item) for item in findings], answer)
    decided_at = utcnow()
    with session_scope() as session:
        store_reviews(session, uuid.UUID(run_id), decisions, decided_at)
    counts = Counter(f"{decision.decision} ({decision.source})" for decision in decisions)
    get_run_logger().info(
        "review of %d actions: %s",
        len(decisions),
        ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items())),
    )
    return [
        {**decision.model_dump(mode="json"), "decided_at": decided_at.isoformat()}
        for decision in decisions
    ]
