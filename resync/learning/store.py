"""Persistence of auto-learning: due predictions, outcomes, reviews and the learned changes.

The parameters in force are read by `resync.learning.parameters`; reverting a change brings back
the one before it for its target (or the settings' defaults).
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from resync.db.engine import conflict_insert
from resync.db.frames import UTC_TIME
from resync.db.models import (
    CapacityForecast,
    LearnedChange,
    LearningOutcome,
    MaintenanceActionExecution,
    MaintenanceFinding,
    MaintenanceReview,
    WorkstationMetrics,
    utcnow,
)
from resync.ingest.window import SAMPLES_SCHEMA
from resync.learning.capacity import NOMINAL_PROBABILITY, outcome_kind
from resync.learning.changes import Proposal

PREDICTION_SCHEMA: dict[str, Any] = {
    "source": pl.String,
    "subject_id": pl.String,
    "workstation": pl.String,
    "kind": pl.String,
    "resource": pl.String,
    "predicted_at": UTC_TIME,
    "due_at": UTC_TIME,
    "confidence": pl.Float64,
    "threshold": pl.Float64,
}
CAPACITY_COLUMNS = {"cpu": "cpu_percent", "memory": "memory_percent", "disk": "disk_percent"}
DECISION_SCHEMA: dict[str, Any] = {
    "kind": pl.String,
    "command": pl.String,
    "confidence": pl.Float64,
    "decision": pl.String,
    "comment": pl.String,
    "decided_at": UTC_TIME,
}

EFFECT_SCHEMA: dict[str, Any] = {
    "kind": pl.String,
    "command": pl.String,
    "effect": pl.String,
    "observed_at": UTC_TIME,
}


def _judged(source: str) -> Any:
    return select(LearningOutcome.subject_id).where(LearningOutcome.source == source)


def load_due_predictions(connection: Connection, now: datetime) -> pl.DataFrame:
    """Findings and capacity forecasts whose date has passed and that were not judged yet.

    A capacity forecast is judged by the date of its risk level with the nominal probability
    of a crossing by then: its P50 date when likely, its P10 date when possible.

    A finding one of whose actions really ran (not a dry run) is left out: the failure it
    predicted may have been prevented, so its outcome says nothing about the prediction.
    """
    rows = []
    findings = connection.execute(
        select(MaintenanceFinding).where(
            MaintenanceFinding.predicted_failure_date < now.date(),
            MaintenanceFinding.id.not_in(_judged("maintenance")),
        )
    )
    executed = set(
        connection.execute(
            select(MaintenanceActionExecution.run_id, MaintenanceActionExecution.action_id).where(
                MaintenanceActionExecution.dry_run.is_(False)
            )
        ).all()
    )
    for finding in findings:
        acted_on = any((finding.run_id, a["action_id"]) in executed for a in finding.actions)
        if finding.resource in SAMPLES_SCHEMA and "threshold" in finding.evidence and not acted_on:
            day = datetime.combine(finding.predicted_failure_date, datetime.min.time(), UTC)
            rows.append(
                {
                    "source": "maintenance",
                    "subject_id": str(finding.id),
                    "workstation": finding.workstation,
                    "kind": finding.kind,
                    "resource": finding.resource,
                    "predicted_at": finding.created_at,
                    "due_at": day + timedelta(days=1),
                    "confidence": finding.evidence.get("raw_confidence", finding.confidence),
                    "threshold": finding.evidence["threshold"],
                }
            )
    forecasts = connection.execute(
        select(CapacityForecast).where(
            (CapacityForecast.saturation_date <= now)
            | (
                CapacityForecast.saturation_date.is_(None)
                & (CapacityForecast.saturation_date_earliest <= now)
            ),
            CapacityForecast.resource.in_(CAPACITY_COLUMNS),
            CapacityForecast.id.not_in(_judged("capacity")),
        )
    )
    for forecast in forecasts:
        rows.append(
            {
                "source": "capacity",
                "subject_id": str(forecast.id),
                "workstation": forecast.workstation,
                "kind": outcome_kind(forecast.resource),
                "resource": CAPACITY_COLUMNS[forecast.resource],
                "predicted_at": forecast.created_at,
                "due_at": forecast.saturation_date or forecast.saturation_date_earliest,
                "confidence": NOMINAL_PROBABILITY[forecast.risk],
                "threshold": forecast.threshold,
            }
        )
    return pl.DataFrame(rows, schema=PREDICTION_SCHEMA)


def load_samples(
    connection: Connection, workstation: str, columns: list[str], start: datetime, end: datetime
) -> pl.DataFrame:
    """One FTA's samples of `columns` (metric columns) in [start, end], oldest first."""
    names = ["workstation", "sample_time", *columns]
    rows = connection.execute(
        select(*(getattr(WorkstationMetrics, name) for name in names))
        .where(
            WorkstationMetrics.workstation == workstation,
            WorkstationMetrics.sample_time >= start,
            WorkstationMetrics.sample_time <= end,
        )
        .order_by(WorkstationMetrics.sample_time)
    ).all()
    schema = {name: SAMPLES_SCHEMA[name] for name in names}
    return pl.DataFrame([tuple(row) for row in rows], schema=schema, orient="row")


def store_outcomes(session: Session, judged: pl.DataFrame) -> int:
    """Store each judged prediction once; returns how many rows were new."""
    if judged.is_empty():
        return 0
    judged_at = utcnow()
    records = [
        {**record, "subject_id": uuid.UUID(record["subject_id"]), "judged_at": judged_at}
        for record in judged.select(*PREDICTION_SCHEMA, "observed_peak", "happened").to_dicts()
    ]
    statement = conflict_insert(
        session.get_bind().dialect.name, LearningOutcome
    ).on_conflict_do_nothing(index_elements=["source", "subject_id"])
    return len(session.execute(statement.returning(LearningOutcome.id), records).all())


def load_outcomes(connection: Connection, source: str) -> pl.DataFrame:
    """Every stored outcome of `source` (`subject_id`, `kind`, `due_at`, `confidence`, …)."""
    rows = connection.execute(
        select(
            LearningOutcome.subject_id,
            LearningOutcome.kind,
            LearningOutcome.due_at,
            LearningOutcome.confidence,
            LearningOutcome.happened,
        ).where(LearningOutcome.source == source)
    ).all()
    schema = {
        "subject_id": pl.String,
        "kind": pl.String,
        "due_at": UTC_TIME,
        "confidence": pl.Float64,
        "happened": pl.Boolean,
    }
    return pl.DataFrame([(str(r[0]), *r[1:]) for r in rows], schema=schema, orient="row")


def load_action_decisions(connection: Connection) -> pl.DataFrame:
    """Reviewers' decisions on proposed maintenance actions (timeouts, auto-approvals and a
    reviewer's "cannot decide" are no signal): `kind`, `command`, `confidence` (the finding's),
    `decision`, `comment`, `decided_at`."""
    rows = connection.execute(
        select(
            MaintenanceFinding.kind,
            MaintenanceFinding.confidence,
            MaintenanceFinding.actions,
            MaintenanceReview.action_id,
            MaintenanceReview.decision,
            MaintenanceReview.comment,
            MaintenanceReview.decided_at,
        )
        .join(MaintenanceReview, MaintenanceReview.run_id == MaintenanceFinding.run_id)
        .where(MaintenanceReview.source == "reviewer", MaintenanceReview.decision != "deferred")
    ).all()
    records = []
    for kind, confidence, actions, action_id, decision, comment, decided_at in rows:
        commands = {action["action_id"]: action["command"] for action in actions}
        if action_id in commands:
            records.append((kind, commands[action_id], confidence, decision, comment, decided_at))
    return pl.DataFrame(records, schema=DECISION_SCHEMA, orient="row")


def load_action_effects(connection: Connection) -> pl.DataFrame:
    """What the maintenance actions that ran did, seen in their FTAs' next samples: `kind`,
    `command`, `effect` (helped or no_effect), `observed_at`."""
    rows = connection.execute(
        select(
            MaintenanceFinding.kind,
            MaintenanceFinding.actions,
            MaintenanceActionExecution.action_id,
            MaintenanceActionExecution.command,
            MaintenanceActionExecution.effect,
            MaintenanceActionExecution.effect_observed_at,
        )
        .join(
            MaintenanceActionExecution,
            MaintenanceActionExecution.run_id == MaintenanceFinding.run_id,
        )
        .where(MaintenanceActionExecution.effect.is_not(None))
    ).all()
    records = [
        (kind, command, effect, observed_at)
        for kind, actions, action_id, command, effect, observed_at in rows
        if any(action["action_id"] == action_id for action in actions)
    ]
    return pl.DataFrame(records, schema=EFFECT_SCHEMA, orient="row")


def record_changes(
    session: Session, proposals: list[Proposal], flow_run_id: Any | None
) -> list[int]:
    """Store every proposal as a versioned change (applied or not); returns their ids."""
    rows = [
        LearnedChange(
            flow_run_id=flow_run_id,
            change_type=p.change_type,
            target=p.target,
            parameters_before=p.parameters_before,
            parameters_after=p.parameters_after,
            metric=p.metric,
            higher_is_better=p.higher_is_better,
            metric_before=p.metric_before,
            metric_after=p.metric_after,
            held_out_size=p.held_out_size,
            applied=p.applied,
            reason=p.reason,
        )
        for p in proposals
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def list_changes(session: Session, limit: int) -> list[LearnedChange]:
    """The newest learned changes first."""
    query = select(LearnedChange).order_by(LearnedChange.id.desc()).limit(limit)
    return list(session.scalars(query))


def revert_change(session: Session, change_id: int) -> LearnedChange:
    """Take an applied change out of force (its target falls back to the change before it)."""
    change = session.get(LearnedChange, change_id)
    if change is None:
        raise ValueError(f"no learned change with id {change_id} (see 'resync learning list')")
    if not change.applied:
        raise ValueError(f"learned change {change_id} was never applied: {change.reason}")
    if change.reverted_at is not None:
        raise ValueError(f"learned change {change_id} was already reverted at {change.reverted_at}")
    change.reverted_at = utcnow()
    return change
