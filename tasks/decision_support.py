"""Decision-support tasks: read a failed run's context, classify it, find similar cases, store.

Everything crossing a task boundary is JSON-safe. The joblog is redacted and capped as soon as
it is read, so neither the card, the LLM nor the Prefect UI ever sees a secret from it.
"""

import hashlib
import re
import uuid
from datetime import datetime
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound

from resync.db.engine import session_scope
from resync.joblog.analyst import classify_failure
from resync.joblog.context import corroborating_readings, resource_state, run_history_summary
from resync.joblog.recommendation import card_confidence, card_markdown, suggest_fix
from resync.joblog.redaction import redact_joblog
from resync.joblog.schemas import SimilarCase
from resync.joblog.similarity import rank_similar_failures
from resync.joblog.store import (
    failed_runs_to_analyse,
    failure_time,
    load_failure_context,
    load_past_failures,
    store_failure_analysis,
)
from resync.jobs.store import get_job_run
from resync.settings import get_settings
from tasks.database import database_task

DEPLOYMENT = "decision-support/decision-support"
ANALYSIS_BATCH = 500


@database_task
def select_failed_runs(run_ids: list[str] | None) -> list[str]:
    """The failed runs to analyse: those of `run_ids`, or every failed run without a card."""
    with session_scope() as session:
        selected = failed_runs_to_analyse(session, run_ids, ANALYSIS_BATCH)
    if run_ids is not None and len(selected) < len(set(run_ids)):
        missing = sorted(set(run_ids) - set(selected))
        get_run_logger().warning("Not failed job runs, or unknown, skipped: %s", missing)
    return selected


@database_task
def fetch_failure_context(run_id: str) -> dict[str, Any]:
    """The run, its redacted joblog, the job's run history, the FTA's resources and alerts."""
    settings = get_settings()
    with session_scope() as session:
        run = get_job_run(session, run_id)
        runs, metrics, alerts = load_failure_context(session.connection(), run, settings)
        failed_at = failure_time(run)
        return {
            "run": {
                "run_id": run.run_id,
                "workstation": run.workstation,
                "job_stream": run.job_stream,
                "job_name": run.job_name,
                "status": run.status,
                "return_code": run.return_code,
                "failed_at": failed_at.isoformat(),
            },
            "joblog": redact_joblog(run.joblog, settings.joblog_max_bytes),
            "run_history": run_history_summary(runs, run_id),
            "resource_state": resource_state(metrics, alerts, failed_at),
        }


@task(cache_policy=NONE)
def classify_job_failure(joblog: str, return_code: int | None) -> dict[str, Any]:
    """The failure class with its evidence lines; the LLM only where no signature applies."""
    classification, insight = classify_failure(joblog, return_code, get_settings())
    return {
        **classification.model_dump(mode="json"),
        "analyst": "deterministic" if insight is None else insight.analyst,
        "analyst_note": None if insight is None else insight.note or None,
    }


@database_task
def find_similar_failures(run_id: str, joblog: str) -> list[dict[str, Any]]:
    """Past analysed failures ranked by joblog similarity, with their recorded resolutions."""
    settings = get_settings()
    with session_scope() as session:
        past = load_past_failures(session, run_id, settings.failure_past_cases)
    similar = rank_similar_failures(joblog, past, settings.failure_similar_cases)
    return [case.model_dump(mode="json") for case in similar]


@task(cache_policy=NONE)
def recommend_failure_resolution(
    context: dict[str, Any], classification: dict[str, Any], similar: list[dict[str, Any]]
) -> dict[str, Any]:
    """The root-cause card: class, evidence, corroborating resources, similar cases, the fix."""
    failure_class = classification["failure_class"]
    corroborating = corroborating_readings(
        context["resource_state"], failure_class, context["run_history"], get_settings()
    )
    cases = [SimilarCase.model_validate(case) for case in similar]
    return {
        **context["run"],
        "failure_class": failure_class,
        "confidence": card_confidence(classification, corroborating),
        "method": classification["method"],
        "explanation": classification["explanation"],
        "evidence": classification["evidence"],
        "resource_state": {**context["resource_state"], "corroborating": corroborating},
        "run_history": context["run_history"],
        "similar_cases": similar,
        "suggested_fix": suggest_fix(failure_class, cases),
        "analyst": classification["analyst"],
        "analyst_note": classification["analyst_note"],
    }


@database_task
def store_failure_card(card: dict[str, Any], joblog: str, flow_run_id: str | None) -> None:
    """Store the run's card (replacing an earlier one) with the redacted joblog it came from."""
    row = {
        name: card[name]
        for name in (
            "run_id",
            "workstation",
            "job_stream",
            "job_name",
            "return_code",
            "failure_class",
            "confidence",
            "method",
            "explanation",
            "evidence",
            "resource_state",
            "run_history",
            "similar_cases",
            "suggested_fix",
            "analyst",
            "analyst_note",
        )
    }
    row["failed_at"] = datetime.fromisoformat(card["failed_at"])
    row["joblog"] = joblog
    row["flow_run_id"] = None if flow_run_id is None else uuid.UUID(flow_run_id)
    with session_scope() as session:
        store_failure_analysis(session, row)


@task(cache_policy=NONE)
def publish_failure_card(card: dict[str, Any]) -> None:
    """The card as a markdown artifact, keyed by the run (readable, and unique by its hash)."""
    readable = re.sub(r"[^a-z0-9-]+", "-", card["run_id"].lower()).strip("-")[:80]
    digest = hashlib.sha256(card["run_id"].encode()).hexdigest()[:8]
    key = f"failure-{readable}-{digest}"
    create_markdown_artifact(
        key=key,
        markdown=card_markdown(card),
        description=f"Root cause of {card['job_name']} on {card['workstation']}",
    )


@task(cache_policy=NONE)
def start_failure_analysis(run_ids: list[str]) -> str | None:
    """Start the decision-support deployment for `run_ids` without waiting for it.

    Without the deployment (flows run outside `prefect deploy`), the runs wait for the next
    on-demand run, which analyses every failed run that has no card yet.
    """
    if not run_ids:
        return None
    try:
        flow_run = run_deployment(DEPLOYMENT, parameters={"run_ids": run_ids}, timeout=0)
    except ObjectNotFound:
        get_run_logger().warning(
            "Deployment %s not found: %d failed run(s) wait for the next decision-support run",
            DEPLOYMENT,
            len(run_ids),
        )
        return None
    return str(flow_run.id)
