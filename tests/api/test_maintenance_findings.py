"""GET /api/v1/maintenance/findings: the latest run's findings with their actions' decisions."""

import uuid
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from graphs.maintenance.graph import build_graph
from resync.db.engine import session_scope
from resync.maintenance.actions import propose
from resync.maintenance.claims import claim_run, set_run_status
from resync.maintenance.store import store_findings
from resync.maintenance.types import Finding
from tests.support.flow_run import inside_a_flow
from tests.support.maintenance_estate import REVIEWED_ESTATE, load_estate

URL = "/api/v1/maintenance/findings"
INSIGHT = {"insight": "test", "analyst": "deterministic", "analyst_note": ""}


@pytest.fixture
def headers(make_key) -> dict[str, str]:
    _, key = make_key(["workflows:read"])
    return {"X-API-Key": key}


def finding(workstation: str, kind: str, resource: str, days: int | None) -> Finding:
    actions = []
    if kind == "memory_leak":
        actions = [propose(workstation, kind, "move_jobs_off_workstation", "drain", job_limit=0)]
    return Finding(
        workstation=workstation,
        kind=kind,
        resource=resource,
        predicted_failure_date=None if days is None else date.today() + timedelta(days=days),
        confidence=0.9,
        evidence_summary=f"{resource} on {workstation}",
        evidence={"degradations": []},
        actions=actions,
    )


def stored_run(findings: list[Finding]) -> uuid.UUID:
    """A finished maintenance run whose findings are `findings`."""
    with session_scope() as session:
        run = claim_run(session, None, timedelta(minutes=3))
        store_findings(session, run.run_id, findings, INSIGHT)
        set_run_status(session, run.run_id, None, "finished")
    return run.run_id


def test_no_run_yet_means_no_findings(client: TestClient, headers) -> None:
    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    assert response.json() == {"data": [], "count": 0}


def test_only_the_latest_run_counts_and_healthy_ftas_have_none(client: TestClient, headers):
    stored_run([finding("FTA009", "memory_leak", "memory_percent", 12)])
    latest = stored_run(
        [
            finding("FTA002", "job_failures", "job:BILLING.RUN_INVOICES", None),
            finding("FTA001", "memory_leak", "memory_percent", 20),
            finding("FTA001", "disk_filling", "disk_percent", 9),
        ]
    )

    body = client.get(URL, headers=headers).json()

    assert body["count"] == 3
    assert [(f["workstation"], f["kind"]) for f in body["data"]] == [
        ("FTA001", "disk_filling"),
        ("FTA001", "memory_leak"),
        ("FTA002", "job_failures"),
    ]
    assert {f["run_id"] for f in body["data"]} == {str(latest)}
    leak = body["data"][1]
    assert leak["predicted_failure_date"] == (date.today() + timedelta(days=20)).isoformat()
    assert leak["review_status"] == "pending"
    [drain] = leak["actions"]
    assert drain["command"] == "move_jobs_off_workstation"
    assert drain["arguments"] == {"workstation": "FTA001", "job_limit": 0}
    assert (drain["review_status"], drain["decided_by"], drain["dry_run"]) == (
        "pending",
        None,
        None,
    )
    assert body["data"][2]["review_status"] == "no_actions"
    assert body["data"][2]["predicted_failure_date"] is None


def test_filters_by_workstation_and_kind(client: TestClient, headers) -> None:
    stored_run(
        [
            finding("FTA001", "memory_leak", "memory_percent", 20),
            finding("FTA001", "disk_filling", "disk_percent", 9),
            finding("FTA002", "disk_filling", "disk_percent", 5),
        ]
    )

    by_workstation = client.get(URL, params={"workstation": "fta001"}, headers=headers).json()
    by_kind = client.get(URL, params={"kind": "disk_filling"}, headers=headers).json()
    both = client.get(
        URL, params={"workstation": "FTA002", "kind": "memory_leak"}, headers=headers
    ).json()

    assert {(f["workstation"], f["kind"]) for f in by_workstation["data"]} == {
        ("FTA001", "memory_leak"),
        ("FTA001", "disk_filling"),
    }
    assert [f["workstation"] for f in by_kind["data"]] == ["FTA002", "FTA001"]
    assert both == {"data": [], "count": 0}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"kind": "cpu_melting"}, "kind"), ({"workstation": "FTA 1; drop"}, "workstation")],
)
def test_bad_filters_are_refused(client: TestClient, headers, params, field) -> None:
    response = client.get(URL, params=params, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_a_key_without_workflows_read_is_refused(client: TestClient, make_key) -> None:
    _, key = make_key(["metrics:read", "metrics:write"])
    response = client.get(URL, headers={"X-API-Key": key})
    assert response.status_code == 403
    assert response.json()["detail"] == "API key lacks the 'workflows:read' scope"


@pytest.mark.usefixtures("prefect_api")
def test_reviewed_actions_show_their_decision_and_execution(client: TestClient, headers):
    load_estate(REVIEWED_ESTATE)
    with session_scope() as session:
        run_id = str(claim_run(session, None, timedelta(minutes=3)).run_id)
    graph = build_graph().compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": run_id}}
    inside_a_flow(lambda: graph.invoke({"run_id": run_id}, config))
    [request] = graph.get_state(config).interrupts
    actions = {
        a["command"]: a["action_id"] for f in request.value["findings"] for a in f["actions"]
    }
    # Only the file system extension needs a person; the stdlist clean-up runs by policy.
    assert request.value["asked"] == [actions["extend_filesystem"]]
    receiving, submitted_at = uuid.uuid4(), "2026-12-07T01:55:12+00:00"
    answer = {
        "decisions": {actions["extend_filesystem"]: "rejected"},
        "source": "reviewer",
        "decided_by": "alice",
        "comment": "the volume group is short of space",
        "submitted_at": submitted_at,
        "flow_run_id": str(receiving),
    }
    graph.invoke(Command(resume=answer), config)

    body = client.get(URL, headers=headers).json()

    [disk] = body["data"]
    assert (disk["workstation"], disk["kind"], disk["resource"]) == (
        "FTA001",
        "disk_filling",
        "disk_percent",
    )
    assert 0.8 <= disk["confidence"] <= 1.0
    assert "disk_percent at" in disk["evidence_summary"]
    assert disk["review_status"] == "partly_approved"
    by_command = {a["command"]: a for a in disk["actions"]}
    clean, extend = by_command["clean_stdlist"], by_command["extend_filesystem"]
    assert (clean["review_status"], clean["review_source"], clean["decided_by"]) == (
        "approved",
        "auto_approved",
        None,
    )
    assert (clean["comment"], clean["submitted_at"], clean["flow_run_id"]) == (None, None, None)
    assert clean["dry_run"] is True and clean["executed_at"] is not None
    assert (extend["review_status"], extend["review_source"], extend["decided_by"]) == (
        "rejected",
        "reviewer",
        "alice",
    )
    assert extend["comment"] == "the volume group is short of space"
    assert extend["submitted_at"] == "2026-12-07T01:55:12Z"
    assert extend["flow_run_id"] == str(receiving)
    # Recorded when the run wrote it, after the reviewer submitted.
    assert extend["decided_at"] > extend["submitted_at"]
    assert (extend["dry_run"], extend["executed_at"]) == (None, None)
