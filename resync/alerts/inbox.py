"""The inbox drain rule: accepted samples waiting unclaimed too long mean ingest fell behind.

The ingest flow checks it after each run's batches: a backlog it left whose oldest sample has
waited longer than RESYNC_INBOX_DRAIN_ALERT_MINUTES. When no ingest run happens at all (no worker,
Prefect down), `/metrics` shows the same age to Prometheus (resync/alerts/prometheus.yml).
"""

from datetime import datetime, timedelta


def inbox_not_draining(
    waiting: int, oldest: datetime | None, now: datetime, limit: timedelta
) -> str | None:
    """The alert's message when the oldest of `waiting` unclaimed samples arrived longer than
    `limit` before `now`; None while the inbox drains."""
    if waiting == 0 or oldest is None or now - oldest <= limit:
        return None
    minutes = (now - oldest).total_seconds() / 60
    return (
        f"the inbox is not draining: {waiting} accepted sample(s) wait for ingest, the oldest "
        f"for {minutes:.0f} minutes (limit {limit.total_seconds() / 60:.0f}); see the "
        "ingest-batching runs and the workers"
    )
