"""Past predictions with known outcomes, reviewed alerts and their history, for auto-learning.

`store_past_findings`: maintenance runs a day apart, each with a disk_filling finding on every
FTA due 2–5 days ago, every one claiming 0.9 confidence; the disks of `FILLING` reached 90 %
about fifteen days ago, those of `STEADY` stayed at half. The first run's actions were
reviewed: approved on FILLING, rejected (with a comment) on STEADY.
`store_reviewed_alerts`: an FTA whose CPU spikes for four samples (reviewers: false alarm) and
is saturated for an hour now and then (confirmed)."""

import uuid
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl
from sqlalchemy import Connection, insert

from resync.db.engine import get_engine
from resync.db.models import (
    Alert,
    AlertReview,
    MaintenanceFinding,
    MaintenanceReview,
    MaintenanceRun,
)
from tests.support.capacity_data import history_frame, store_history

FILLING = tuple(f"WS-FULL-{n:02d}" for n in range(6))
STEADY = tuple(f"WS-OK-{n:02d}" for n in range(6))
SPIKY = "WS-SPIKY"
SPIKE_SAMPLES, SATURATED_SAMPLES = 4, 12


def store_disk_histories(now: datetime, days: int = 25) -> None:
    """Disks of FILLING grow from 70 % by 2 points a day (90 % ten days ago); STEADY stay at 50."""
    for seed, name in enumerate(FILLING + STEADY):
        filling = name in FILLING
        frame = history_frame(
            name,
            days,
            now,
            disk_start=70.0 if filling else 50.0,
            disk_per_day=2.0 if filling else 0.0,
            seed=seed,
        )
        store_history(frame)


def insert_maintenance_run(connection: Connection, created: datetime) -> uuid.UUID:
    """A finished maintenance run that found what it found at `created`; its id."""
    run_id = uuid.uuid4()
    connection.execute(
        insert(MaintenanceRun).values(
            id=run_id,
            thread_id=f"maintenance-{run_id}",
            status="finished",
            started_at=created,
            findings_at=created,
            insight="",
            analyst="deterministic",
        )
    )
    return run_id


def store_past_findings(now: datetime, runs: int = 4, confidence: float = 0.9) -> int:
    """`runs` maintenance runs, each with a finding per FTA due 2 + run days ago."""
    count = 0
    with get_engine().begin() as connection:
        for run in range(runs):
            created = now - timedelta(days=20 - run)
            run_id = insert_maintenance_run(connection, created)
            due: date = (now - timedelta(days=2 + run)).date()
            rows = [
                {
                    "id": uuid.uuid4(),
                    "run_id": run_id,
                    "workstation": name,
                    "kind": "disk_filling",
                    "resource": "disk_percent",
                    "predicted_failure_date": due,
                    "confidence": confidence,
                    "evidence_summary": "disk grows",
                    "evidence": {"threshold": 90.0},
                    "actions": [_action(name)] if run == 0 else [],
                    "review_status": "pending" if run == 0 else "no_actions",
                    "created_at": created,
                }
                for name in FILLING + STEADY
            ]
            connection.execute(insert(MaintenanceFinding), rows)
            count += len(rows)
            if run == 0:
                connection.execute(insert(MaintenanceReview), _reviews(run_id, created))
    return count


def _action(workstation: str) -> dict:
    return {
        "action_id": f"extend_filesystem-{workstation}",
        "command": "extend_filesystem",
        "arguments": {"workstation": workstation},
        "description": "extend the TWS filesystem",
        "auto_approvable": False,
    }


def _reviews(run_id: uuid.UUID, created: datetime) -> list[dict]:
    """The first run's review: the filling FTAs' actions approved, the steady ones rejected."""
    return [
        {
            "run_id": run_id,
            "action_id": f"extend_filesystem-{name}",
            "decision": "approved" if name in FILLING else "rejected",
            "decided_by": "operator",
            "comment": None if name in FILLING else "steady for months |\nnot filling",
            "decided_at": created + timedelta(hours=1),
            "source": "reviewer",
        }
        for name in FILLING + STEADY
    ]


def store_reviewed_alerts(now: datetime, episodes: int = 10) -> list[str]:
    """Ten CPU episodes on SPIKY, two days of 5-minute samples; returns the verdicts in order."""
    count = 2 * 24 * 12
    start = now - timedelta(minutes=5 * count)
    times = [start + timedelta(minutes=5 * i) for i in range(count)]
    cpu = np.full(count, 40.0)
    alerts, verdicts = [], []
    for episode in range(episodes):
        first = 40 + episode * 50
        confirmed = episode % 3 == 2
        length = SATURATED_SAMPLES if confirmed else SPIKE_SAMPLES
        cpu[first : first + length] = 98.0
        alerts.append((times[first + 2], times[first + length - 1]))
        verdicts.append("confirmed" if confirmed else "false_alarm")
    frame = history_frame(SPIKY, count / 288, now).with_columns(
        sample_time=pl.Series(times), cpu_percent=pl.Series(cpu)
    )
    store_history(frame)
    with get_engine().begin() as connection:
        for (opened, last_seen), verdict in zip(alerts, verdicts, strict=True):
            alert_id = connection.execute(
                insert(Alert)
                .values(
                    workstation=SPIKY,
                    rule="cpu_saturation",
                    severity="critical",
                    message="CPU above 95 %",
                    value=98.0,
                    opened_at=opened,
                    last_seen_at=last_seen,
                    resolved_at=last_seen + timedelta(minutes=5),
                )
                .returning(Alert.id)
            ).scalar_one()
            connection.execute(
                insert(AlertReview).values(
                    alert_id=alert_id,
                    verdict=verdict,
                    comment="a batch start spike, not saturation"
                    if verdict != "confirmed"
                    else None,
                    decided_by="operator",
                    decided_at=last_seen + timedelta(hours=1),
                )
            )
    return verdicts
