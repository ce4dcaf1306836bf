"""Persistence of alerts: the samples the rules read, the alerts kept in step, reviewers' verdicts.

One alert per FTA × rule is open at a time (`uq_alerts_open`): evaluating the rules again
refreshes it rather than opening another. A verdict is `confirmed` (a real problem) or
`false_alarm`; recording one on an alert that has one replaces it (a reviewer correcting
themselves), so sending the same verdict twice leaves the same review. The API and
`resync learning review-alert` share that code path; auto-learning tunes the rules reviewers keep
marking as false alarms.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, get_args

import polars as pl
from sqlalchemy import Connection, Select, func, select
from sqlalchemy.orm import Session

from resync.alerts.rules import SILENT_RULE, WORKFLOW_ERROR_RULES, FiringAlert
from resync.alerts.schemas import Verdict
from resync.db.frames import UTC_TIME
from resync.db.models import Alert, AlertReview, Workstation, WorkstationMetrics, utcnow

VERDICTS: tuple[str, ...] = get_args(Verdict)


class AlertNotFound(ValueError):
    """No alert has the id a verdict was given for."""


@dataclass(frozen=True)
class AlertChanges:
    """What bringing `alerts` in step with the firing rules did."""

    opened_ids: list[int]
    resolved: int
    open: int


def load_recent_samples(
    connection: Connection, since: datetime, columns: Iterable[str]
) -> pl.DataFrame:
    """Every FTA's samples since `since`: `workstation`, `sample_time` and `columns`."""
    names = ["workstation", "sample_time", *columns]
    rows = connection.execute(
        select(*(getattr(WorkstationMetrics, name) for name in names)).where(
            WorkstationMetrics.sample_time >= since
        )
    ).all()
    return pl.DataFrame([tuple(row) for row in rows], schema=names, orient="row")


def last_sample_times(connection: Connection) -> dict[str, datetime]:
    """When each FTA that has reported sent its last sample."""
    return dict(connection.execute(select(Workstation.name, Workstation.last_sample_at)).all())


def update_alerts(
    session: Session, firing: list[FiringAlert], evaluated: set[str], now: datetime
) -> AlertChanges:
    """Open an alert for each rule now firing, refresh the open ones still firing, and resolve
    the others: a silence alert always, a rule's only on an FTA whose samples were evaluated."""
    firing_by_key = {(alert.workstation, alert.rule): alert for alert in firing}
    open_keys, resolved = set(), 0
    open_alerts = select(Alert).where(
        Alert.resolved_at.is_(None), Alert.rule.not_in(list(WORKFLOW_ERROR_RULES.values()))
    )
    for alert in session.scalars(open_alerts).all():
        key = (alert.workstation, alert.rule)
        open_keys.add(key)
        still = firing_by_key.get(key)
        if still is not None:
            alert.last_seen_at, alert.value, alert.message = now, still.value, still.message
        elif alert.rule == SILENT_RULE or alert.workstation in evaluated:
            alert.resolved_at = now
            resolved += 1
    opened = [
        Alert(
            workstation=alert.workstation,
            rule=alert.rule,
            severity=alert.severity,
            message=alert.message,
            value=alert.value,
            opened_at=now,
            last_seen_at=now,
        )
        for key, alert in firing_by_key.items()
        if key not in open_keys
    ]
    session.add_all(opened)
    session.flush()
    return AlertChanges(
        opened_ids=[alert.id for alert in opened],
        resolved=resolved,
        open=len(open_keys) - resolved + len(opened),
    )


def record_workflow_errors(
    session: Session,
    workflow: str,
    errors: dict[str, str],
    processed: set[str] | None,
    now: datetime,
) -> list[int]:
    """Open (or refresh) an alert for each FTA the workflow's run failed on, with the error, and
    resolve that workflow's alerts on the FTAs it processed (None: every FTA); the ids of the
    alerts opened.

    An alert belongs to an FTA that has reported samples: one known only from its job runs gets
    none (the run's log and artifact still name it).
    """
    rule = WORKFLOW_ERROR_RULES[workflow]
    known = set(session.scalars(select(Workstation.name).where(Workstation.name.in_(errors))))
    current = {
        alert.workstation: alert
        for alert in session.scalars(
            select(Alert).where(Alert.rule == rule, Alert.resolved_at.is_(None))
        )
    }
    for workstation, alert in current.items():
        if workstation not in errors and (processed is None or workstation in processed):
            alert.resolved_at = now
    opened = []
    for workstation, error in sorted(errors.items()):
        if workstation not in known:
            continue
        message = f"{workflow.replace('_', ' ')} failed on this FTA, the others were processed: "
        message += error
        alert = current.get(workstation)
        if alert is None:
            alert = Alert(workstation=workstation, rule=rule, severity="warning", opened_at=now)
            session.add(alert)
            opened.append(alert)
        alert.message, alert.last_seen_at = message[:2000], now
    session.flush()
    return [alert.id for alert in opened]


def unnotified_alerts(session: Session, alert_ids: list[int]) -> list[Alert]:
    """The alerts of `alert_ids` no notification was sent for yet."""
    query = select(Alert).where(Alert.id.in_(alert_ids), Alert.notified_at.is_(None))
    return list(session.scalars(query))


def mark_notified(alerts: list[Alert], at: datetime) -> None:
    """Record that a notification was sent for `alerts` (written when their session commits)."""
    for alert in alerts:
        alert.notified_at = at


def _open_alerts() -> Select[tuple[Alert]]:
    return select(Alert).where(Alert.resolved_at.is_(None))


def open_alerts_by_severity(session: Session) -> list[Alert]:
    """Every alert not resolved yet, by severity, then FTA."""
    return list(session.scalars(_open_alerts().order_by(Alert.severity, Alert.workstation)))


def open_alerts_by_workstation(session: Session) -> dict[str, list[Alert]]:
    """The alerts not yet resolved, oldest first, by workstation."""
    alerts: dict[str, list[Alert]] = {}
    for alert in session.scalars(_open_alerts().order_by(Alert.opened_at)):
        alerts.setdefault(alert.workstation, []).append(alert)
    return alerts


def read_alert(session: Session, alert_id: int) -> Alert | None:
    """One alert by id."""
    return session.get(Alert, alert_id)


def record_alert_review(
    session: Session, alert_id: int, verdict: str, comment: str | None, decided_by: str | None
) -> AlertReview:
    """Record (or replace) the verdict on one alert."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    if read_alert(session, alert_id) is None:
        raise AlertNotFound(f"no alert with id {alert_id}")
    review = session.scalars(select(AlertReview).where(AlertReview.alert_id == alert_id)).first()
    review = review or AlertReview(alert_id=alert_id)
    review.verdict, review.comment, review.decided_by = verdict, comment, decided_by
    review.decided_at = utcnow()
    session.add(review)
    session.flush()
    return review


def list_alerts(
    session: Session,
    *,
    workstation: str | None = None,
    rule: str | None = None,
    open: bool | None = None,
    reviewed: bool | None = None,
    verdict: Verdict | None = None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Alert, AlertReview | None]], int]:
    """One page of alerts, newest first, each with its review (None when not reviewed), and how
    many alerts match in all."""
    query = (
        select(Alert, AlertReview)
        .outerjoin(AlertReview, AlertReview.alert_id == Alert.id)
        .order_by(Alert.opened_at.desc(), Alert.id.desc())
    )
    if workstation is not None:
        query = query.where(Alert.workstation == workstation)
    if rule is not None:
        query = query.where(Alert.rule == rule)
    if open is not None:
        query = query.where(Alert.resolved_at.is_(None) if open else Alert.resolved_at.is_not(None))
    if reviewed is not None:
        query = query.where(AlertReview.id.is_not(None) if reviewed else AlertReview.id.is_(None))
    if verdict is not None:
        query = query.where(AlertReview.verdict == verdict)
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.limit(limit).offset(offset)).all()
    return [(alert, review) for alert, review in rows], count or 0


def load_alert_reviews(connection: Connection) -> pl.DataFrame:
    """Reviewed alerts: `workstation`, `rule`, `opened_at`, `last_seen_at`, `verdict`, `comment`."""
    rows = connection.execute(
        select(
            Alert.workstation,
            Alert.rule,
            Alert.opened_at,
            Alert.last_seen_at,
            AlertReview.verdict,
            AlertReview.comment,
        ).join(AlertReview, AlertReview.alert_id == Alert.id)
    ).all()
    schema: dict[str, Any] = {
        "workstation": pl.String,
        "rule": pl.String,
        "opened_at": UTC_TIME,
        "last_seen_at": UTC_TIME,
        "verdict": pl.String,
        "comment": pl.String,
    }
    return pl.DataFrame([tuple(row) for row in rows], schema=schema, orient="row")
