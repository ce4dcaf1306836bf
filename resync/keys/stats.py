"""The numbers of the key panel's header: keys by status, expiring soon, most used, newest."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from resync.db.models import ApiKey
from resync.keys.admin import key_status
from resync.keys.store import all_keys, requests_since
from resync.keys.usage import hour_of

EXPIRING_SOON = timedelta(days=7)
STATS_TOP = 5


@dataclass
class KeyStats:
    """The numbers of the panel's header."""

    total: int
    active: int
    revoked: int
    expired: int
    expiring_within_7_days: int
    requests_last_24h: int
    most_used: list[ApiKey]
    recently_created: list[ApiKey]


def _ends_at(record: ApiKey) -> datetime | None:
    """When the key stops working on its own: expiry or the end of its rotation grace."""
    return min(filter(None, (record.expires_at, record.grace_until)), default=None)


def key_stats(session: Session, now: datetime | None = None) -> KeyStats:
    """Totals by status, keys expiring within 7 days, the most used and newest keys.

    `requests_last_24h` sums the current hour and the 23 before it.
    """
    now = now or datetime.now(UTC)
    # Key tables hold hundreds of rows, not millions: one read and Python beats per-status SQL
    # that would have to repeat the status rules (expiry, grace) in two dialects.
    keys = all_keys(session)
    statuses = [key_status(record, now) for record in keys]
    active = [record for record, status in zip(keys, statuses, strict=True) if status == "active"]
    soon = now + EXPIRING_SOON
    expiring = [record for record in active if (end := _ends_at(record)) and end <= soon]
    return KeyStats(
        total=len(keys),
        active=len(active),
        revoked=statuses.count("revoked"),
        expired=statuses.count("expired"),
        expiring_within_7_days=len(expiring),
        requests_last_24h=requests_since(session, hour_of(now) - timedelta(hours=23)),
        most_used=sorted(
            (record for record in keys if record.usage_count),
            key=lambda record: record.usage_count,
            reverse=True,
        )[:STATS_TOP],
        recently_created=sorted(keys, key=lambda record: record.created_at, reverse=True)[
            :STATS_TOP
        ],
    )
