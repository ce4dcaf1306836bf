"""Failure cards and their resolutions as the failures API shows them, and the past failures
similar-case search compares (plain models: no text-mining library is needed to read them)."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from resync.ingest.payload import FREE_TEXT_PATTERN
from resync.joblog.classification import EvidenceLine, FailureClass

Name = Annotated[str, StringConstraints(max_length=120, pattern=FREE_TEXT_PATTERN)]


class PastFailure(BaseModel):
    """A failure already analysed, with the resolution an operator recorded (if any)."""

    run_id: str
    workstation: str
    job_name: str
    failed_at: datetime
    failure_class: str
    text: str
    resolution: str | None = None


class SimilarCase(BaseModel):
    """A past failure like this one, how alike (cosine, 0–1) and what fixed it."""

    run_id: str
    workstation: str
    job_name: str
    failed_at: datetime
    failure_class: str
    similarity: float
    resolution: str | None


class ResolutionCreate(BaseModel):
    resolution: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=4000, pattern=FREE_TEXT_PATTERN
        ),
    ] = Field(description="What fixed the failure")
    failure_class: FailureClass | None = Field(
        default=None, description="The real failure class, when the card's was wrong or unknown"
    )
    resolved_by: Name | None = Field(
        default=None, description="Who resolved it (default: the key's name)"
    )


class ResolutionPublic(BaseModel):
    run_id: str
    resolution: str
    failure_class: str | None
    resolved_by: str | None
    recorded_at: datetime


class FailureAnalysisPublic(BaseModel):
    run_id: str
    workstation: str
    job_stream: str
    job_name: str
    failed_at: datetime
    return_code: int | None
    failure_class: FailureClass
    confidence: float
    method: str
    explanation: str
    evidence: list[EvidenceLine]
    resource_state: dict[str, Any]
    run_history: dict[str, Any]
    similar_cases: list[SimilarCase]
    suggested_fix: str
    analyst: str
    analyst_note: str | None
    created_at: datetime
    resolution: ResolutionPublic | None
