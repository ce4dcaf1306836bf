"""The key admin API on both backends: create, list, read, revoke, delete, with exact errors."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from resync.cli import app
from resync.keys.format import check_key_format
from resync.settings import get_settings
from tests.support.admin_api import (
    BASE,
    LAST_ADMIN,
    admin_key,
    admin_label,
    create,
    events_of,
)
from tests.support.payloads import payload


@pytest.fixture
def admin(client: TestClient, make_key) -> tuple[uuid.UUID, dict[str, str]]:
    return admin_key(make_key)


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


def test_revoke_needs_a_reason_and_reaches_ingest_within_5_s(
    client: TestClient, admin, clock
) -> None:
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

    clock.advance(get_settings().key_cache_ttl_seconds)
    assert refused()
    response = client.post("/api/v1/metrics/workstation", json=payload(), headers=ingest)
    assert response.json() == {"detail": "Invalid API key: the key has been revoked"}

    again = client.delete(f"{BASE}/{fta['id']}", params={"reason": "twice"}, headers=headers)
    assert (again.status_code, again.json()) == (
        409,
        {"detail": f"API key {fta['id']} is already revoked"},
    )
    assert [event for event, _ in events_of(fta["id"])].count("revoked") == 1


def assert_last_admin_kept(client: TestClient, admin_id: str, headers: dict) -> None:
    """Neither revoking nor deleting key `admin_id` is allowed: it is the last admin key."""
    for method, path, params, action in [
        ("DELETE", f"{BASE}/{admin_id}", {"reason": "oops"}, "revoke"),
        ("DELETE", f"{BASE}/{admin_id}/permanent", {}, "delete"),
    ]:
        response = client.request(method, path, params=params, headers=headers)
        assert response.status_code == 409
        assert response.json() == {"detail": LAST_ADMIN.format(action=action)}


def test_the_last_admin_write_key_cannot_be_removed(client: TestClient, admin) -> None:
    admin_id, headers = admin
    assert_last_admin_kept(client, admin_id, headers)

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


def test_the_command_line_keeps_the_same_trail_and_may_revoke_the_last_admin(
    client: TestClient,
) -> None:
    # Wide enough that the error box does not wrap the message.
    runner = CliRunner(env={"COLUMNS": "200"})
    created = runner.invoke(app, ["keys", "create", "--name", "first admin", "--scope", "admin:*"])
    assert created.exit_code == 0, created.output
    key_id = json.loads(
        runner.invoke(app, ["keys", "create", "--name", "x", "--scope", "admin:*", "--json"]).output
    )["id"]
    listed = runner.invoke(app, ["keys", "list"]).output
    assert key_id in listed and "first admin" in listed

    for _ in range(2):
        revoked = runner.invoke(app, ["keys", "revoke", key_id, "--reason", "leaked"])
    assert revoked.exit_code == 2
    assert f"API key {key_id} is already revoked" in revoked.output
    assert events_of(key_id) == [("created", None), ("revoked", None)]
    first_admin = next(line for line in listed.splitlines() if "first admin" in line)
    last = runner.invoke(app, ["keys", "revoke", first_admin.split()[0], "--reason", "leaked"])
    assert last.exit_code == 0, last.output


def test_an_expiring_admin_key_does_not_keep_the_permanent_one(client: TestClient, admin) -> None:
    admin_id, headers = admin
    expiring = create(client, headers, name="contractor", scopes=["admin:*"], expires_in_days=7)
    assert_last_admin_kept(client, admin_id, headers)

    # The permanent key outlasts the expiring one, so that one may go.
    response = client.delete(f"{BASE}/{expiring['id']}", params={"reason": "done"}, headers=headers)
    assert response.status_code == 200


def test_responses_with_a_key_are_not_stored_and_json_is_not_sniffed(
    client: TestClient, admin
) -> None:
    _, headers = admin
    created = client.post(BASE, json={"name": "fta", "scopes": ["metrics:write"]}, headers=headers)
    rotated = client.post(f"{BASE}/{created.json()['id']}/rotate", headers=headers)
    listed = client.get(BASE, headers=headers)
    refused = client.get(BASE)
    for response in (created, rotated):
        assert response.headers["cache-control"] == "no-store"
    for response in (created, rotated, listed, refused, client.get("/healthz")):
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-content-type-options"] == "nosniff"
