"""Alerts with their review state, and a reviewer's verdict on one (auto-learning's signal).

A verdict given again replaces the one before (a reviewer correcting themselves): sending the
same verdict twice is idempotent and answers 200 both times. Same code path as
`resync learning review-alert`.
"""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status

from api.deps import MAX_ID, MAX_OFFSET, SessionDep, WorkflowsReadKey, WorkflowsWriteKey
from resync.alerts.schemas import (
    AlertPublic,
    AlertReviewCreate,
    AlertReviewPublic,
    AlertsPublic,
    Verdict,
)
from resync.alerts.store import AlertNotFound, list_alerts, read_alert, record_alert_review
from resync.db.models import Alert, AlertReview
from resync.ingest.payload import WORKSTATION_PATTERN

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


def _public(alert: Alert, review: AlertReview | None) -> AlertPublic:
    return AlertPublic.model_validate(
        {
            **{name: getattr(alert, name) for name in AlertPublic.model_fields if name != "review"},
            "review": None
            if review is None
            else AlertReviewPublic.model_validate(review, from_attributes=True),
        }
    )


@router.get("")
def read_alerts(
    session: SessionDep,
    _key: WorkflowsReadKey,
    workstation: Annotated[str | None, Query(pattern=WORKSTATION_PATTERN)] = None,
    rule: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z][a-z0-9_]*$")] = None,
    open: Annotated[bool | None, Query(description="true: not resolved yet")] = None,
    reviewed: Annotated[bool | None, Query(description="true: a verdict was given")] = None,
    verdict: Verdict | None = None,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> AlertsPublic:
    """Alerts, newest first, each with its reviewer's verdict (null when not reviewed)."""
    rows, count = list_alerts(
        session,
        workstation=workstation and workstation.upper(),
        rule=rule,
        open=open,
        reviewed=reviewed,
        verdict=verdict,
        limit=limit,
        offset=offset,
    )
    return AlertsPublic(data=[_public(alert, review) for alert, review in rows], count=count)


@router.post("/{alert_id}/review")
def review_alert(
    alert_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: AlertReviewCreate,
    session: SessionDep,
    key: WorkflowsWriteKey,
) -> AlertPublic:
    """Record whether an alert was a real problem; a second verdict replaces the first."""
    try:
        review = record_alert_review(
            session, alert_id, body.verdict, body.comment, body.reviewer or key.name
        )
    except AlertNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No alert with id {alert_id}") from None
    session.commit()
    return _public(read_alert(session, alert_id), review)
