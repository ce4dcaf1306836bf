"""Authentication: every protected route × every kind of bad key → only 401 or 403."""

import time
import uuid

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from api.deps import MISSING_KEY
from api.main import ROUTERS
from resync.db.engine import session_scope
from resync.db.models import ApiKey
from resync.keys.format import SCOPES, generate_key
from resync.settings import get_settings
from tests.support.payloads import payload

PUBLIC_PATHS = {"/healthz", "/readyz"}
INVALID_BODY = [{"workstation": "9 not a name", "cpu_percent": -1}]
# No such key or report; fixed, so that parallel workers (pytest -n) collect the same test ids.
UNKNOWN_ID = str(uuid.UUID(int=1))


def protected_routes() -> list[tuple[str, str, str]]:
    """(method, path, scope) of every route that demands a key."""
    routes = []
    for route in (route for router in ROUTERS for route in router.routes):
        if route.path in PUBLIC_PATHS:
            continue
        assert isinstance(route, APIRoute)
        scope = next(
            dependency.call.required_scope
            for dependency in route.dependant.dependencies
            if hasattr(dependency.call, "required_scope")
        )
        path = (
            route.path.replace("{workstation}", "WS1")
            .replace("{key_id}", UNKNOWN_ID)
            .replace("{report_id}", UNKNOWN_ID)
        )
        for method in route.methods:
            routes.append((method, path, scope))
    return sorted(routes)


ROUTES = protected_routes()


def flip_checksum(key: str) -> str:
    last = key[-1]
    return key[:-1] + ("A" if last != "A" else "B")


@pytest.fixture
def bad_keys(make_key, revoke_key) -> dict[str, tuple[dict[str, str], int, str]]:
    revoked_id, revoked = make_key(["metrics:write", "metrics:read"])
    revoke_key(revoked_id)
    expired_id, expired = make_key(["metrics:write", "metrics:read"], expires_in_days=1)
    with session_scope() as session:
        record = session.get(ApiKey, expired_id)
        record.expires_at = record.created_at.replace(year=2000)
    return {
        "none": ({}, 401, MISSING_KEY),
        "malformed": ({"X-API-Key": "not-a-key"}, 401, "Invalid API key: malformed API key"),
        "wrong scheme": ({"Authorization": "Basic abc"}, 401, MISSING_KEY),
        "bad checksum": (
            {"Authorization": f"Bearer {flip_checksum(generate_key())}"},
            401,
            "Invalid API key: API key checksum mismatch",
        ),
        "unknown": ({"X-API-Key": generate_key()}, 401, "Invalid API key: unknown key"),
        "revoked": ({"X-API-Key": revoked}, 401, "Invalid API key: the key has been revoked"),
        "expired": (
            {"Authorization": f"Bearer {expired}"},
            401,
            "Invalid API key: the key has expired",
        ),
    }


def test_route_inventory_is_not_empty() -> None:
    assert ("POST", "/api/v1/metrics/workstation", "metrics:write") in ROUTES
    assert ("GET", "/api/v1/workstations", "metrics:read") in ROUTES
    assert ("GET", "/api/v1/maintenance/findings", "workflows:read") in ROUTES


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_auth_matrix(
    client: TestClient, bad_keys, make_key, method: str, path: str, scope: str
) -> None:
    body = payload() if method == "POST" and not path.endswith("/batch") else [payload()]
    # Every scope but the one the route demands.
    _, wrong_scope = make_key([other for other in SCOPES if other != scope])
    bad_keys = {**bad_keys, "wrong scope": ({"X-API-Key": wrong_scope}, 403, None)}
    for name, (headers, status, detail) in bad_keys.items():
        # A body that no route accepts gets the same answer: the key is checked before the body.
        for sent in (body, INVALID_BODY):
            response = client.request(method, path, headers=headers, json=sent)
            assert response.status_code == status, (name, sent)
            expected = detail or f"API key lacks the '{scope}' scope"
            assert response.json()["detail"] == expected, (name, sent)
            if status == 401:
                assert response.headers["WWW-Authenticate"] == "Bearer"


def test_bad_checksum_is_refused_without_a_database_query(client: TestClient) -> None:
    statements = []
    event.listen(
        client.app.state.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    response = client.get(
        "/api/v1/workstations", headers={"X-API-Key": flip_checksum(generate_key())}
    )
    assert response.status_code == 401
    assert statements == []


def test_both_headers_are_accepted(client: TestClient, make_key) -> None:
    _, key = make_key(["metrics:read"])
    assert client.get("/api/v1/workstations", headers={"X-API-Key": key}).status_code == 200
    bearer = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/workstations", headers=bearer).status_code == 200


def test_revocation_takes_effect_within_the_cache_ttl(
    client: TestClient, clock, make_key, revoke_key
):
    key_id, key = make_key(["metrics:read"])
    headers = {"X-API-Key": key}
    assert client.get("/api/v1/workstations", headers=headers).status_code == 200
    revoke_key(key_id)
    clock.advance(get_settings().key_cache_ttl_seconds)
    assert client.get("/api/v1/workstations", headers=headers).status_code == 401


def test_usage_is_recorded_in_batches(client: TestClient, make_key) -> None:
    key_id, key = make_key(["metrics:read"])
    for _ in range(5):
        client.get("/api/v1/workstations", headers={"X-API-Key": key})
    deadline = time.monotonic() + get_settings().usage_flush_interval_seconds + 3
    while True:
        with session_scope() as session:
            record = session.scalars(select(ApiKey).where(ApiKey.id == key_id)).one()
            if record.usage_count == 5 or time.monotonic() > deadline:
                break
        time.sleep(0.2)
    assert record.usage_count == 5
    assert record.last_used_at is not None
