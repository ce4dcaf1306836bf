"""Auto-learning reads the effects of the maintenance actions that ran from the database."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from resync.db.engine import get_engine
from resync.db.models import MaintenanceActionExecution, MaintenanceFinding
from resync.learning.store import load_action_effects
from tasks.learning_feedback import learn_action_policies
from tests.support.learning_history import insert_maintenance_run

NOW = datetime.now(UTC).replace(microsecond=0)


def store_runs_of_clean_stdlist(effects: str) -> None:
    """One run a week per character, each cleaning the stdlist of FTA001: "h" helped, "n" no
    effect, "-" a dry run (no effect seen)."""
    action = {
        "action_id": "clean_stdlist-FTA001",
        "command": "clean_stdlist",
        "arguments": {"workstation": "FTA001", "older_than_days": 10},
        "description": "clean",
        "auto_approvable": True,
    }
    with get_engine().begin() as connection:
        for week, effect in enumerate(effects):
            created = NOW - timedelta(weeks=len(effects) - week)
            run_id = insert_maintenance_run(connection, created)
            connection.execute(
                insert(MaintenanceFinding).values(
                    id=uuid.uuid4(),
                    run_id=run_id,
                    workstation="FTA001",
                    kind="disk_filling",
                    resource="disk_percent",
                    predicted_failure_date=None,
                    confidence=0.9,
                    evidence_summary="disk",
                    evidence={},
                    actions=[action],
                    review_status="auto_approved",
                    created_at=created,
                )
            )
            connection.execute(
                insert(MaintenanceActionExecution).values(
                    run_id=run_id,
                    action_id=action["action_id"],
                    command="clean_stdlist",
                    argv=["rmstdlist", "10"],
                    dry_run=effect == "-",
                    approved_by="auto_approved",
                    started_at=created,
                    finished_at=created + timedelta(minutes=1),
                    job_status="dry_run" if effect == "-" else "SUCC",
                    effect={"h": "helped", "n": "no_effect"}.get(effect),
                    effect_metric=None if effect == "-" else "disk_percent",
                    effect_before=None if effect == "-" else 84.0,
                    effect_after={"h": 60.0, "n": 84.1}.get(effect),
                    effect_observed_at=created + timedelta(minutes=6),
                )
            )


@pytest.mark.usefixtures("outside_runs")
def test_an_auto_approved_action_that_does_not_help_is_flagged(database_url: str) -> None:
    store_runs_of_clean_stdlist("-nhn-n")
    with get_engine().connect() as connection:
        effects = load_action_effects(connection)
    assert effects.sort("observed_at").select("kind", "command", "effect").rows() == [
        ("disk_filling", "clean_stdlist", effect)
        for effect in ("no_effect", "helped", "no_effect", "no_effect")
    ]

    learned = learn_action_policies.fn()

    [flag] = learned["proposals"]
    assert (flag["target"], flag["applied"]) == ("disk_filling/clean_stdlist", True)
    assert flag["parameters_after"] == {"policy": "review", "effects": {"ran": 4, "helped": 1}}
