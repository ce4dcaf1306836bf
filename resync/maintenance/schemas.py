"""Schemas of the maintenance findings API: a finding with its actions and their decisions."""

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from resync.maintenance.types import ArgumentValue, Decision, DecisionSource, Kind


class ActionReviewPublic(BaseModel):
    """A proposed action, its review decision and, when it ran, its execution."""

    action_id: str
    command: str
    arguments: dict[str, ArgumentValue]
    description: str
    auto_approvable: bool
    review_status: Literal["pending"] | Decision = Field(
        description="pending, approved, rejected or deferred (the reviewer could not decide: "
        "not run, asked again by the next run)"
    )
    review_source: DecisionSource | None
    decided_by: str | None = Field(description="The reviewer's name; none for a policy")
    comment: str | None = Field(description="The reviewer's comment")
    submitted_at: datetime | None = Field(
        description="When the reviewer submitted the form in the Prefect UI"
    )
    flow_run_id: uuid.UUID | None = Field(
        description="The Prefect flow run whose review form received the answer (or whose "
        "review timed out)"
    )
    decided_at: datetime | None = Field(description="When the run recorded the decision")
    executed_at: datetime | None = Field(description="When the action's job ended")
    dry_run: bool | None
    job_name: str | None = Field(description="The ad hoc job it ran as, on its FTA")
    job_id: str | None = Field(description="The master's id of that job")
    job_status: str | None = Field(
        description="The job's last status (SUCC, ABEND, …), or dry_run, refused (by the "
        "master, or no master configured), unavailable (the master did not answer), timed_out "
        "or lost (an earlier attempt's job left the plan: not submitted again)"
    )
    exit_code: int | None = Field(description="The job's return code")
    joblog: str | None = Field(
        description="Route of the job's joblog, redacted and capped (or why it did not run)"
    )
    effect: Literal["helped", "no_effect"] | None = Field(
        description="What the FTA's next samples showed after the job ended"
    )
    effect_metric: str | None
    effect_before: float | None
    effect_after: float | None
    effect_observed_at: datetime | None


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
    outcome: Literal["resolved", "action_failed"] | None = Field(
        description="resolved: an action ran and helped; action_failed: every action that ran "
        "failed or did not help (the finding stays open, the reviewer is notified)"
    )
    created_at: datetime
    actions: list[ActionReviewPublic]


class FindingsPublic(BaseModel):
    data: list[FindingPublic]
    count: int
