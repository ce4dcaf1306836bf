"""Which past predictions are due for judgement, and outcomes stored once (both backends)."""

import uuid
from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import insert, select, update

from resync.db.engine import get_engine, session_scope
from resync.db.models import (
    CapacityForecast,
    CapacityForecastRun,
    MaintenanceActionExecution,
    MaintenanceFinding,
    MaintenanceReview,
)
from resync.learning.outcomes import hourly_levels, judge_outcomes
from resync.learning.store import (
    load_action_decisions,
    load_due_predictions,
    load_samples,
    store_outcomes,
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
                    "saturation_date_earliest": earliest,
                    "risk": risk,
                    "created_at": now - timedelta(days=20),
                }
                for name, saturation, earliest, risk in (
                    (FILLING[2], now - timedelta(days=3), now - timedelta(days=5), "likely"),
                    (STEADY[0], now - timedelta(days=3), None, "likely"),
                    (STEADY[1], now + timedelta(days=3), None, "likely"),
                    # Possible (no P50 date within the horizon): judged by its P10 date.
                    (FILLING[3], None, now - timedelta(days=4), "possible"),
                    (STEADY[2], None, now + timedelta(days=4), "possible"),
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
    capacity = due.filter(source="capacity")
    assert dict(capacity.select("workstation", "confidence").rows()) == {
        FILLING[2]: 0.5,
        STEADY[0]: 0.5,
        FILLING[3]: 0.1,
    }
    assert set(capacity["resource"]) == {"disk_percent"}
    assert set(capacity["kind"]) == {"disk_saturation"}
    due_dates = dict(capacity.select("workstation", "due_at").rows())
    assert due_dates[FILLING[3]] == now - timedelta(days=4)
    assert due_dates[FILLING[2]] == now - timedelta(days=3)

    judged = []
    with get_engine().connect() as connection:
        for (name,), predictions in due.partition_by("workstation", as_dict=True).items():
            start, end = predictions["predicted_at"].min(), predictions["due_at"].max()
            samples = load_samples(connection, name, ["disk_percent"], start, end)
            judged.append(judge_outcomes(predictions, hourly_levels(samples, ["disk_percent"])))
    with session_scope() as session:
        assert store_outcomes(session, pl.concat(judged)) == 26
    with session_scope() as session:
        assert store_outcomes(session, pl.concat(judged)) == 0
    with get_engine().connect() as connection:
        assert load_due_predictions(connection, now).is_empty()


def test_only_reviewers_decisions_on_proposed_actions_are_a_signal(database_url: str) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    store_past_findings(now, runs=1)
    with session_scope() as session:
        finding = session.scalars(select(MaintenanceFinding)).first()
        timed_out = MaintenanceReview.action_id == finding.actions[0]["action_id"]
        session.execute(update(MaintenanceReview).where(timed_out).values(source="timeout_policy"))
        session.add(
            MaintenanceReview(
                run_id=finding.run_id,
                action_id="clean_stdlist-not-proposed",
                decision="approved",
                source="reviewer",
            )
        )
    with get_engine().connect() as connection:
        decisions = load_action_decisions(connection)
    # Twelve FTAs' extend_filesystem reviewed, less the one the timeout policy rejected.
    assert decisions.height == 11
    assert set(decisions.select("kind", "command", "confidence").rows()) == {
        ("disk_filling", "extend_filesystem", 0.9)
    }
    rejected = decisions.filter(decision="rejected")
    assert set(rejected["comment"]) == {"steady for months |\nnot filling"}
