"""Alert tasks: evaluate the rules on recent samples, keep `alerts` in step, notify, check that
the inbox drains, summarise.

Evaluating and summarising are retried like every database task: a repeated evaluation finds
the alerts the first one opened still open (one per FTA × rule) and refreshes them, and a
repeated summary only rewrites its artifacts. Notifying keeps its own retries, for the
notification service's outages.
"""

from datetime import UTC, datetime, timedelta

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.blocks.core import Block
from prefect.blocks.notifications import NotificationBlock
from prefect.cache_policies import NONE
from prefect.variables import Variable

from resync.alerts.inbox import inbox_not_draining
from resync.alerts.rules import (
    RULE_COLUMNS,
    SET_ASIDE_WINDOW,
    evaluate_alert_rules,
    find_set_aside_samples,
    find_silent_workstations,
    lookback_samples,
)
from resync.alerts.store import (
    last_sample_times,
    load_recent_samples,
    mark_notified,
    open_alerts_by_severity,
    unnotified_alerts,
    update_alerts,
)
from resync.db.engine import get_engine, session_scope
from resync.ingest.store import set_aside_since, unclaimed_inbox
from resync.learning.parameters import alert_overrides
from resync.settings import get_settings
from tasks.database import database_task

# A Prefect variable holding when the inbox was reported not draining, until it drains again.
INBOX_STALL_VARIABLE = "resync-inbox-not-draining"


@database_task
def evaluate_alerts() -> dict[str, list[int] | int]:
    """Open alerts for rules now firing (samples set aside by ingest among them), refresh the
    ones still firing, resolve the rest."""
    settings = get_settings()
    engine = get_engine()
    now = datetime.now(UTC)
    with engine.connect() as connection:
        overrides = alert_overrides(connection)
        # Twice the samples the rules need, so a late or missing sample does not hide a condition.
        lookback = lookback_samples(settings, overrides)
        window = timedelta(seconds=settings.collector_interval_seconds * lookback * 2)
        recent = load_recent_samples(connection, now - window, RULE_COLUMNS)
        last_samples = last_sample_times(connection)
        set_aside = set_aside_since(connection, now - SET_ASIDE_WINDOW)
    firing = [
        *evaluate_alert_rules(recent, settings, overrides),
        *find_silent_workstations(last_samples, now, settings),
        *find_set_aside_samples(set_aside),
    ]
    evaluated = set(recent["workstation"].to_list())
    with session_scope(engine) as session:
        changes = update_alerts(session, firing, evaluated, now)
    return {
        "opened_alert_ids": changes.opened_ids,
        "resolved": changes.resolved,
        "open": changes.open,
    }


@task(retries=3, retry_delay_seconds=[2, 10, 30], cache_policy=NONE)
def notify_alerts(alert_ids: list[int]) -> int:
    """Send newly opened alerts through the configured Prefect notification block."""
    block_name = get_settings().notification_block
    if not alert_ids or not block_name:
        return 0
    with session_scope() as session:
        alerts = unnotified_alerts(session, alert_ids)
        if not alerts:
            return 0
        lines = [f"[{a.severity.upper()}] {a.workstation} {a.rule}: {a.message}" for a in alerts]
        notification_block(block_name).notify(
            body="\n".join(lines), subject=f"Resync: {len(lines)} new FTA alert(s)"
        )
        mark_notified(alerts, datetime.now(UTC))
    get_run_logger().info("sent %d alerts through notification block %r", len(lines), block_name)
    return len(lines)


def notification_block(block_name: str) -> NotificationBlock:
    block = Block.load(block_name)
    if not isinstance(block, NotificationBlock):
        raise TypeError(
            f"block {block_name!r} is a {type(block).__name__}, not a notification block"
        )
    return block


@task(retries=3, retry_delay_seconds=[2, 10, 30], cache_policy=NONE)
def check_inbox_drain() -> bool:
    """Whether this run left samples waiting past the limit; the notification block hears when
    that starts and when the inbox drains again, once each (the Prefect variable remembers)."""
    settings = get_settings()
    now = datetime.now(UTC)
    with get_engine().connect() as connection:
        waiting, oldest = unclaimed_inbox(connection)
    limit = timedelta(minutes=settings.inbox_drain_alert_minutes)
    message = inbox_not_draining(waiting, oldest, now, limit)
    logger = get_run_logger()
    if message is not None:
        logger.error(message)
    notified_since = Variable.get(INBOX_STALL_VARIABLE)
    if (message is not None) == (notified_since is not None):
        return message is not None
    if settings.notification_block:
        block = notification_block(settings.notification_block)
        if message is not None:
            block.notify(body=message, subject="Resync: the inbox is not draining")
        else:
            block.notify(
                body=f"the inbox drains again (not draining since {notified_since})",
                subject="Resync: the inbox drains again",
            )
    if message is not None:
        Variable.set(INBOX_STALL_VARIABLE, now.isoformat(timespec="seconds"), overwrite=True)
    else:
        Variable.unset(INBOX_STALL_VARIABLE)
        logger.info("the inbox drains again")
    return message is not None


@database_task
def publish_ingest_summary(summary: dict[str, int]) -> None:
    """A markdown artifact of the run's counts and a table of every open alert."""
    with session_scope() as session:
        alerts = open_alerts_by_severity(session)
    create_markdown_artifact(
        key="ingest-batching-summary",
        markdown=(
            "### Ingest batching\n\n"
            "| batches | claimed | rejected | loaded | duplicates "
            "| alerts opened | resolved | open | inbox rows pruned |\n"
            "|---|---|---|---|---|---|---|---|---|\n"
            f"| {summary['batches']} | {summary['claimed']} | {summary['rejected']} "
            f"| {summary['loaded']} | {summary['duplicates']} | {summary['opened']} "
            f"| {summary['resolved']} | {summary['open']} | {summary['pruned']} |\n"
        ),
        description="Inbox → history: this run's counts",
    )
    create_table_artifact(
        key="open-alerts",
        table=[
            {
                "workstation": a.workstation,
                "rule": a.rule,
                "severity": a.severity,
                "message": a.message,
                "opened_at": a.opened_at.isoformat(timespec="seconds"),
            }
            for a in alerts
        ],
        description=f"{len(alerts)} open FTA alerts",
    )
