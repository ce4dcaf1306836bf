"""Reviewers' verdicts on alerts: one code path for the API and `resync learning review-alert`.

A verdict is `confirmed` (a real problem) or `false_alarm`. Recording a verdict on an alert
that has one replaces it (a reviewer correcting themselves), so sending the same verdict twice
leaves the same review. Auto-learning tunes the rules reviewers keep marking as false alarms.
"""

from typing import Any

import polars as pl
from sqlalchemy import Connection, Select, select
from sqlalchemy.orm import Session

from resync.db.frames import UTC_TIME
from resync.db.models import Alert, AlertReview, utcnow

VERDICTS = ("confirmed", "false_alarm")


class AlertNotFound(ValueError):
    """No alert has the id a verdict was given for."""


def record_alert_review(
    session: Session, alert_id: int, verdict: str, comment: str | None, decided_by: str | None
) -> AlertReview:
    """Record (or replace) the verdict on one alert."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    if session.get(Alert, alert_id) is None:
        raise AlertNotFound(f"no alert with id {alert_id}")
    review = session.scalars(select(AlertReview).where(AlertReview.alert_id == alert_id)).first()
    review = review or AlertReview(alert_id=alert_id)
    review.verdict, review.comment, review.decided_by = verdict, comment, decided_by
    review.decided_at = utcnow()
    session.add(review)
    session.flush()
    return review


def alerts_with_reviews() -> Select:
    """Alerts with their review (None when not reviewed), newest first: filter it further."""
    return (
        select(Alert, AlertReview)
        .outerjoin(AlertReview, AlertReview.alert_id == Alert.id)
        .order_by(Alert.opened_at.desc(), Alert.id.desc())
    )


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
