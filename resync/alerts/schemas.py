"""Schemas of the alerts API: an alert, a reviewer's verdict on it, and the estate's open alerts."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from resync.ingest.payload import FREE_TEXT_PATTERN

Verdict = Literal["confirmed", "false_alarm"]
Comment = Annotated[str, StringConstraints(max_length=2000, pattern=FREE_TEXT_PATTERN)]


class OpenAlertPublic(BaseModel):
    id: int
    rule: str
    severity: str
    message: str
    value: float | None
    opened_at: datetime
    last_seen_at: datetime


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
