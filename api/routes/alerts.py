"""Alerts with their review state, and a reviewer's verdict on one (auto-learning's signal).

A verdict given again replaces the one before (a reviewer correcting themselves): sending the
same verdict twice is idempotent and answers 200 both times. Same code path as
`resync learning review-alert`.
"""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, Field, StringConstraints

from api.deps import MAX_OFFSET, SessionDep, WorkflowsReadKey, WorkflowsWriteKey
from api.routes.workstations import OpenAlertPublic
from resync.alerts.store import AlertNotFound, list_alerts, read_alert, record_alert_review
from resync.db.models import Alert, AlertReview
from resync.ingest.payload import FREE_TEXT_PATTERN, WORKSTATION_PATTERN

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])

Verdict = Literal["confirmed", "false_alarm"]
MAX_ID = 2**63 - 1


Comment = Annotated[str, StringConstraints(max_length=2000, pattern=FREE_TEXT_PATTERN)]


class AlertReviewCreate(BaseModel):
    verdict: Verdict = Field(description="confirmed: a real problem; false_alarm: it was not")
    comment: Comment | None = Field(default=None, description="Why, for the record")
    reviewer: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, min_length=1, max_length=120, pattern=FREE_TEXT_PATTERN
            ),
        ]
        | None
    ) = Field(default=None, description="Who decided (default: the API key's name)")


class AlertReviewPublic(BaseModel):
    verdict: Verdict
    comment: str | None
    decided_by: str | None
    decided_at: datetime


class AlertPublic(OpenAlertPublic):
    workstation: str
    resolved_at: datetime | None
    review: AlertReviewPublic | None


class AlertsPublic(BaseModel):
    data: list[AlertPublic]
    count: int


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
