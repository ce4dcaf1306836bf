"""State of the capacity-forecast graph: the run's ids, window and counts, never the series.

The metrics (8.6 M rows for 1,000 FTAs) and the forecasts stay in the database; every
checkpoint then costs a few kilobytes whatever the size of the estate.
"""

import operator
from typing import Annotated, Any, TypedDict


class CapacityState(TypedDict, total=False):
    """Inputs first (set by the flow), then what each node adds."""

    workstation_filter: list[str] | None
    """Only these FTAs (None: every FTA with samples in the window)."""
    resources: list[str]
    """Among cpu, memory, disk, latency, workload."""
    history_days: int
    horizon_days: int
    run_id: str
    """The `capacity_forecast_runs` row of this run."""
    window_start: str
    as_of: str
    """The history window [window_start, as_of), ISO-8601 UTC."""
    workstations: list[str]
    """The FTAs with samples in the window."""
    trends: dict[str, int]
    """series, insufficient (too little history)."""
    forecasts: dict[str, Any]
    """forecast (series forecast, provisional ones included), models (count per chosen model,
    "provisional" and "insufficient_data" for the others)."""
    fta_errors: Annotated[dict[str, str], operator.or_]
    """The FTAs a step failed on, by name, with the error: left out, the others forecast."""
    saturation: dict[str, int]
    """likely, possible: the series at each risk level (`resync.capacity.risk`)."""
    scaling: dict[str, Any]
    """recommended (likely saturations sized), investigate (a leak: restart rather than buy),
    watch (possible saturations, nothing proposed), without_host_facts, monthly_cost, currency."""
    insight: dict[str, str]
    """analyst, note, insight (the paragraph)."""
