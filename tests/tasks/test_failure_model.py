"""Resolutions recorded with a class feed the failure text model: what the store hands to the
retraining, and the model decision support uses while the learned change is in force and after
it is reverted."""

from datetime import UTC, datetime, timedelta

from resync.db.engine import session_scope
from resync.db.models import JobExecution
from resync.joblog.store import (
    add_failure_resolution,
    load_resolved_failures,
    store_failure_analysis,
)
from resync.joblog.text_model import catalogue_model
from resync.learning.changes import Proposal
from resync.learning.store import record_changes, revert_change
from tasks.failure_model import failure_model_in_force

T0 = datetime(2026, 12, 1, 2, tzinfo=UTC)
LOG = "Starting\nERROR VLT-{n}: vault store {n} sealed, no room for batch {n}\nExit Status : 4\n"


def store_failure(session, run_id: str, joblog: str) -> None:
    session.add(
        JobExecution(
            workstation="WS-PROD-01",
            job_stream="LEDGER",
            job_name="SEAL",
            run_id=run_id,
            status="ABEND",
            return_code=4,
            started_at=T0,
            joblog=joblog,
        )
    )
    session.flush()
    store_failure_analysis(
        session,
        {
            "run_id": run_id,
            "workstation": "WS-PROD-01",
            "job_stream": "LEDGER",
            "job_name": "SEAL",
            "failed_at": T0,
            "return_code": 4,
            "failure_class": "unknown",
            "confidence": 0.0,
            "method": "none",
            "explanation": "No decisive failure.",
            "evidence": [],
            "resource_state": {},
            "run_history": {},
            "similar_cases": [],
            "suggested_fix": "Record the resolution.",
            "joblog": joblog,
            "analyst": "deterministic",
            "analyst_note": None,
        },
    )


def test_resolved_failures_train_the_model_in_force_until_it_is_reverted(database_url) -> None:
    with session_scope() as session:
        for n in range(3):
            store_failure(session, f"run-{n}", LOG.format(n=n))
        add_failure_resolution(session, "run-0", "Unsealed the vault", "disk_full", "ops")
        add_failure_resolution(session, "run-1", "Unsealed it", "disk_full", "ops")
        # The latest resolution counts: run-2's names no class, so it teaches nothing.
        add_failure_resolution(session, "run-2", "Unsealed it", "disk_full", "ops")
        add_failure_resolution(session, "run-2", "It was the vault", None, "ops")
    with session_scope() as session:
        resolved = load_resolved_failures(session)
    assert [(joblog, cls) for joblog, cls, _ in resolved] == [
        (LOG.format(n=0), "disk_full"),
        (LOG.format(n=1), "disk_full"),
    ]
    assert failure_model_in_force() is catalogue_model()

    through = resolved[-1][2] + timedelta(seconds=1)
    with session_scope() as session:
        [change_id] = record_changes(
            session,
            [
                Proposal(
                    change_type="failure_text_model",
                    target="joblog",
                    parameters_before=None,
                    parameters_after={"through": through.isoformat(), "resolutions": 2},
                    metric="accuracy",
                    metric_before=0.0,
                    metric_after=1.0,
                    held_out_size=1,
                    applied=True,
                    reason="applied: held-out accuracy 0 → 1 on the newest 1 resolutions",
                    higher_is_better=True,
                )
            ],
            None,
        )
    assert failure_model_in_force().resolutions == 2

    with session_scope() as session:
        revert_change(session, change_id)
    assert failure_model_in_force() is catalogue_model()
