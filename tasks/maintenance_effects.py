"""Whether the maintenance actions that ran helped, and telling reviewers when they did not.

The effect is read from the FTA's next samples (`resync.maintenance.effects`), the findings
settled (resolved, or their actions failed) and the reviewers of failed ones notified through
the alerts' notification block.
"""

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from prefect import get_run_logger, task
from prefect.blocks.core import Block
from prefect.blocks.notifications import NotificationBlock
from prefect.cache_policies import NONE

from resync.db.engine import session_scope
from resync.maintenance.actions import action_title
from resync.maintenance.effects import JOBS_STARTED, effect_metric, effect_words, judge_effect
from resync.maintenance.execution_store import (
    awaiting_effect,
    effect_readings,
    executed_actions,
    failed_findings_to_notify,
    finding_executions,
    record_effect,
    settle_findings,
)
from resync.maintenance.types import ProposedAction
from resync.settings import get_settings


def _check_effects_once() -> tuple[list[dict[str, Any]], set[uuid.UUID]]:
    """Judge every finished job whose FTA now has a sample after it; settle their findings."""
    checked, waiting = [], set()
    with session_scope() as session:
        pending = awaiting_effect(session)
        actions = executed_actions(session, pending)
        for execution in pending:
            kind, action = actions.get(execution.id, (None, None))
            if action is None:
                continue
            metric = effect_metric(execution.command, action["arguments"])
            readings = effect_readings(
                session,
                action["arguments"]["workstation"],
                metric,
                execution.submitted_at or execution.started_at,
                execution.finished_at,
            )
            if readings is None:
                if metric != JOBS_STARTED:
                    waiting.add(execution.run_id)
                continue
            effect = judge_effect(metric, readings[0], readings[1])
            record_effect(session, execution.id, effect, metric, readings)
            checked.append(
                {
                    "action_id": execution.action_id,
                    "effect": effect,
                    "metric": metric,
                    "before": readings[0],
                    "after": readings[1],
                }
            )
        settle_findings(session, {execution.run_id for execution in pending})
    return checked, waiting


@task(cache_policy=NONE)
def check_action_effects(run_id: str) -> list[dict[str, Any]]:
    """Whether the actions that ran helped, from their FTAs' next samples: this run's, waited
    for up to RESYNC_MAINTENANCE_EFFECT_WAIT_SECONDS, and earlier runs' still unseen."""
    settings = get_settings()
    logger = get_run_logger()
    deadline = time.monotonic() + settings.maintenance_effect_wait_seconds
    effects: list[dict[str, Any]] = []
    said_waiting = False
    with session_scope() as session:
        settle_findings(session, {uuid.UUID(run_id)})
    while True:
        checked, waiting = _check_effects_once()
        effects += checked
        for effect in checked:
            logger.info("action %s: %s", effect["action_id"], effect_words(**_words(effect)))
        if uuid.UUID(run_id) not in waiting or time.monotonic() >= deadline:
            break
        if not said_waiting:
            logger.info("waiting for the next samples of the FTAs whose actions ran")
            said_waiting = True
        time.sleep(settings.maintenance_action_poll_seconds)
    return effects


def _words(effect: dict[str, Any]) -> dict[str, Any]:
    return {key: effect[key] for key in ("effect", "metric", "before", "after")}


@task(retries=3, retry_delay_seconds=[2, 10, 30], cache_policy=NONE)
def notify_failed_actions() -> int:
    """Tell the reviewers, through the alerts' notification block, of findings whose actions
    failed or did not help: they stay open. Each finding is notified once."""
    block_name = get_settings().notification_block
    with session_scope() as session:
        findings = failed_findings_to_notify(session)
        if not findings or not block_name:
            return 0
        lines = []
        for finding in findings:
            for execution in finding_executions(session, finding):
                action = ProposedAction.model_validate(
                    next(a for a in finding.actions if a["action_id"] == execution.action_id)
                )
                what = (
                    effect_words(
                        execution.effect,
                        execution.effect_metric,
                        execution.effect_before,
                        execution.effect_after,
                    )
                    or f"job {execution.job_status}, return code {execution.exit_code}"
                )
                lines.append(
                    f"{finding.workstation} {finding.kind}: {action_title(action)} "
                    f"({execution.job_name or action.action_id}) {what}; the finding stays open"
                )
        block = Block.load(block_name)
        if not isinstance(block, NotificationBlock):
            raise TypeError(
                f"block {block_name!r} is a {type(block).__name__}, not a notification block"
            )
        block.notify(
            body="\n".join(lines),
            subject=f"Resync: {len(findings)} maintenance finding(s) whose action failed",
        )
        for finding in findings:
            finding.notified_at = datetime.now(UTC)
    get_run_logger().info("notified %d findings whose actions failed", len(findings))
    return len(findings)
