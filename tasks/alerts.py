"""Alert tasks: evaluate the rules on recent samples, keep `alerts` in step, notify, summarise."""

from datetime import UTC, datetime, timedelta

import polars as pl
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.blocks.core import Block
from prefect.blocks.notifications import NotificationBlock
from prefect.cache_policies import NONE
from sqlalchemy import select

from resync.alerts.rules import (
    SILENT_RULE,
    evaluate_alert_rules,
    find_silent_workstations,
    lookback_samples,
)
from resync.db.engine import get_engine, session_scope
from resync.db.models import Alert, Workstation, WorkstationMetrics
from resync.learning.parameters import alert_overrides
from resync.settings import get_settings

RULE_COLUMNS = (
    "cpu_percent",
    "memory_percent",
    "disk_percent",
    "tcp_connectivity",
    "packet_loss_percent",
)


@task(cache_policy=NONE)
def evaluate_alerts() -> dict[str, list[int] | int]:
    """Open alerts for rules now firing, refresh the ones still firing, resolve the rest."""
    settings = get_settings()
    engine = get_engine()
    now = datetime.now(UTC)
    with engine.connect() as connection:
        overrides = alert_overrides(connection)
        # Twice the samples the rules need, so a late or missing sample does not hide a condition.
        lookback = lookback_samples(settings, overrides)
        window = timedelta(seconds=settings.collector_interval_seconds * lookback * 2)
        rows = connection.execute(
            select(
                WorkstationMetrics.workstation,
                WorkstationMetrics.sample_time,
                *(getattr(WorkstationMetrics, column) for column in RULE_COLUMNS),
            ).where(WorkstationMetrics.sample_time >= now - window)
        ).all()
        last_samples = dict(
            connection.execute(select(Workstation.name, Workstation.last_sample_at)).all()
        )
    recent = pl.DataFrame(
        [tuple(row) for row in rows],
        schema=["workstation", "sample_time", *RULE_COLUMNS],
        orient="row",
    )
    firing = evaluate_alert_rules(recent, settings, overrides) + find_silent_workstations(
        last_samples, now, settings
    )
    firing_by_key = {(alert.workstation, alert.rule): alert for alert in firing}
    evaluated = set(recent["workstation"].to_list())

    opened: list[Alert] = []
    resolved = 0
    with session_scope(engine) as session:
        open_alerts = session.scalars(select(Alert).where(Alert.resolved_at.is_(None))).all()
        open_keys = set()
        for alert in open_alerts:
            key = (alert.workstation, alert.rule)
            open_keys.add(key)
            still = firing_by_key.get(key)
            if still is not None:
                alert.last_seen_at, alert.value, alert.message = now, still.value, still.message
            elif alert.rule == SILENT_RULE or alert.workstation in evaluated:
                alert.resolved_at = now
                resolved += 1
        for key, firing_alert in firing_by_key.items():
            if key not in open_keys:
                opened.append(
                    Alert(
                        workstation=firing_alert.workstation,
                        rule=firing_alert.rule,
                        severity=firing_alert.severity,
                        message=firing_alert.message,
                        value=firing_alert.value,
                        opened_at=now,
                        last_seen_at=now,
                    )
                )
        session.add_all(opened)
        session.flush()
        opened_ids = [alert.id for alert in opened]
    open_count = len(open_keys) - resolved + len(opened)
    return {"opened_alert_ids": opened_ids, "resolved": resolved, "open": open_count}


@task(retries=3, retry_delay_seconds=[2, 10, 30], cache_policy=NONE)
def notify_alerts(alert_ids: list[int]) -> int:
    """Send newly opened alerts through the configured Prefect notification block."""
    block_name = get_settings().notification_block
    if not alert_ids or not block_name:
        return 0
    with session_scope() as session:
        alerts = session.scalars(
            select(Alert).where(Alert.id.in_(alert_ids), Alert.notified_at.is_(None))
        ).all()
        if not alerts:
            return 0
        block = Block.load(block_name)
        if not isinstance(block, NotificationBlock):
            raise TypeError(
                f"block {block_name!r} is a {type(block).__name__}, not a notification block"
            )
        lines = [f"[{a.severity.upper()}] {a.workstation} {a.rule}: {a.message}" for a in alerts]
        block.notify(body="\n".join(lines), subject=f"Resync: {len(lines)} new FTA alert(s)")
        for alert in alerts:
            alert.notified_at = datetime.now(UTC)
    get_run_logger().info("sent %d alerts through notification block %r", len(lines), block_name)
    return len(lines)


@task(cache_policy=NONE)
def publish_ingest_summary(summary: dict[str, int]) -> None:
    """A markdown artifact of the run's counts and a table of every open alert."""
    with session_scope() as session:
        alerts = session.scalars(
            select(Alert)
            .where(Alert.resolved_at.is_(None))
            .order_by(Alert.severity, Alert.workstation)
        ).all()
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
