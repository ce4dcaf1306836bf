"""Inputs the API accepted and a later step refused: each is a 422 at the door now.

NUL characters reached PostgreSQL (which stores none) and came back as 503 "database
unavailable"; an aware time near the ends of the calendar overflowed in the UTC conversion (500).
"""

import pytest
from fastapi.testclient import TestClient

KEYS = "/api/v1/admin/api-keys"
EDGES = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00")


@pytest.fixture
def admin(make_key) -> dict[str, str]:
    _, key = make_key(["admin:*", "metrics:read", "workflows:*"])
    return {"Authorization": f"Bearer {key}"}


BODIES_WITH_NUL = {
    "key name": {"name": "night\x00shift", "scopes": ["metrics:read"]},
    "key description": {"name": "night", "description": "a\x00b", "scopes": ["metrics:read"]},
}


@pytest.mark.parametrize("case", BODIES_WITH_NUL)
def test_nul_in_an_admin_body_is_422(client: TestClient, admin, case) -> None:
    response = client.post(KEYS, json=BODIES_WITH_NUL[case], headers=admin)

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "string_pattern_mismatch"
    assert client.get(KEYS, headers=admin).json()["count"] == 1


def test_nul_in_a_revoke_reason_or_a_name_filter_is_422(client: TestClient, admin) -> None:
    created = client.post(KEYS, json={"name": "n", "scopes": ["metrics:read"]}, headers=admin)
    key_id = created.json()["id"]

    revoke = client.delete(f"{KEYS}/{key_id}", params={"reason": "x\x00y"}, headers=admin)
    search = client.get(KEYS, params={"name": "n\x00"}, headers=admin)

    assert (revoke.status_code, search.status_code) == (422, 422)
    assert revoke.json()["detail"][0]["loc"] == ["query", "reason"]
    assert search.json()["detail"][0]["loc"] == ["query", "name"]
    assert client.get(f"{KEYS}/{key_id}", headers=admin).json()["status"] == "active"


def test_nul_in_a_run_id_is_422(client: TestClient, admin) -> None:
    read = client.get("/api/v1/jobs/failures/run%00one/analysis", headers=admin)
    resolve = client.post(
        "/api/v1/jobs/failures/run%00one/resolution", json={"resolution": "x"}, headers=admin
    )

    assert (read.status_code, resolve.status_code) == (422, 422)
    assert read.json()["detail"][0]["loc"] == ["path", "run_id"]


@pytest.mark.parametrize(
    "route",
    [
        "/api/v1/metrics/workstation/FTA1?since={0}",
        "/api/v1/metrics/workstation/FTA1?until={0}",
        "/api/v1/jobs/executions?since={0}",
    ],
)
@pytest.mark.parametrize("edge", EDGES)
def test_a_time_outside_the_utc_calendar_is_422(client: TestClient, admin, route, edge) -> None:
    response = client.get(route.format(edge.replace("+", "%2B")), headers=admin)

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].endswith("is outside the years 1 to 9999 in UTC")


@pytest.mark.parametrize("execution_id", ["9223372036854775808", "-9223372036854775809", "0"])
def test_an_execution_id_outside_64_bits_is_422(client: TestClient, admin, execution_id) -> None:
    response = client.get(f"/api/v1/maintenance/executions/{execution_id}/joblog", headers=admin)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "execution_id"]
