"""Nodes of the capacity-forecast graph; each calls Prefect tasks so each step is a task run.

`generate_report` writes the insight, finishes the run and publishes its artifacts; the flow
then renders the HTML and PDF report of the finished run.
"""

from collections import Counter
from typing import Any

from prefect import unmapped

from graphs.capacity.state import CapacityState
from tasks.alerts import notify_alerts
from tasks.capacity import (
    analyze_metric_trends,
    assess_forecast_saturation,
    find_forecast_workstations,
    forecast_metric_series,
    group_forecast_series,
    open_forecast_run,
    recommend_scaling,
)
from tasks.capacity_report import (
    finish_forecast_run,
    publish_capacity_artifacts,
    write_capacity_insight,
)
from tasks.fta_errors import record_fta_errors


def fetch_metrics(state: CapacityState) -> dict[str, Any]:
    run = open_forecast_run(
        state["history_days"],
        state["horizon_days"],
        state.get("workstation_filter"),
        state["resources"],
    )
    workstations = find_forecast_workstations(
        run["window_start"], run["as_of"], state.get("workstation_filter")
    )
    return {**run, "workstations": workstations}


def _window(state: CapacityState) -> tuple[str, str, str, list[str], list[str]]:
    if "run_id" not in state:
        raise ValueError("the run is not open in this state; fetch_metrics must run first")
    return (
        state["run_id"],
        state["window_start"],
        state["as_of"],
        state["workstations"],
        state["resources"],
    )


def analyze_trends(state: CapacityState) -> dict[str, Any]:
    trends = analyze_metric_trends(*_window(state))
    errors = trends.pop("fta_errors")
    return {"trends": trends, "fta_errors": errors}


def forecast(state: CapacityState) -> dict[str, Any]:
    """A task run per group of FTAs through the flow's task runner (threads, or Dask workers
    by RESYNC_TASK_RUNNER: see tasks/task_runner.py)."""
    run_id, window_start, as_of, _, resources = _window(state)
    futures = forecast_metric_series.map(
        unmapped(run_id),
        unmapped(window_start),
        unmapped(as_of),
        group_forecast_series(run_id),
        unmapped(resources),
        unmapped(state["horizon_days"]),
    )
    models: Counter[str] = Counter()
    errors: dict[str, str] = {}
    for result in futures.result():
        models.update(result["models"])
        errors |= result["fta_errors"]
    forecast = sum(count for name, count in models.items() if name != "insufficient_data")
    return {"forecasts": {"forecast": forecast, "models": dict(models)}, "fta_errors": errors}


def analyze_saturation(state: CapacityState) -> dict[str, Any]:
    return {"saturation": assess_forecast_saturation(state["run_id"], state["as_of"])}


def recommend(state: CapacityState) -> dict[str, Any]:
    return {"scaling": recommend_scaling(state["run_id"], state["horizon_days"])}


def summarize(state: CapacityState) -> dict[str, Any]:
    """The run's counts as one flat dict (the insight data, the artifact, the flow's result)."""
    return {
        "run_id": state["run_id"],
        "workstations": len(state["workstations"]),
        "horizon_days": state["horizon_days"],
        **state["trends"],
        "forecast": state["forecasts"]["forecast"],
        **state["saturation"],
        **state["scaling"],
    }


def generate_report(state: CapacityState) -> dict[str, Any]:
    summary = summarize(state)
    insight = write_capacity_insight(state["run_id"], summary)
    finish_forecast_run(state["run_id"], len(state["workstations"]))
    publish_capacity_artifacts(state["run_id"], summary, insight)
    errors = state.get("fta_errors", {})
    notify_alerts(record_fta_errors("capacity", errors, state["workstations"]))
    return {"insight": insight}
