"""Tasks around a maintenance run: claim it, keep it alive, brief the reviewer, store findings,
publish results."""

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE
from sqlalchemy.exc import SQLAlchemyError

from resync.analyst import write_insight
from resync.db.engine import session_scope
from resync.links import FINDINGS_PATH, link_expiry, report_path, signed_url
from resync.maintenance.claims import ActiveRun, claim_run, record_heartbeat, set_run_status
from resync.maintenance.report import (
    BRIEFING_TASK,
    MaintenanceBriefing,
    briefing_data,
    deterministic_briefing,
)
from resync.maintenance.run_summary import summary_markdown, summary_rows
from resync.maintenance.store import (
    run_action_decisions,
    store_findings,
)
from resync.maintenance.types import Finding
from resync.reports.store import latest_report
from resync.settings import get_settings
from tasks.database import database_task


@database_task
def claim_maintenance_run(flow_run_id: uuid.UUID | None) -> dict[str, Any]:
    """The unfinished maintenance run to continue (its process died), or a new one; or, while
    another flow run's process still drives a run, that run (under `active`)."""
    stale_after = timedelta(seconds=get_settings().maintenance_heartbeat_stale_seconds)
    with session_scope() as session:
        claimed = claim_run(session, flow_run_id, stale_after)
    if isinstance(claimed, ActiveRun):
        message = (
            f"maintenance run {claimed.run_id} is still active ({claimed.status.replace('_', ' ')}"
            f", driven by flow run {claimed.flow_run_id}, alive at {claimed.heartbeat_at:%H:%M:%S}"
            " UTC); this flow run leaves it to that one and ends"
        )
        get_run_logger().info(message)
        return {
            "active": {
                "run_id": str(claimed.run_id),
                "flow_run_id": str(claimed.flow_run_id),
                "status": claimed.status,
                "message": message,
            }
        }
    if claimed.previous_flow_run_id is not None:
        get_run_logger().warning(
            "continuing maintenance run %s, left unfinished by flow run %s",
            claimed.run_id,
            claimed.previous_flow_run_id,
        )
    return {
        "run_id": str(claimed.run_id),
        "thread_id": claimed.thread_id,
        "previous_flow_run_id": claimed.previous_flow_run_id,
        "active": None,
    }


@contextmanager
def heartbeat(run_id: str, flow_run_id: uuid.UUID) -> Iterator[None]:
    """Keep the run's heartbeat fresh from a daemon thread while the block runs (a pause too).

    The thread dies with the process, which is the point: a new flow run takes over a run only
    once its heartbeat is stale. It stops early when another flow run has taken the run over.
    """
    interval = get_settings().maintenance_heartbeat_seconds
    logger = get_run_logger()
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            try:
                with session_scope() as session:
                    alive = record_heartbeat(session, uuid.UUID(run_id), flow_run_id)
            except SQLAlchemyError as error:
                # A dropped connection: the next beat tries again, long before staleness.
                logger.warning("maintenance run %s: heartbeat not written: %s", run_id, error)
                continue
            if not alive:
                logger.warning("maintenance run %s was taken over; heartbeat stopped", run_id)
                return

    thread = threading.Thread(target=beat, name=f"maintenance-heartbeat-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 30)


@database_task
def set_maintenance_status(run_id: str, flow_run_id: uuid.UUID | None, status: str) -> None:
    """Move the run to `status`; fails if another flow run has taken the run over."""
    with session_scope() as session:
        set_run_status(session, uuid.UUID(run_id), flow_run_id, status)


@task(cache_policy=NONE)
def write_maintenance_briefing(findings: list[dict[str, Any]]) -> dict[str, str]:
    """The reviewer's briefing, by Claude when configured, else by the deterministic analyst."""
    insight = write_insight(
        BRIEFING_TASK, briefing_data(findings), MaintenanceBriefing, deterministic_briefing
    )
    return {
        "insight": insight.value.summary,
        "analyst": insight.analyst,
        "analyst_note": insight.note,
    }


@database_task
def store_maintenance_findings(
    run_id: str, findings: list[dict[str, Any]], insight: dict[str, str]
) -> None:
    """Store the run's findings (they are what the findings API serves) and its briefing."""
    with session_scope() as session:
        records = [Finding.model_validate(finding) for finding in findings]
        store_findings(session, uuid.UUID(run_id), records, insight)


@database_task
def read_evidence_links() -> list[str]:
    """Signed markdown links for the reviewer, open as long as the review waits at least: the
    findings API and the latest report's charts."""
    settings = get_settings()
    expires_at = link_expiry(
        max(settings.link_lifetime_seconds, settings.maintenance_review_timeout_seconds)
    )
    findings = signed_url(FINDINGS_PATH, expires_at, settings=settings)
    links = [f"[The findings and their actions (API)]({findings})"]
    with session_scope() as session:
        report = latest_report(session)
    if report is not None:
        report_id, title = report
        charts = signed_url(report_path(report_id, "html"), expires_at, settings=settings)
        links.append(f"[{title}: charts]({charts})")
    return links


@database_task
def publish_maintenance_artifacts(
    run_id: str, findings: list[dict[str, Any]], insight: dict[str, str]
) -> None:
    """A markdown summary (decisions, findings, analysis) and a table of every action's decision
    and outcome."""
    records = [Finding.model_validate(finding) for finding in findings]
    with session_scope() as session:
        decisions = run_action_decisions(session, uuid.UUID(run_id))
    horizon_days = get_settings().maintenance_horizon_days
    create_markdown_artifact(
        key="maintenance-findings",
        markdown=summary_markdown(records, insight, decisions, horizon_days),
        description=f"Findings and decisions of maintenance run {run_id}",
    )
    create_table_artifact(
        key="maintenance-actions",
        table=summary_rows(records, decisions),
        description=f"Proposed actions of maintenance run {run_id}: decision and outcome",
    )
