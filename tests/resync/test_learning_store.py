"""Which past predictions are due for judgement, and outcomes stored once (both backends)."""

import uuid
from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import insert, select

from resync.database import get_engine, session_scope
from resync.learning import hourly_levels, judge_outcomes
from resync.learning_store import load_due_predictions, load_samples, store_outcomes
from resync.models import (
    CapacityForecast,
    CapacityForecastRun,
    MaintenanceActionExecution,
    MaintenanceFinding,
)
from tests.support.learning_history import (
    FILLING,
    STEADY,
    store_disk_histories,
    store_past_findings,
)


def execute(workstation: str, dry_run: bool) -> None:
    with session_scope() as session:
        finding = session.scalars(
            select(MaintenanceFinding).where(
                MaintenanceFinding.workstation == workstation,
                MaintenanceFinding.review_status == "pending",
            )
        ).one()
        session.add(
            MaintenanceActionExecution(
                run_id=finding.run_id,
                action_id=finding.actions[0]["action_id"],
                command="extend_filesystem",
                argv=["true"],
                dry_run=dry_run,
                started_at=datetime.now(UTC),
            )
        )


def test_due_findings_and_forecasts_judged_once(database_url: str) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    store_disk_histories(now, days=22)
    store_past_findings(now, runs=2)
    execute(FILLING[0], dry_run=False)
    execute(FILLING[1], dry_run=True)
    with get_engine().begin() as connection:
        run_id = uuid.uuid4()
        connection.execute(
            insert(CapacityForecastRun).values(id=run_id, history_days=30, horizon_days=90)
        )
        connection.execute(
            insert(CapacityForecast),
            [
                {
                    "run_id": run_id,
                    "workstation": name,
                    "resource": "disk",
                    "status": "forecast",
                    "threshold": 90.0,
                    "saturation_date": saturation,
                    "created_at": now - timedelta(days=20),
                }
                for name, saturation in (
                    (FILLING[2], now - timedelta(days=3)),
                    (STEADY[0], now - timedelta(days=3)),
                    (STEADY[1], now + timedelta(days=3)),
                )
            ],
        )

    with get_engine().connect() as connection:
        due = load_due_predictions(connection, now)
    maintenance = due.filter(source="maintenance")
    # Two runs × 12 FTAs, less the finding whose action really ran (the dry run still counts).
    assert maintenance.height == 23
    per_fta = maintenance["workstation"].value_counts(name="findings").rows()
    assert dict(per_fta)[FILLING[0]] == 1
    assert dict(per_fta)[FILLING[1]] == 2
    assert set(due.filter(source="capacity")["workstation"]) == {FILLING[2], STEADY[0]}
    assert set(due.filter(source="capacity")["resource"]) == {"disk_percent"}

    judged = []
    with get_engine().connect() as connection:
        for (name,), predictions in due.partition_by("workstation", as_dict=True).items():
            start, end = predictions["predicted_at"].min(), predictions["due_at"].max()
            samples = load_samples(connection, name, ["disk_percent"], start, end)
            judged.append(judge_outcomes(predictions, hourly_levels(samples, ["disk_percent"])))
    with session_scope() as session:
        assert store_outcomes(session, pl.concat(judged)) == 25
    with session_scope() as session:
        assert store_outcomes(session, pl.concat(judged)) == 0
    with get_engine().connect() as connection:
        assert load_due_predictions(connection, now).is_empty()
