"""Decision-support tasks over a batch of failed runs: read their context, classify them, find
similar past failures, write their root-cause cards (stored and published: tasks/failure_cards.py).

Each step is one task run for the whole batch, whatever its size: Prefect's database (SQLite in
the embedded default) records a few task runs per flow run, not a handful per failed job.
Everything crossing a task boundary is JSON-safe, lists in the batch's order. The joblog is
redacted and capped as soon as it is read, so neither the card, the LLM nor the Prefect UI ever
sees a secret from it.
"""

from collections import Counter
from datetime import datetime
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound

from resync.db.engine import session_scope
from resync.joblog.analyst import classify_failure
from resync.joblog.context import corroborating_readings, resource_state, run_history_summary
from resync.joblog.recommendation import card_confidence, suggest_fix
from resync.joblog.redaction import redact_joblog
from resync.joblog.schemas import PastFailure, SimilarCase
from resync.joblog.similarity import rank_similar_failures
from resync.joblog.store import (
    failed_runs_to_analyse,
    failure_time,
    latest_resolutions,
    load_failure_context,
    load_past_failures,
)
from resync.jobs.store import get_job_run
from resync.settings import get_settings
from tasks.database import database_task
from tasks.failure_model import failure_model_in_force

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
    get_run_logger().info("%d failed job run(s) to analyse", len(selected))
    return selected


@database_task
def find_run_workstations(run_ids: list[str]) -> dict[str, str]:
    """The FTA each of the runs ran on."""
    with session_scope() as session:
        return {run_id: get_job_run(session, run_id).workstation for run_id in run_ids}


@database_task
def fetch_failure_contexts(run_ids: list[str]) -> list[dict[str, Any]]:
    """Each run, its redacted joblog, the job's run history, the FTA's resources and alerts."""
    settings = get_settings()
    contexts = []
    with session_scope() as session:
        for run_id in run_ids:
            run = get_job_run(session, run_id)
            runs, metrics, alerts = load_failure_context(session.connection(), run, settings)
            failed_at = failure_time(run)
            contexts.append(
                {
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
            )
    get_run_logger().info("Read the context of %d failed run(s)", len(contexts))
    return contexts


@database_task
def classify_job_failures(contexts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each run's failure class with its evidence lines: the catalogue, then the text model in
    force, then the LLM, where the one before could not decide."""
    settings = get_settings()
    model = failure_model_in_force()
    classifications = []
    for context in contexts:
        classification, insight = classify_failure(
            context["joblog"], context["run"]["return_code"], settings, model
        )
        classifications.append(
            {
                **classification.model_dump(mode="json"),
                "analyst": "deterministic" if insight is None else insight.analyst,
                "analyst_note": None if insight is None else insight.note or None,
            }
        )
    by_class = Counter(item["failure_class"] for item in classifications)
    get_run_logger().info("Classified %d failed run(s): %s", len(contexts), dict(by_class))
    return classifications


def _recent_past(
    stored: list[PastFailure], analysed: list[PastFailure], run_id: str, limit: int
) -> list[PastFailure]:
    """The `limit` most recent failures a run is compared with: the batch's runs analysed before
    it (replacing their earlier cards) and the stored cards, never the run itself."""
    superseded = {past.run_id for past in analysed} | {run_id}
    merged = analysed + [past for past in stored if past.run_id not in superseded]
    return sorted(merged, key=lambda past: past.failed_at, reverse=True)[:limit]


@database_task
def find_similar_failures(
    contexts: list[dict[str, Any]], classifications: list[dict[str, Any]]
) -> list[list[dict[str, Any]]]:
    """Per run, past analysed failures ranked by joblog similarity, with their resolutions.

    The batch's earlier runs count as past failures of its later ones, as they would if each
    run were analysed and stored before the next.
    """
    settings = get_settings()
    run_ids = [context["run"]["run_id"] for context in contexts]
    limit = settings.failure_past_cases
    with session_scope() as session:
        # The first run's stored card is left out; the others' are replaced as the batch goes.
        stored = load_past_failures(session, run_ids[0], limit + len(run_ids))
        resolutions = latest_resolutions(session, run_ids)
    similar, analysed = [], []
    for context, classification in zip(contexts, classifications, strict=True):
        run = context["run"]
        past = _recent_past(stored, analysed, run["run_id"], limit)
        ranked = rank_similar_failures(context["joblog"], past, settings.failure_similar_cases)
        similar.append([case.model_dump(mode="json") for case in ranked])
        resolution = resolutions.get(run["run_id"])
        analysed.append(
            PastFailure(
                run_id=run["run_id"],
                workstation=run["workstation"],
                job_name=run["job_name"],
                failed_at=datetime.fromisoformat(run["failed_at"]),
                failure_class=(resolution and resolution.failure_class)
                or classification["failure_class"],
                text=context["joblog"],
                resolution=resolution.resolution if resolution else None,
            )
        )
    return similar


@task(cache_policy=NONE)
def recommend_failure_resolutions(
    contexts: list[dict[str, Any]],
    classifications: list[dict[str, Any]],
    similar: list[list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Each run's root-cause card: class, evidence, corroborating resources, similar cases, fix."""
    settings = get_settings()
    cards = []
    for context, classification, cases in zip(contexts, classifications, similar, strict=True):
        failure_class = classification["failure_class"]
        corroborating = corroborating_readings(
            context["resource_state"], failure_class, context["run_history"], settings
        )
        cards.append(
            {
                **context["run"],
                "failure_class": failure_class,
                "confidence": card_confidence(classification, corroborating),
                "method": classification["method"],
                "explanation": classification["explanation"],
                "evidence": classification["evidence"],
                "resource_state": {**context["resource_state"], "corroborating": corroborating},
                "run_history": context["run_history"],
                "similar_cases": cases,
                "suggested_fix": suggest_fix(
                    failure_class, [SimilarCase.model_validate(case) for case in cases]
                ),
                "analyst": classification["analyst"],
                "analyst_note": classification["analyst_note"],
            }
        )
    return cards


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
