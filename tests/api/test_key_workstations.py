"""Keys bound to their FTAs: created with `resync keys create --workstation`, enforced at ingest."""

import json
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from resync.cli import app
from resync.db.engine import session_scope
from resync.db.models import ApiKey, MetricsInbox
from resync.keys.admin import Actor, rotate_key
from tests.support.admin_api import admin_key, create
from tests.support.payloads import payload

SINGLE = "/api/v1/metrics/workstation"
BATCH = "/api/v1/metrics/workstation/batch"
REFUSED = "API key is bound to workstation(s) FTA-A, FTA-B; it may not post samples of FTA-C"


def cli_key(*workstations: str) -> dict:
    arguments = ["keys", "create", "--name", "fta", "--scope", "metrics:write", "--json"]
    for name in workstations:
        arguments += ["--workstation", name]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def inbox_count() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(MetricsInbox))


def test_a_bound_key_posts_its_own_ftas_only(client: TestClient) -> None:
    created = cli_key("fta-b", "FTA-A")
    assert created["workstations"] == ["FTA-A", "FTA-B"]
    headers = {"X-API-Key": created["key"]}

    own = client.post(SINGLE, json=payload("fta-a"), headers=headers)
    other = client.post(SINGLE, json=payload("FTA-C"), headers=headers)
    mixed = client.post(BATCH, json=[payload("FTA-B"), payload("FTA-C")], headers=headers)

    assert own.status_code == 202, own.text
    assert (other.status_code, other.json()) == (403, {"detail": REFUSED})
    assert (mixed.status_code, mixed.json()) == (403, {"detail": REFUSED})
    assert inbox_count() == 1


def test_an_unbound_key_posts_any_fta(client: TestClient) -> None:
    created = cli_key()
    assert created["workstations"] is None
    response = client.post(SINGLE, json=payload("FTA-C"), headers={"X-API-Key": created["key"]})
    assert response.status_code == 202, response.text


def test_a_rotated_key_keeps_its_ftas(client: TestClient) -> None:
    created = cli_key("FTA-A")
    with session_scope() as session:
        new, plaintext, _ = rotate_key(session, uuid.UUID(created["id"]), Actor("tests"))
        new_id = new.id
    with session_scope() as session:
        assert session.get(ApiKey, new_id).workstations == ["FTA-A"]
    response = client.post(SINGLE, json=payload("FTA-C"), headers={"X-API-Key": plaintext})
    assert response.status_code == 403


def test_a_name_tws_would_refuse_is_refused(client: TestClient) -> None:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["keys", "create", "--name", "x", "--scope", "metrics:write", "--workstation", "9X"]
    )
    assert result.exit_code == 2
    assert "9X is not a TWS workstation name" in result.output
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(ApiKey)) == 0


def test_the_admin_api_creates_a_bound_key(client: TestClient, make_key) -> None:
    _, headers = admin_key(make_key)
    created = create(client, headers, workstations=["ws-prod-01"])
    assert created["workstations"] == ["WS-PROD-01"]
    refused = client.post(SINGLE, json=payload("FTA-C"), headers={"X-API-Key": created["key"]})
    assert refused.json() == {
        "detail": "API key is bound to workstation(s) WS-PROD-01; it may not post samples of FTA-C"
    }
    invalid = client.post(
        "/api/v1/admin/api-keys",
        json={"name": "x", "scopes": ["metrics:write"], "workstations": ["9X"]},
        headers=headers,
    )
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "workstations", 0]
