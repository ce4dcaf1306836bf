"""State of the auto-learning graph: counts, proposals (plain dicts) and why nothing else."""

import operator
from typing import Annotated, Any, TypedDict


class LearningState(TypedDict, total=False):
    """Inputs first (set by the flow), then what each node adds."""

    as_of: str
    """The run's reference time, ISO-8601 UTC: predictions due before it are judged."""
    flow_run_id: str | None
    outcomes: dict[str, int]
    """due, judged, happened, without_samples, stored."""
    feedback: dict[str, Any]
    """maintenance (per kind × command: approved, rejected, latest comments), alerts (per rule
    and verdict)."""
    calibration: dict[str, Any]
    alert_rules: dict[str, Any]
    forecast_models: dict[str, Any]
    action_policies: dict[str, Any]
    capacity_calibration: dict[str, Any]
    failure_model: dict[str, Any]
    """Each: proposals (asdict of resync.learning.Proposal) and skipped (target → why); the
    per-FTA learners also fta_errors."""
    fta_errors: Annotated[dict[str, str], operator.or_]
    """The FTAs a step failed on, by name, with the error: not learned from this run."""
    change_ids: list[int]
    """The `learned_changes` rows written, in proposal order."""
    report: str
    """The markdown artifact."""
