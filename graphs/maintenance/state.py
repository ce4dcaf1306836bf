"""State of the predictive-maintenance graph: JSON-safe records and ids, never frames.

Each node reads the window and the records of the nodes before it and returns a partial
update; the checkpointer stores the state after every node, so a run continued after a crash
starts at the first node that had not finished.
"""

import operator
from typing import Annotated, Any, TypedDict


class MaintenanceState(TypedDict, total=False):
    """One maintenance run, as it moves through the graph."""

    run_id: str
    """The `maintenance_runs` row this thread belongs to."""
    window_start: str
    window_end: str
    """The history window analysed (ISO-8601, UTC); `window_end` is the analysis' "now"."""
    history: dict[str, int]
    """What the window holds: workstations, samples, job_runs."""
    workstations: list[str]
    """The FTAs with samples or job runs in the window, analysed a group at a time."""
    host_facts: dict[str, dict[str, Any]]
    """Each FTA's latest host and TWS facts, for sizing the actions."""
    degradations: list[dict[str, Any]]
    correlations: list[dict[str, Any]]
    fta_errors: Annotated[dict[str, str], operator.or_]
    """The FTAs a step failed on, by name, with the error: left out, the others analysed."""
    predictions: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    """`resync.maintenance.types.Finding` records, with their proposed actions."""
    insight: dict[str, str]
    """The briefing for the reviewer: insight, analyst, analyst_note."""
    decisions: list[dict[str, Any]]
    """One decision per proposed action (`resync.maintenance.types.ReviewDecision`, with the
    `decided_at` it was stored at)."""
    executions: list[dict[str, Any]]
    """One outcome per approved action: action_id, argv, dry_run, job_name, job_status,
    exit_code."""
    effects: list[dict[str, Any]]
    """What the actions that ran changed, seen in their FTAs' next samples: action_id, effect
    (helped or no_effect), metric, before, after."""
