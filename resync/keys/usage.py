"""Writing batched key usage: counters on the key, hourly totals, first use from a new address."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from resync.db.engine import conflict_insert
from resync.db.models import ApiKey, ApiKeyEvent, ApiKeyHourlyUsage

FIRST_USE = "first_use"
# The stats need 24 h; a week more leaves room to look back at a bad day.
HOURLY_USAGE_RETENTION = timedelta(days=8)

Uses = dict[uuid.UUID, tuple[int, datetime]]
NewAddresses = dict[tuple[uuid.UUID, str], datetime]


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def write_usage(connection: Connection, uses: Uses, new_addresses: NewAddresses) -> None:
    """Apply one batch of uses (key → count, last use) and addresses first seen in this process."""
    if uses:
        connection.execute(
            update(ApiKey)
            .where(ApiKey.id == bindparam("key_id"))
            .values(
                usage_count=ApiKey.usage_count + bindparam("uses"),
                last_used_at=bindparam("used_at"),
            ),
            [
                {"key_id": key_id, "uses": count, "used_at": used_at}
                for key_id, (count, used_at) in uses.items()
            ],
        )
        _add_hourly_usage(connection, uses)
    if new_addresses:
        _record_first_uses(connection, new_addresses)


def _add_hourly_usage(connection: Connection, uses: Uses) -> None:
    # A batch spans ≈ 2 s, so its uses are counted in the hour of its last use.
    statement = conflict_insert(connection.dialect.name, ApiKeyHourlyUsage)
    statement = statement.on_conflict_do_update(
        index_elements=[ApiKeyHourlyUsage.key_id, ApiKeyHourlyUsage.hour],
        set_={"uses": ApiKeyHourlyUsage.uses + statement.excluded.uses},
    )
    rows = [
        {"key_id": key_id, "hour": hour_of(used_at), "uses": count}
        for key_id, (count, used_at) in uses.items()
    ]
    connection.execute(statement, rows)


def _record_first_uses(connection: Connection, new_addresses: NewAddresses) -> None:
    # The process only knows what it has seen since it started: the table decides what is new.
    key_ids = {key_id for key_id, _ in new_addresses}
    known = {
        (row.key_id, row.client_address)
        for row in connection.execute(
            select(ApiKeyEvent.key_id, ApiKeyEvent.client_address).where(
                ApiKeyEvent.event == FIRST_USE, ApiKeyEvent.key_id.in_(key_ids)
            )
        )
    }
    existing_keys = set(connection.scalars(select(ApiKey.id).where(ApiKey.id.in_(key_ids))))
    rows = [
        {"key_id": key_id, "event": FIRST_USE, "occurred_at": seen_at, "client_address": address}
        for (key_id, address), seen_at in sorted(new_addresses.items(), key=lambda item: item[1])
        if (key_id, address) not in known and key_id in existing_keys
    ]
    if rows:
        connection.execute(insert(ApiKeyEvent), rows)


def prune_hourly_usage(connection: Connection, now: datetime) -> None:
    """Drop hourly totals older than the retention."""
    connection.execute(
        delete(ApiKeyHourlyUsage).where(ApiKeyHourlyUsage.hour < now - HOURLY_USAGE_RETENTION)
    )
