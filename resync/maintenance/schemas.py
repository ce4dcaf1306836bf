"""Schemas of the maintenance findings API: a finding with its actions and their decisions."""

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from resync.maintenance.types import ArgumentValue, Kind


class ActionReviewPublic(BaseModel):
    """A proposed action, its review decision and, when it ran, its execution."""

    action_id: str
    command: str
    arguments: dict[str, ArgumentValue]
    description: str
    auto_approvable: bool
    review_status: Literal["pending", "approved", "rejected"]
    review_source: Literal["reviewer", "timeout_policy", "auto_approved"] | None
    decided_by: str | None
    decided_at: datetime | None
    executed_at: datetime | None
    dry_run: bool | None
    exit_code: int | None


class FindingPublic(BaseModel):
    """The latest prediction of one FTA × problem."""

    id: uuid.UUID
    run_id: uuid.UUID
    workstation: str
    kind: Kind
    resource: str
    predicted_failure_date: date | None
    confidence: float
    evidence_summary: str
    review_status: str
    created_at: datetime
    actions: list[ActionReviewPublic]


class FindingsPublic(BaseModel):
    data: list[FindingPublic]
    count: int
