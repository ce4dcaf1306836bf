"""Capacity-forecast tasks: open the run, analyse trends, forecast, assess saturation, size.

Each task reads what it needs from the database and writes its results to the run's
`capacity_forecasts` rows, so the graph state carries only ids and counts. The series are
forecast a group of FTAs per task run, fanned out through the flow's task runner.
"""

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from prefect import get_run_logger
from prefect.runtime import flow_run

from resync.capacity.planning import assess_saturation, recommend
from resync.capacity.prices import load_price_sheet
from resync.capacity.run_store import (
    at_risk_rows,
    insert_forecast_run,
    replace_forecast_rows,
    series_to_forecast,
    update_forecast_rows,
    workstation_hosts,
)
from resync.capacity.scope import refuse_impossible_request, run_scope
from resync.capacity.series import (
    forecast_workstations,
    hourly_series,
    trailing_day_job_counts,
    trend_row,
)
from resync.capacity.store import (
    load_hourly_job_starts,
    load_hourly_metrics,
    workstations_with_metrics,
)
from resync.db.engine import get_engine
from resync.learning.capacity import CHANGE_TYPE as CAPACITY_CALIBRATION
from resync.learning.capacity import saturation_probability
from resync.learning.parameters import active_parameters, model_preferences
from resync.settings import get_settings
from tasks.database import database_task
from tasks.fta_errors import fta_step, per_fta
from tasks.task_runner import fta_groups

FORECAST_COLUMNS = (
    "status",
    "model",
    "mase",
    "naive_mase",
    "band_coverage",
    "unreliable_reason",
    "saturation_date",
    "saturation_date_earliest",
    "saturation_date_latest",
    "crossing_probability",
    "risk",
    "full_forecast_at",
    "series",
    "calendar",
)


@database_task
def check_forecast_request(workstations: list[str] | None, history_days: int) -> None:
    """Refuse, before anything is written, a run that cannot forecast what it is asked:
    a window under the minimum history, FTAs without samples in it, or no FTA at all."""
    end = datetime.now(UTC)
    with get_engine().connect() as connection:
        found = workstations_with_metrics(
            connection, end - timedelta(days=history_days), end, workstations
        )
    refuse_impossible_request(workstations, found, history_days, get_settings())


@database_task
def open_forecast_run(
    history_days: int,
    horizon_days: int,
    workstation_filter: list[str] | None,
    resources: list[str],
) -> dict[str, Any]:
    """Insert the run row with its scope; its window is the `history_days` up to now."""
    now = datetime.now(UTC)
    run_id = uuid.uuid4()
    flow_run_id = flow_run.get_id()
    scope = run_scope(workstation_filter, resources, history_days, get_settings())
    with get_engine().begin() as connection:
        insert_forecast_run(
            connection,
            run_id,
            uuid.UUID(flow_run_id) if flow_run_id else None,
            now,
            history_days,
            horizon_days,
            scope,
            workstation_filter,
            resources,
        )
    start = now - timedelta(days=history_days)
    return {"run_id": str(run_id), "window_start": start.isoformat(), "as_of": now.isoformat()}


@database_task
def find_forecast_workstations(window_start: str, as_of: str, names: list[str] | None) -> list[str]:
    """The FTAs with samples in the window (only `names` when given)."""
    start, end = datetime.fromisoformat(window_start), datetime.fromisoformat(as_of)
    with get_engine().connect() as connection:
        found = workstations_with_metrics(connection, start, end, names)
    missing = sorted(set(names or ()) - set(found))
    if missing:
        get_run_logger().warning(
            "no samples since %s for %s: not forecast", window_start, ", ".join(missing)
        )
    return found


def _hourly_frame(
    window_start: str, as_of: str, workstations: list[str], resources: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The FTAs' hourly metrics (with the workload column when it is asked for) and their
    hourly job starts."""
    start, end = datetime.fromisoformat(window_start), datetime.fromisoformat(as_of)
    with get_engine().connect() as connection:
        hourly = load_hourly_metrics(connection, start, end, workstations)
        starts = load_hourly_job_starts(connection, start, end, workstations)
    if "workload" not in resources:
        return hourly, starts
    workload = trailing_day_job_counts(starts, end.replace(minute=0, second=0, microsecond=0))
    joined = hourly.join(workload, on=["workstation", "sample_time"], how="full", coalesce=True)
    return joined, starts


@database_task
def analyze_metric_trends(
    run_id: str, window_start: str, as_of: str, workstations: list[str], resources: list[str]
) -> dict[str, Any]:
    """One row per FTA × resource with data: status, threshold, latest value, trend and R²;
    an FTA this fails on gets no row (`fta_errors`)."""
    settings = get_settings()
    hourly, _ = _hourly_frame(window_start, as_of, workstations, resources)
    rows, errors = [], {}
    for (workstation,), frame in hourly.partition_by("workstation", as_dict=True).items():
        with fta_step(errors, workstation):
            found = []
            for resource in resources:
                series = hourly_series(frame, resource)
                if not series.is_empty():
                    found.append(trend_row(workstation, resource, series, settings))
            rows += found
    run = uuid.UUID(run_id)
    with get_engine().begin() as connection:
        replace_forecast_rows(connection, run, rows)
    insufficient = sum(row["status"] == "insufficient_data" for row in rows)
    return {"series": len(rows), "insufficient": insufficient, "fta_errors": errors}


@database_task
def group_forecast_series(run_id: str) -> list[list[str]]:
    """The run's FTAs with series to forecast, in groups of `ftas_per_task`, a task run each."""
    with get_engine().connect() as connection:
        wanted = series_to_forecast(connection, uuid.UUID(run_id))
    return fta_groups(sorted({workstation for workstation, _ in wanted}))


@database_task
def forecast_metric_series(
    run_id: str,
    window_start: str,
    as_of: str,
    workstations: list[str],
    resources: list[str],
    horizon_days: int,
) -> dict[str, Any]:
    """Forecast the series of `workstations` with enough history `horizon_days` ahead (a
    provisional estimate for the short ones); store model, MASE, crossing dates and their
    probability and risk level, the month calendar used, and the series of those with a level. The
    models fit the run's window; the month calendar is learned from the
    `forecast_calendar_days` before `as_of` (samples where history keeps them, hourly
    summaries before) and the job starts over them. Returns the count per model
    (`models`) and the FTAs forecasting failed on, left without a forecast (`fta_errors`)."""
    settings = get_settings().model_copy(update={"forecast_horizon_days": horizon_days})
    run = uuid.UUID(run_id)
    with get_engine().connect() as connection:
        wanted = series_to_forecast(connection, run)
        preferences = model_preferences(connection)
    start, end = datetime.fromisoformat(window_start), datetime.fromisoformat(as_of)
    history_start = min(start, end - timedelta(days=settings.forecast_calendar_days))
    hourly, starts = _hourly_frame(history_start.isoformat(), as_of, workstations, resources)
    forecast, errors = per_fta(
        lambda frame, jobs: forecast_workstations(
            frame, resources, settings, preferences, start, jobs
        ),
        hourly,
        starts,
    )
    rows = [row for row in forecast if (row["workstation"], row["resource"]) in wanted]
    _update_rows(run, rows, FORECAST_COLUMNS)
    models = dict(Counter(row.get("model") or row["status"] for row in rows))
    return {"models": models, "fta_errors": errors}


def _update_rows(run: uuid.UUID, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    """Set `columns` of the run's rows keyed by workstation and resource (None when absent)."""
    if not rows:
        return
    with get_engine().begin() as connection:
        update_forecast_rows(connection, run, rows, columns)


def _at_risk_rows(run: uuid.UUID) -> list[dict[str, Any]]:
    with get_engine().connect() as connection:
        return at_risk_rows(connection, run)


@database_task
def assess_forecast_saturation(run_id: str, as_of: str) -> dict[str, int]:
    """Days to saturation, the order-by date (crossing − procurement lead time) and the
    probability of the crossing by its date, calibrated by what auto-learning applied."""
    lead_time = get_settings().procurement_lead_time_days
    with get_engine().connect() as connection:
        calibrators = active_parameters(connection, CAPACITY_CALIBRATION)
    rows = []
    for row in _at_risk_rows(uuid.UUID(run_id)):
        assessed = assess_saturation(
            row["saturation_date"], datetime.fromisoformat(as_of), lead_time
        )
        probability = saturation_probability(row["resource"], row["risk"], calibrators)
        rows.append({**row, **assessed, "saturation_probability": probability})
    columns = ("days_to_saturation", "order_by_date", "saturation_probability")
    _update_rows(uuid.UUID(run_id), rows, columns)
    risks = Counter(row["risk"] for row in rows)
    return {"likely": risks["likely"], "possible": risks["possible"]}


@database_task
def recommend_scaling(run_id: str, horizon_days: int) -> dict[str, Any]:
    """Size CPU, memory or disk for each likely saturation from its FTA's host facts, with
    cost; a possible one is a watch item."""
    settings = get_settings().model_copy(update={"forecast_horizon_days": horizon_days})
    rows = _at_risk_rows(uuid.UUID(run_id))
    with get_engine().connect() as connection:
        hosts = workstation_hosts(connection, {row["workstation"] for row in rows})
    sized = []
    for row in rows:
        advice = recommend(row, hosts.get(row["workstation"]), settings)
        if advice is not None:
            sized.append({**row, "recommendation": advice})
    _update_rows(uuid.UUID(run_id), sized, ("recommendation",))
    actions = Counter(row["recommendation"]["action"] for row in sized)
    priced = [row["recommendation"] for row in sized if row["recommendation"]["action"] == "add"]
    return {
        "recommended": len(priced),
        "investigate": actions["investigate"],
        "watch": actions["watch"],
        "without_host_facts": actions["none"],
        "monthly_cost": round(sum(advice["monthly_cost"] for advice in priced), 2),
        "currency": load_price_sheet(settings.capacity_price_sheet).currency,
    }
