"""Reviewers' decisions on maintenance actions and past capacity forecasts, for auto-learning.

`store_learning_estate` stores them with everything of `tests.support.learning_history`.

`store_action_reviews`: ten weekly maintenance runs on `REVIEWED`, each proposing clean_stdlist
for a disk filling and resize_message_file for a message file filling (both auto-approvable,
confidence 0.9). Reviewers approve clean_stdlist one run in three and reject every message-file
resize. The findings' dates lie ahead, so no outcome is judged from them.
`store_capacity_forecasts`: four capacity runs, each forecasting disk saturation (expected,
nominal probability 0.5) on two FTAs of `FILLING` and every FTA of `STEADY`, due 2–5 days ago: one
in four came true.
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert

from resync.db.engine import get_engine
from resync.db.models import (
    CapacityForecast,
    CapacityForecastRun,
    MaintenanceFinding,
    MaintenanceReview,
)
from tests.support.learning_history import (
    FILLING,
    STEADY,
    insert_maintenance_run,
    store_disk_histories,
    store_past_findings,
    store_reviewed_alerts,
)

REVIEWED = "WS-REVIEWED"
STDLIST_COMMENT = "stdlist is archived by the backup job first; keep the logs"
MAILBOX_COMMENT = "Mailbox.msg fills during the plan run and empties itself"
ACTIONS = {"disk_filling": "clean_stdlist", "message_file_filling": "resize_message_file"}


def _action(kind: str) -> dict:
    command = ACTIONS[kind]
    return {
        "action_id": f"{command}-{REVIEWED}",
        "command": command,
        "arguments": {"workstation": REVIEWED},
        "description": command,
        "auto_approvable": True,
    }


def store_action_reviews(now: datetime, runs: int = 10) -> None:
    """Ten reviewed runs a week apart, oldest first (see the module docstring)."""
    with get_engine().begin() as connection:
        for run in range(runs):
            created = now - timedelta(weeks=runs - run)
            run_id = insert_maintenance_run(connection, created)
            for kind in ACTIONS:
                connection.execute(
                    insert(MaintenanceFinding).values(
                        id=uuid.uuid4(),
                        run_id=run_id,
                        workstation=REVIEWED,
                        kind=kind,
                        resource="disk_percent"
                        if kind == "disk_filling"
                        else "message_file:Mailbox.msg",
                        predicted_failure_date=(now + timedelta(days=60)).date(),
                        confidence=0.9,
                        evidence_summary=kind,
                        evidence={},
                        actions=[_action(kind)],
                        review_status="rejected",
                        created_at=created,
                    )
                )
            stdlist_approved = run % 3 == 0
            connection.execute(
                insert(MaintenanceReview),
                [
                    {
                        "run_id": run_id,
                        "action_id": _action("disk_filling")["action_id"],
                        "decision": "approved" if stdlist_approved else "rejected",
                        "decided_by": "operator",
                        "comment": None if stdlist_approved else STDLIST_COMMENT,
                        "decided_at": created + timedelta(hours=1),
                        "source": "reviewer",
                    },
                    {
                        "run_id": run_id,
                        "action_id": _action("message_file_filling")["action_id"],
                        "decision": "rejected",
                        "decided_by": "operator",
                        "comment": MAILBOX_COMMENT,
                        "decided_at": created + timedelta(hours=1),
                        "source": "reviewer",
                    },
                ],
            )


def store_capacity_forecasts(now: datetime, runs: int = 4) -> int:
    """Past disk-saturation forecasts (see the module docstring); returns how many."""
    count = 0
    with get_engine().begin() as connection:
        for run in range(runs):
            run_id = uuid.uuid4()
            created = now - timedelta(days=20 - run)
            connection.execute(
                insert(CapacityForecastRun).values(
                    id=run_id,
                    started_at=created,
                    finished_at=created,
                    history_days=30,
                    horizon_days=90,
                )
            )
            # Ids in order, filling FTAs first: the held-out newest outcomes are a fixed set.
            rows = [
                {
                    "id": uuid.UUID(int=(run << 64) | index),
                    "run_id": run_id,
                    "workstation": name,
                    "resource": "disk",
                    "status": "forecast",
                    "threshold": 90.0,
                    "saturation_date": now - timedelta(days=2 + run),
                    "risk": "likely",
                    "saturation_probability": 0.5,
                    "created_at": created,
                }
                for index, name in enumerate((*FILLING[:2], *STEADY))
            ]
            connection.execute(insert(CapacityForecast), rows)
            count += len(rows)
    return count


def store_learning_estate(now: datetime) -> None:
    """Everything auto-learning learns from: disk histories, past findings and their reviews,
    reviewed alerts, reviewed actions, past capacity forecasts."""
    store_disk_histories(now, days=22)
    store_past_findings(now)
    store_reviewed_alerts(now)
    store_action_reviews(now)
    store_capacity_forecasts(now)
