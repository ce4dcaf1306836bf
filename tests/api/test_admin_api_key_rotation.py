"""The key admin API on both backends: rotation and its grace, stats, usage, the audit trail."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from api.deps import ROTATED_KEY
from api.key_cache import UsageRecorder
from resync.db.engine import session_scope
from resync.db.models import ApiKey
from resync.settings import get_settings
from tests.support.admin_api import BASE, admin_key, admin_label, create, events_of, wait_until
from tests.support.payloads import payload


@pytest.fixture
def admin(client: TestClient, make_key) -> tuple[uuid.UUID, dict[str, str]]:
    return admin_key(make_key)


def test_rotation_keeps_the_old_key_working_through_its_grace(client: TestClient, admin) -> None:
    admin_id, headers = admin
    old = create(client, headers, scopes=["metrics:write", "metrics:read"], expires_in_days=90)
    response = client.post(f"{BASE}/{old['id']}/rotate", headers=headers)
    assert response.status_code == 201
    new = response.json()
    assert new["key"] != old["key"] and new["id"] != old["id"]
    assert (new["name"], new["scopes"], new["rotated_from_id"]) == (
        old["name"],
        old["scopes"],
        old["id"],
    )
    lifetime = datetime.fromisoformat(new["expires_at"]) - datetime.fromisoformat(new["created_at"])
    assert abs(lifetime - timedelta(days=90)) < timedelta(minutes=1)
    previous = new["previous_key"]
    assert (previous["status"], previous["replaced_by_id"]) == ("active", new["id"])
    grace = datetime.fromisoformat(previous["grace_until"]) - datetime.now(UTC)
    assert timedelta(hours=23, minutes=59) < grace <= timedelta(hours=24)

    for key in (old["key"], new["key"]):
        response = client.get("/api/v1/workstations", headers={"X-API-Key": key})
        assert response.status_code == 200

    again = client.post(f"{BASE}/{old['id']}/rotate", headers=headers)
    assert (again.status_code, again.json()) == (
        409,
        {"detail": f"API key {old['id']} was already rotated; rotate its replacement {new['id']}"},
    )
    wait_until(lambda: len(events_of(old["id"])) == 3, 5)
    assert [event for event, _ in events_of(old["id"])] == ["created", "rotated", "first_use"]
    assert events_of(new["id"])[0] == ("created", "testclient")


def test_the_old_key_stops_when_its_grace_ends(client: TestClient, admin, clock) -> None:
    _, headers = admin
    old = create(client, headers, scopes=["metrics:read"])
    reader = {"X-API-Key": old["key"]}
    assert client.get("/api/v1/workstations", headers=reader).status_code == 200
    response = client.post(
        f"{BASE}/{old['id']}/rotate", json={"grace_period_hours": 0}, headers=headers
    )
    assert response.status_code == 201
    clock.advance(get_settings().key_cache_ttl_seconds)
    assert client.get("/api/v1/workstations", headers=reader).status_code == 401
    assert client.get("/api/v1/workstations", headers=reader).json() == {"detail": ROTATED_KEY}
    assert client.get(f"{BASE}/{old['id']}", headers=headers).json()["status"] == "expired"
    bad = client.post(
        f"{BASE}/{old['id']}/rotate", json={"grace_period_hours": 721}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "grace_period_hours"]


def test_revoked_and_expired_keys_cannot_be_rotated(client: TestClient, admin, make_key) -> None:
    _, headers = admin
    fta = create(client, headers)
    client.delete(f"{BASE}/{fta['id']}", params={"reason": "retired"}, headers=headers)
    response = client.post(f"{BASE}/{fta['id']}/rotate", headers=headers)
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Cannot rotate a revoked key; create a new key instead"},
    )
    expired_id, _ = make_key(["metrics:read"], expires_in_days=1)
    with session_scope() as session:
        record = session.get(ApiKey, expired_id)
        record.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    response = client.post(f"{BASE}/{expired_id}/rotate", headers=headers)
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Cannot rotate an expired key; create a new key instead"},
    )


def test_stats_and_usage_follow_the_keys(client: TestClient, admin, make_key) -> None:
    _, headers = admin
    busy = create(client, headers, name="busy", scopes=["metrics:read"])
    soon = create(client, headers, name="soon", scopes=["metrics:read"], expires_in_days=3)
    gone = create(client, headers, name="gone", scopes=["metrics:read"])
    client.delete(f"{BASE}/{gone['id']}", params={"reason": "unused"}, headers=headers)
    expired_id, _ = make_key(["metrics:read"], expires_in_days=1)
    with session_scope() as session:
        session.get(ApiKey, expired_id).expires_at = datetime.now(UTC) - timedelta(hours=1)
    for _ in range(7):
        client.get("/api/v1/workstations", headers={"X-API-Key": busy["key"]})

    def usage() -> int:
        return client.get(f"{BASE}/{busy['id']}", headers=headers).json()["usage_count"]

    wait_until(lambda: usage() == 7, 5)
    stats = client.get(f"{BASE}/stats/summary", headers=headers).json()
    assert {name: stats[name] for name in ("total", "active", "revoked", "expired")} == {
        "total": 5,
        "active": 3,
        "revoked": 1,
        "expired": 1,
    }
    assert stats["expiring_within_7_days"] == 1
    used = [(key["id"], key["usage_count"]) for key in stats["most_used"]]
    assert (busy["id"], 7) in used
    assert [count for _, count in used] == sorted((count for _, count in used), reverse=True)
    assert stats["requests_last_24h"] >= 7 + 1  # the busy key's and the admin's own calls
    assert stats["recently_created"][0]["id"] == str(expired_id)
    assert soon["id"] in {key["id"] for key in stats["recently_created"]}


def test_events_list_the_trail_newest_first(client: TestClient, admin) -> None:
    admin_id, headers = admin
    fta = create(client, headers)
    for seconds in range(3):
        sample = payload(at=datetime.now(UTC) - timedelta(seconds=seconds))
        client.post("/api/v1/metrics/workstation", json=sample, headers={"X-API-Key": fta["key"]})
    client.post(f"{BASE}/{fta['id']}/rotate", json={"grace_period_hours": 1}, headers=headers)
    client.delete(f"{BASE}/{fta['id']}", params={"reason": "moved"}, headers=headers)

    def trail() -> dict:
        return client.get(f"{BASE}/{fta['id']}/events", headers=headers).json()

    wait_until(lambda: trail()["count"] == 4, 5)
    body = trail()
    assert [event["event"] for event in body["data"]] == [
        "revoked",
        "rotated",
        "first_use",
        "created",
    ]
    revoked, rotated, first_use, created = body["data"]
    assert revoked["detail"] == {"reason": "moved"} and revoked["actor"] == admin_label(admin_id)
    assert set(rotated["detail"]) == {"replaced_by", "grace_until"}
    assert (first_use["client_address"], first_use["actor"]) == ("testclient", None)
    assert created["detail"] == {"scopes": ["metrics:write"]}
    paged = client.get(
        f"{BASE}/{fta['id']}/events", params={"limit": 1, "offset": 1}, headers=headers
    ).json()
    assert ([event["event"] for event in paged["data"]], paged["count"]) == (["rotated"], 4)


def test_first_use_costs_no_write_per_request(engine: Engine, make_key) -> None:
    key_id, _ = make_key(["metrics:read"])
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    recorder = UsageRecorder(engine, interval=60)
    for _ in range(100):
        recorder.record(key_id, "10.0.0.1")
    recorder.record(key_id, "10.0.0.2")
    assert statements == []
    recorder.flush()
    restarted = UsageRecorder(engine, interval=60)
    restarted.record(key_id, "10.0.0.1")
    restarted.flush()
    assert events_of(key_id) == [
        ("created", None),
        ("first_use", "10.0.0.1"),
        ("first_use", "10.0.0.2"),
    ]
    with session_scope() as session:
        assert session.get(ApiKey, key_id).usage_count == 102
