"""The key admin API on both backends: every endpoint, every error with its exact detail."""

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select

from api.deps import ROTATED_KEY
from api.key_cache import UsageRecorder
from resync.api_keys import check_key_format
from resync.database import session_scope
from resync.models import ApiKey, ApiKeyEvent
from resync.settings import get_settings
from tests.support.payloads import payload

BASE = "/api/v1/admin/api-keys"
LAST_ADMIN = (
    "Cannot {action} the last active key with the 'admin:write' scope; "
    "create another admin key first"
)


@pytest.fixture
def admin(client: TestClient, make_key) -> tuple[uuid.UUID, dict[str, str]]:
    """An `admin:*` key: (id, headers)."""
    key_id, key = make_key(["admin:*"])
    return key_id, {"X-API-Key": key}


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


def test_create_shows_the_key_once(client: TestClient, admin) -> None:
    admin_id, headers = admin
    created = create(client, headers, description="WS-PROD-01 collector", expires_in_days=30)
    check_key_format(created["key"])
    assert created["key_prefix"] == created["key"][:12]
    assert created["created_by"] == admin_label(admin_id)
    assert created["status"] == "active"
    expires = datetime.fromisoformat(created["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=1)
    one = client.get(f"{BASE}/{created['id']}", headers=headers).json()
    listed = client.get(BASE, headers=headers).json()
    for shown in (one, *listed["data"]):
        assert "key" not in shown and "key_hash" not in shown
        assert created["key"] not in str(shown)
    assert events_of(created["id"]) == [("created", "testclient")]


@pytest.mark.parametrize(
    ("body", "loc", "message"),
    [
        (
            {"scopes": ["metrics:write", "root"]},
            ["body", "scopes"],
            "Value error, unknown scope 'root'; known scopes: metrics:read, metrics:write, "
            "jobs:write, workflows:read, workflows:write, admin:read, admin:write, admin:*, "
            "workflows:*",
        ),
        (
            {"scopes": []},
            ["body", "scopes"],
            "List should have at least 1 item after validation, not 0",
        ),
        ({"name": "  "}, ["body", "name"], "String should have at least 1 character"),
        (
            {"expires_in_days": 0},
            ["body", "expires_in_days"],
            "Input should be greater than or equal to 1",
        ),
        ({"key": "rsk_x"}, ["body", "key"], "Extra inputs are not permitted"),
    ],
)
def test_create_refuses_bad_input(client: TestClient, admin, body, loc, message) -> None:
    response = client.post(
        BASE, json={"name": "n", "scopes": ["metrics:read"], **body}, headers=admin[1]
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["msg"]) == (loc, message)


def test_list_filters_and_pages(client: TestClient, admin) -> None:
    _, headers = admin
    first = create(client, headers, name="fta-ws-prod-01")
    create(client, headers, name="fta-ws-prod-02", scopes=["metrics:write", "metrics:read"])
    create(client, headers, name="reporting", scopes=["metrics:read"])
    client.delete(f"{BASE}/{first['id']}", params={"reason": "host retired"}, headers=headers)

    def names(**params) -> tuple[list[str], int]:
        body = client.get(BASE, params=params, headers=headers).json()
        return [key["name"] for key in body["data"]], body["count"]

    assert names(name="FTA") == (["fta-ws-prod-02"], 1)
    assert names(name="fta", include_revoked=True) == (["fta-ws-prod-02", "fta-ws-prod-01"], 2)
    assert names(scope="metrics:read") == (["reporting", "fta-ws-prod-02"], 2)
    assert names(scope="admin:write")[1] == 1
    assert names(limit=1, offset=1, name="_", include_revoked=True) == ([], 0)
    page, count = names(limit=2, offset=1, include_revoked=True)
    assert (len(page), count) == (2, 4)
    response = client.get(BASE, params={"scope": "root"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "scope"]


def test_unknown_and_malformed_ids(client: TestClient, admin) -> None:
    _, headers = admin
    missing = uuid.uuid4()
    for method, path, params in [
        ("GET", f"{BASE}/{missing}", {}),
        ("GET", f"{BASE}/{missing}/events", {}),
        ("DELETE", f"{BASE}/{missing}", {"reason": "x"}),
        ("DELETE", f"{BASE}/{missing}/permanent", {}),
        ("POST", f"{BASE}/{missing}/rotate", {}),
    ]:
        response = client.request(method, path, params=params, headers=headers)
        assert response.status_code == 404, path
        assert response.json() == {"detail": f"API key {missing} not found"}
    response = client.get(f"{BASE}/not-a-uuid", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "key_id"]


def test_write_routes_need_admin_write(client: TestClient, make_key) -> None:
    _, reader = make_key(["admin:read"])
    headers = {"X-API-Key": reader}
    assert client.get(BASE, headers=headers).status_code == 200
    response = client.post(BASE, json={"name": "x", "scopes": ["metrics:read"]}, headers=headers)
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "API key lacks the 'admin:write' scope"},
    )
    response = client.get(BASE)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_revoke_needs_a_reason_and_reaches_ingest_within_5_s(client: TestClient, admin) -> None:
    admin_id, headers = admin
    fta = create(client, headers)
    ingest = {"X-API-Key": fta["key"]}
    assert (
        client.post("/api/v1/metrics/workstation", json=payload(), headers=ingest).status_code
        == 202
    )

    response = client.delete(f"{BASE}/{fta['id']}", headers=headers)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["query", "reason"], "msg": "Field required", "type": "missing"}]
    }
    response = client.delete(f"{BASE}/{fta['id']}", params={"reason": ""}, headers=headers)
    assert response.status_code == 422

    response = client.delete(
        f"{BASE}/{fta['id']}", params={"reason": "host retired"}, headers=headers
    )
    assert response.status_code == 200
    revoked = response.json()
    assert (revoked["status"], revoked["revoked_reason"]) == ("revoked", "host retired")
    assert revoked["revoked_by"] == admin_label(admin_id)

    def refused() -> bool:
        sample = payload(at=datetime.now(UTC))
        return (
            client.post("/api/v1/metrics/workstation", json=sample, headers=ingest).status_code
            == 401
        )

    wait_until(refused, get_settings().key_cache_ttl_seconds + 0.5)
    response = client.post("/api/v1/metrics/workstation", json=payload(), headers=ingest)
    assert response.json() == {"detail": "Invalid API key: the key has been revoked"}

    again = client.delete(f"{BASE}/{fta['id']}", params={"reason": "twice"}, headers=headers)
    assert (again.status_code, again.json()) == (
        409,
        {"detail": f"API key {fta['id']} is already revoked"},
    )
    assert [event for event, _ in events_of(fta["id"])].count("revoked") == 1


def test_the_last_admin_write_key_cannot_be_removed(client: TestClient, admin) -> None:
    admin_id, headers = admin
    for method, path, params, action in [
        ("DELETE", f"{BASE}/{admin_id}", {"reason": "oops"}, "revoke"),
        ("DELETE", f"{BASE}/{admin_id}/permanent", {}, "delete"),
    ]:
        response = client.request(method, path, params=params, headers=headers)
        assert response.status_code == 409
        assert response.json() == {"detail": LAST_ADMIN.format(action=action)}

    # A rotated admin key in its grace period is not a safeguard: it will stop on its own.
    rotated = client.post(f"{BASE}/{admin_id}/rotate", headers=headers).json()
    new_headers = {"X-API-Key": rotated["key"]}
    response = client.delete(f"{BASE}/{rotated['id']}", params={"reason": "x"}, headers=new_headers)
    assert response.status_code == 409

    second = create(client, new_headers, name="second admin", scopes=["admin:*"])
    response = client.delete(
        f"{BASE}/{rotated['id']}",
        params={"reason": "handed over"},
        headers={"X-API-Key": second["key"]},
    )
    assert response.status_code == 200


def test_permanent_delete_keeps_the_audit_trail(client: TestClient, admin) -> None:
    _, headers = admin
    fta = create(client, headers)
    response = client.delete(f"{BASE}/{fta['id']}/permanent", headers=headers)
    assert (response.status_code, response.content) == (204, b"")
    assert client.get(f"{BASE}/{fta['id']}", headers=headers).status_code == 404
    assert client.get(f"{BASE}/{fta['id']}/events", headers=headers).status_code == 404
    assert [event for event, _ in events_of(fta["id"])] == ["created", "deleted"]
    response = client.post(
        "/api/v1/metrics/workstation", json=payload(), headers={"X-API-Key": fta["key"]}
    )
    assert response.status_code == 401


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


def test_the_old_key_stops_when_its_grace_ends(client: TestClient, admin) -> None:
    _, headers = admin
    old = create(client, headers, scopes=["metrics:read"])
    reader = {"X-API-Key": old["key"]}
    assert client.get("/api/v1/workstations", headers=reader).status_code == 200
    response = client.post(
        f"{BASE}/{old['id']}/rotate", json={"grace_period_hours": 0}, headers=headers
    )
    assert response.status_code == 201
    wait_until(
        lambda: client.get("/api/v1/workstations", headers=reader).status_code == 401,
        get_settings().key_cache_ttl_seconds + 0.5,
    )
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
        {"detail": "Cannot rotate a expired key; create a new key instead"},
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
    assert events_of(key_id) == [("first_use", "10.0.0.1"), ("first_use", "10.0.0.2")]
    with session_scope() as session:
        assert session.get(ApiKey, key_id).usage_count == 102
