"""The records maintenance analytics pass along: degradation → correlation → prediction → finding.

Plain pydantic models, so a LangGraph state holding them checkpoints as JSON and an API can
return them as they are; only `Crossing`, which never leaves `predict`, is a plain dataclass.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Kind = Literal[
    "disk_filling",
    "memory_leak",
    "degrading_link",
    "message_file_filling",
    "job_slowdown",
    "job_failures",
]
Strength = Literal["none", "weak", "moderate", "strong"]
Decision = Literal["approved", "rejected", "deferred"]
DecisionSource = Literal["reviewer", "timeout_policy", "auto_approved"]
ArgumentValue = str | int | float


class TimeWindow(BaseModel):
    """The span of history a statistic was computed on (UTC)."""

    start: datetime
    end: datetime


class Degradation(BaseModel):
    """One thing getting worse on one FTA, with the statistic that shows it.

    `resource` names the series: a metric column (`disk_percent`, `memory_percent`,
    `packet_loss_percent`, `latency_avg_ms`, `stdlist_mb`), `message_file:<file>` or
    `job:<stream>.<job>`. `detail` holds the figures behind the statistic (slopes per day, R²,
    baseline and recent medians, counts, p-values).
    """

    workstation: str
    kind: Kind
    resource: str
    statistic: str
    value: float
    window: TimeWindow
    detail: dict[str, Any] = Field(default_factory=dict)


class JobTest(BaseModel):
    """One job's test for a slowdown or a rising failure rate, before the estate's adjustment:
    its one-sided p-value, and the degradation it shows when its effect is large enough (its
    `detail` without `p_value_adjusted`, which takes every job tested for the kind)."""

    kind: Literal["job_slowdown", "job_failures"]
    p_value: float
    degradation: Degradation | None = None


class Correlation(BaseModel):
    """How a job's slowdown moves with a resource on the same FTA, over aligned time windows."""

    workstation: str
    job: str
    job_statistic: Literal["median_duration", "failure_rate"]
    resource: str
    statistic: Literal["spearman", "kendall"]
    value: float
    p_value: float
    strength: Strength
    windows: int = Field(description="Number of aligned windows the statistic was computed on")
    window_size: str = Field(description="Width of each window, e.g. '1d'")


@dataclass(frozen=True)
class Crossing:
    """When a degrading resource reaches its threshold, as days from now."""

    degradation: Degradation
    threshold: float
    peak_now: float
    expected_days: float
    earliest_days: float
    latest_days: float | None
    confidence: float


class Prediction(BaseModel):
    """What will fail on an FTA, when, and how sure the analysis is.

    For a resource, `confidence` is the probability, from the fit and its interval, that the
    failure happens within the maintenance horizon, and `predicted_failure_date` the expected
    crossing of its failure threshold. A job problem has no threshold to cross: no date, and
    its confidence is one minus the adjusted p-value of its test.
    """

    workstation: str
    kind: Kind
    resource: str
    predicted_failure_date: date | None
    confidence: float = Field(ge=0.0, le=1.0)
    evidence_summary: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class ProposedAction(BaseModel):
    """A command of the allow-listed catalogue (`resync.maintenance.actions`) with its arguments.

    `action_id` is stable across runs for the same workstation, kind and command, so a review
    of one run's proposal can be matched with the next run's.
    """

    action_id: str
    command: str
    arguments: dict[str, ArgumentValue]
    description: str
    auto_approvable: bool


class Finding(Prediction):
    """A prediction and the actions proposed for it."""

    actions: list[ProposedAction] = Field(default_factory=list)


class ReviewAnswer(BaseModel):
    """What the review resumes the graph with: a decision on each action a person was asked.

    From the Prefect form (`source` reviewer, `decided_by` and `comment` theirs, `submitted_at`
    when Prefect stored the form, `flow_run_id` the flow run whose form received it) or from the
    timeout policy (every asked action rejected). Empty `decisions`: nobody was asked.
    """

    decisions: dict[str, Decision] = Field(default_factory=dict)
    source: DecisionSource
    decided_by: str | None = None
    comment: str | None = None
    submitted_at: datetime | None = None
    flow_run_id: uuid.UUID | None = None


class ReviewDecision(BaseModel):
    """The decision on one proposed action, as stored in `maintenance_reviews`."""

    action_id: str
    decision: Decision
    source: DecisionSource
    decided_by: str | None = None
    comment: str | None = None
    submitted_at: datetime | None = None
    flow_run_id: uuid.UUID | None = None
