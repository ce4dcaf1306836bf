"""GET /api/v1/jobs/failures/{run_id}/analysis and POST …/resolution on both backends."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from resync.db.engine import session_scope
from resync.joblog.classification import classify_joblog
from resync.joblog.redaction import redact_joblog
from resync.joblog.store import load_past_failures, store_failure_analysis

RUN_ID = "WS-PROD-01;PAYROLL;LOAD/EMPLOYEES;3"
JOBLOG = "Start\nsqlplus etl/Tiger99@PRD\nORA-28001: the password has expired\nExit Status : 1\n"
FAILED_AT = datetime(2026, 11, 27, 2, 10, tzinfo=UTC)


@pytest.fixture
def runs(client: TestClient, make_key) -> None:
    """A failed run with its card, and a successful run without one, pushed through the API."""
    _, key = make_key(["jobs:write"])
    started = datetime.now(UTC) - timedelta(hours=2)
    body = [
        {
            "workstation": "WS-PROD-01",
            "job_stream": "PAYROLL",
            "job_name": "LOAD_EMPLOYEES",
            "run_id": run_id,
            "status": status,
            "return_code": code,
            "started_at": started.isoformat(),
            "ended_at": (started + timedelta(minutes=3)).isoformat(),
            "joblog": JOBLOG if status == "ABEND" else None,
        }
        for run_id, status, code in ((RUN_ID, "ABEND", 1), ("ok-1", "SUCC", 0))
    ]
    assert (
        client.post("/api/v1/jobs/executions", json=body, headers={"X-API-Key": key}).status_code
        == 201
    )
    joblog = redact_joblog(JOBLOG, 4096)
    classification = classify_joblog(joblog)
    with session_scope() as session:
        store_failure_analysis(
            session,
            {
                "run_id": RUN_ID,
                "workstation": "WS-PROD-01",
                "job_stream": "PAYROLL",
                "job_name": "LOAD_EMPLOYEES",
                "failed_at": FAILED_AT,
                "return_code": 1,
                "failure_class": classification.failure_class,
                "confidence": classification.confidence,
                "method": classification.method,
                "explanation": classification.explanation,
                "evidence": [e.model_dump() for e in classification.evidence],
                "resource_state": {"samples": 0, "corroborating": []},
                "run_history": {"earlier_runs": 0},
                "similar_cases": [],
                "suggested_fix": "Renew the password.",
                "joblog": joblog,
                "analyst": "deterministic",
                "analyst_note": None,
            },
        )


def keyed(make_key, *scopes: str) -> dict[str, str]:
    return {"X-API-Key": make_key(list(scopes))[1]}


def url(run_id: str, what: str) -> str:
    return f"/api/v1/jobs/failures/{run_id}/{what}"


def test_analysis_is_the_stored_card(client: TestClient, runs, make_key) -> None:
    response = client.get(url(RUN_ID, "analysis"), headers=keyed(make_key, "workflows:read"))
    assert response.status_code == 200
    card = response.json()
    assert card["failure_class"] == "credentials_expired"
    assert card["evidence"] == [
        {
            "line": 3,
            "text": "ORA-28001: the password has expired",
            "source": "Oracle ORA-28001",
        },
        {"line": 4, "text": "Exit Status : 1", "source": None},
    ]
    assert (card["confidence"], card["method"], card["analyst"]) == (
        0.9,
        "catalogue",
        "deterministic",
    )
    assert card["failed_at"] == "2026-11-27T02:10:00Z"
    assert card["resolution"] is None
    assert "Tiger99" not in response.text


def test_resolution_is_recorded_redacted_and_shown_on_the_card(
    client: TestClient, runs, make_key
) -> None:
    writer = keyed(make_key, "workflows:write")
    first = client.post(url(RUN_ID, "resolution"), headers=writer, json={"resolution": "Reset it"})
    assert first.status_code == 201
    assert first.json()["resolved_by"].startswith("test-")
    response = client.post(
        url(RUN_ID, "resolution"),
        headers=writer,
        json={
            "resolution": "  Renewed the password with alter user etl identified by password=N3w! ",
            "failure_class": "credentials_expired",
            "resolved_by": "dba on call",
        },
    )
    assert response.status_code == 201
    recorded = response.json()
    assert recorded["resolution"] == (
        "Renewed the password with alter user etl identified by password=[REDACTED]"
    )
    assert (recorded["failure_class"], recorded["resolved_by"]) == (
        "credentials_expired",
        "dba on call",
    )
    card = client.get(url(RUN_ID, "analysis"), headers=keyed(make_key, "workflows:read")).json()
    assert card["resolution"] == recorded
    with session_scope() as session:
        [past] = load_past_failures(session, "another-run", 10)
    assert (past.run_id, past.resolution) == (RUN_ID, recorded["resolution"])


def test_unknown_and_unanalysed_runs_are_404(client: TestClient, runs, make_key) -> None:
    reader = keyed(make_key, "workflows:read")
    response = client.get(url("nope", "analysis"), headers=reader)
    assert response.status_code == 404
    assert response.json() == {"detail": "No job run with id 'nope'"}
    response = client.get(url("ok-1", "analysis"), headers=reader)
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Job run 'ok-1' (SUCC) has no analysis: only failed runs are analysed; run the "
        "decision-support flow with run_ids=['ok-1'] if it failed"
    }
    writer = keyed(make_key, "workflows:write")
    response = client.post(url("nope", "resolution"), headers=writer, json={"resolution": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"resolution": "   "},
        {"resolution": "x" * 4001},
        {"resolution": "x", "failure_class": "bad"},
        {"resolution": "disk\x00cleaned"},
        {"resolution": "x", "resolved_by": "ops\x00"},
    ],
)
def test_bad_resolution_is_422_and_writes_nothing(client: TestClient, runs, make_key, body) -> None:
    response = client.post(
        url(RUN_ID, "resolution"), headers=keyed(make_key, "workflows:write"), json=body
    )
    assert response.status_code == 422
    card = client.get(url(RUN_ID, "analysis"), headers=keyed(make_key, "workflows:read")).json()
    assert card["resolution"] is None


def test_scopes(client: TestClient, runs, make_key) -> None:
    reader = keyed(make_key, "workflows:read")
    response = client.post(url(RUN_ID, "resolution"), headers=reader, json={"resolution": "x"})
    assert response.status_code == 403
    assert response.json() == {"detail": "API key lacks the 'workflows:write' scope"}
    response = client.get(url(RUN_ID, "analysis"), headers=keyed(make_key, "metrics:read"))
    assert response.status_code == 403
    assert client.get(url(RUN_ID, "analysis")).status_code == 401
