"""Job runs pushed by the master: acceptance, idempotency on run_id, validation, reading back."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resync.db.engine import session_scope
from resync.db.models import JobExecution
from resync.ingest.payload import BATCH_MAX_ITEMS
from resync.jobs.schemas import TRUNCATION_MARK
from tests.support.job_runs import job_run
from tests.support.payloads import iso, minutes_ago

EXECUTIONS = "/api/v1/jobs/executions"


@pytest.fixture
def writer(make_key) -> dict[str, str]:
    _, key = make_key(["jobs:write"])
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def reader(make_key) -> dict[str, str]:
    _, key = make_key(["metrics:read"])
    return {"X-API-Key": key}


def stored_rows() -> list[JobExecution]:
    with session_scope() as session:
        return list(session.scalars(select(JobExecution).order_by(JobExecution.id)))


def test_runs_are_stored_with_their_duration(client: TestClient, writer) -> None:
    failed = job_run(
        "fta-01", minutes_ago(60), minutes=12, status="ABEND", return_code=12, joblog="RC=12\n"
    )
    runs = [job_run("FTA-01", minutes_ago(90)), failed]

    response = client.post(EXECUTIONS, json=runs, headers=writer)

    assert response.status_code == 201
    assert response.json() == {"accepted": 2, "duplicates": 0, "duplicate_run_ids": []}
    rows = stored_rows()
    assert [row.run_id for row in rows] == [runs[0]["run_id"], failed["run_id"]]
    abended = rows[1]
    assert abended.workstation == "FTA-01"
    assert abended.job_stream == "PAYROLL"
    assert abended.job_name == "LOAD_EMPLOYEES"
    assert abended.status == "ABEND"
    assert abended.return_code == 12
    assert abended.duration == 720.0
    assert abended.joblog == "RC=12\n"
    assert iso(abended.started_at) == failed["started_at"]


def test_resend_changes_nothing_and_is_reported(client: TestClient, writer) -> None:
    first = job_run(status="ABEND", return_code=8)
    assert client.post(EXECUTIONS, json=[first], headers=writer).status_code == 201

    changed = {**first, "status": "SUCC", "return_code": 0}
    new = job_run()
    mixed = client.post(EXECUTIONS, json=[changed, new], headers=writer)
    again = client.post(EXECUTIONS, json=[changed], headers=writer)

    assert mixed.status_code == 201
    assert mixed.json() == {
        "accepted": 1,
        "duplicates": 1,
        "duplicate_run_ids": [first["run_id"]],
    }
    assert again.status_code == 200
    assert again.json()["duplicates"] == 1
    rows = {row.run_id: row for row in stored_rows()}
    assert len(rows) == 2
    assert rows[first["run_id"]].status == "ABEND"
    assert rows[first["run_id"]].return_code == 8


def test_a_run_repeated_in_one_request_is_stored_once(client: TestClient, writer) -> None:
    run = job_run()
    response = client.post(EXECUTIONS, json=[run, run], headers=writer)

    assert response.json() == {
        "accepted": 1,
        "duplicates": 1,
        "duplicate_run_ids": [run["run_id"]],
    }
    assert len(stored_rows()) == 1


def test_joblog_secrets_are_masked_before_storage(client: TestClient, writer) -> None:
    joblog = "sqlplus batch/Tiger2024@PROD\nexport DB_PASSWORD=hunter2\nExit Status : 1\n"
    client.post(EXECUTIONS, json=[job_run(joblog=joblog)], headers=writer)

    (row,) = stored_rows()
    assert "Tiger2024" not in row.joblog
    assert "hunter2" not in row.joblog
    assert row.joblog.endswith("Exit Status : 1\n")


def test_long_joblog_keeps_its_end(client: TestClient, writer) -> None:
    limit = client.app.state.settings.joblog_max_bytes
    joblog = "x" * (2 * limit) + "\nAWKJIS003E file not found\nExit Status : 12\n"
    client.post(EXECUTIONS, json=[job_run(joblog=joblog)], headers=writer)

    (row,) = stored_rows()
    assert len(row.joblog.encode()) <= limit
    assert row.joblog.startswith(TRUNCATION_MARK)
    assert row.joblog.endswith("AWKJIS003E file not found\nExit Status : 12\n")


def test_a_full_batch_is_accepted(client: TestClient, writer) -> None:
    runs = [job_run(joblog="step 1 ok\n" * 10) for _ in range(BATCH_MAX_ITEMS)]
    response = client.post(EXECUTIONS, json=runs, headers=writer)

    assert response.status_code == 201
    assert response.json()["accepted"] == BATCH_MAX_ITEMS
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(JobExecution)) == BATCH_MAX_ITEMS


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("workstation", "1BAD", "String should match pattern '^[A-Za-z][A-Za-z0-9_-]{0,15}$'"),
        ("workstation", "A" * 17, "String should match pattern '^[A-Za-z][A-Za-z0-9_-]{0,15}$'"),
        ("job_stream", "PAY ROLL", "String should match pattern '^[A-Za-z][A-Za-z0-9_-]{0,15}$'"),
        ("job_name", "J" * 41, "String should match pattern '^[A-Za-z][A-Za-z0-9_-]{0,39}$'"),
        ("run_id", "", "String should match pattern '^[\\x21-\\x7e]{1,64}$'"),
        ("return_code", 2**31, "Input should be less than or equal to 2147483647"),
        ("started_at", "2024-12-25T10:30:00", "Input should have timezone info"),
        ("joblog", "bad\x00log", "Value error, joblog may not contain NUL characters"),
    ],
)
def test_invalid_field_is_named_with_its_index(
    client: TestClient, writer, field: str, value, message: str
) -> None:
    runs = [job_run(), job_run(**{field: value})]
    response = client.post(EXECUTIONS, json=runs, headers=writer)

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", 1, field]
    assert error["msg"] == message
    assert stored_rows() == []


def test_unknown_status_is_refused(client: TestClient, writer) -> None:
    response = client.post(EXECUTIONS, json=[job_run(status="BROKEN")], headers=writer)

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", 0, "status"]
    assert error["type"] == "literal_error"


def test_end_before_start_is_refused(client: TestClient, writer) -> None:
    run = job_run(ended_at=iso(minutes_ago(60)), started_at=iso(minutes_ago(30)))
    response = client.post(EXECUTIONS, json=[run], headers=writer)

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", 0],
            "msg": "Value error, ended_at must not be earlier than started_at",
            "type": "value_error",
        }
    ]


def test_future_start_is_refused(client: TestClient, writer) -> None:
    run = job_run(started_at=iso(minutes_ago(-60)), ended_at=None)
    response = client.post(EXECUTIONS, json=[run], headers=writer)

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        "Value error, time is more than 300 s in the future; check the master's clock (NTP)"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "List should have at least 1 item after validation, not 0"),
        ({"run_id": "x"}, "Input should be a valid array"),
    ],
)
def test_body_must_be_a_non_empty_array(client: TestClient, writer, body, message) -> None:
    response = client.post(EXECUTIONS, json=body, headers=writer)

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == message


def test_more_than_the_batch_limit_is_refused(client: TestClient, writer) -> None:
    runs = [job_run() for _ in range(BATCH_MAX_ITEMS + 1)]
    response = client.post(EXECUTIONS, json=runs, headers=writer)

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "too_long"


def test_read_back_newest_first_with_filters(client: TestClient, writer, reader) -> None:
    runs = [
        job_run("FTA-01", minutes_ago(300)),
        job_run("FTA-01", minutes_ago(200), status="ABEND", return_code=4),
        job_run("FTA-01", minutes_ago(100)),
        job_run("FTA-02", minutes_ago(50), status="ABEND", return_code=1),
    ]
    client.post(EXECUTIONS, json=runs, headers=writer)

    everything = client.get(EXECUTIONS, headers=reader).json()
    assert everything["count"] == 4
    assert [run["run_id"] for run in everything["data"]] == [r["run_id"] for r in runs[::-1]]

    one_fta = client.get(EXECUTIONS, params={"workstation": "fta-01"}, headers=reader).json()
    assert [run["run_id"] for run in one_fta["data"]] == [r["run_id"] for r in runs[2::-1]]

    abends = client.get(
        EXECUTIONS, params={"workstation": "FTA-01", "status": "ABEND"}, headers=reader
    ).json()
    assert abends["count"] == 1
    assert abends["data"][0]["return_code"] == 4
    assert abends["data"][0]["duration"] == 300.0

    recent = client.get(
        EXECUTIONS, params={"since": iso(minutes_ago(150)), "limit": 1}, headers=reader
    ).json()
    assert recent["count"] == 2
    assert [run["run_id"] for run in recent["data"]] == [runs[3]["run_id"]]


def test_lists_leave_joblogs_out_and_each_is_read_on_its_own(
    client: TestClient, writer, reader
) -> None:
    failed = job_run(status="ABEND", return_code=8, run_id="PAYROLL/0A1B", joblog="RC=8\n")
    quiet = job_run()
    client.post(EXECUTIONS, json=[failed, quiet], headers=writer)

    listed = client.get(EXECUTIONS, params={"limit": 10_000}, headers=reader).json()
    by_run = {run["run_id"]: run for run in listed["data"]}
    assert "joblog" not in by_run[failed["run_id"]]
    assert (by_run[failed["run_id"]]["has_joblog"], by_run[quiet["run_id"]]["has_joblog"]) == (
        True,
        False,
    )
    joblog = client.get(f"{EXECUTIONS}/PAYROLL/0A1B/joblog", headers=reader)
    assert joblog.json() == {"run_id": "PAYROLL/0A1B", "joblog": "RC=8\n"}
    assert client.get(f"{EXECUTIONS}/{quiet['run_id']}/joblog", headers=reader).json() == {
        "run_id": quiet["run_id"],
        "joblog": None,
    }
    unknown = client.get(f"{EXECUTIONS}/NO-SUCH-RUN/joblog", headers=reader)
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "Job run 'NO-SUCH-RUN' not found"}
    assert client.get(f"{EXECUTIONS}/PAYROLL/0A1B/joblog", headers=writer).status_code == 403


def test_read_refuses_bad_filters(client: TestClient, reader) -> None:
    assert client.get(EXECUTIONS, params={"status": "BROKEN"}, headers=reader).status_code == 422
    naive = client.get(EXECUTIONS, params={"since": "2024-12-25T10:30:00"}, headers=reader)
    assert naive.status_code == 422
    assert client.get(EXECUTIONS, params={"limit": 0}, headers=reader).status_code == 422


def test_scopes_are_enforced(client: TestClient, writer, reader) -> None:
    assert client.post(EXECUTIONS, json=[job_run()], headers=reader).status_code == 403
    assert client.get(EXECUTIONS, headers=writer).status_code == 403
