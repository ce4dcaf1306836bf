"""Helpers for the key admin API tests: an admin key, creating keys, audit rows, polling."""

import time
import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from resync.db.engine import session_scope
from resync.db.models import ApiKey, ApiKeyEvent

BASE = "/api/v1/admin/api-keys"
LAST_ADMIN = (
    "Cannot {action} this key: no other active key with the 'admin:write' scope "
    "stays valid as long as it does; create another admin key first"
)


def admin_label(key_id: uuid.UUID) -> str:
    with session_scope() as session:
        record = session.get(ApiKey, key_id)
        return f"{record.name} ({record.key_prefix}…)"


def create(client: TestClient, headers: dict[str, str], **body) -> dict:
    body = {"name": "fta-ws-prod-01", "scopes": ["metrics:write"], **body}
    response = client.post(BASE, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def wait_until(condition: Callable[[], bool], seconds: float) -> float:
    """Poll `condition` until it holds; returns the seconds it took (fails after `seconds`)."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start <= seconds, f"not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - start


def events_of(key_id: str | uuid.UUID) -> list[tuple[str, str | None]]:
    with session_scope() as session:
        rows = session.scalars(
            select(ApiKeyEvent)
            .where(ApiKeyEvent.key_id == uuid.UUID(str(key_id)))
            .order_by(ApiKeyEvent.occurred_at, ApiKeyEvent.id)
        )
        return [(row.event, row.client_address) for row in rows]


def admin_key(make_key: Callable[..., tuple[uuid.UUID, str]]) -> tuple[uuid.UUID, dict[str, str]]:
    """A new `admin:*` key: (id, headers)."""
    key_id, key = make_key(["admin:*"])
    return key_id, {"X-API-Key": key}
