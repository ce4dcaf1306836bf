"""Writing a capacity-forecast run: its `capacity_forecast_runs` row and its forecast rows.

The flow's tasks call these inside the transaction they open; each step rewrites only the
columns it computes, keyed by FTA and resource, so the graph state carries ids and counts.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from resync.db.models import CapacityForecast, CapacityForecastRun, Workstation

AT_RISK_COLUMNS = (
    "workstation",
    "resource",
    "current_value",
    "threshold",
    "status",
    "saturation_date",
    "saturation_date_earliest",
    "saturation_date_latest",
    "order_by_date",
    "days_to_saturation",
    "saturation_probability",
    "crossing_probability",
    "risk",
    "mase",
    "naive_mase",
    "unreliable_reason",
    "trend_per_day",
    "recommendation",
)

# A risk level, likely or possible (`resync.capacity.risk`): the series at risk.
AT_RISK = CapacityForecast.risk.is_not(None)

_FIRST_CROSSING = func.coalesce(
    CapacityForecast.saturation_date_earliest, CapacityForecast.saturation_date
)
# Order-by date (none: after every dated one), then the probability of a crossing, then the
# P10 date: a series to order for first, the likeliest among equals.
AT_RISK_ORDER = (
    CapacityForecast.order_by_date.is_(None),
    CapacityForecast.order_by_date,
    CapacityForecast.crossing_probability.is_(None),
    CapacityForecast.crossing_probability.desc(),
    _FIRST_CROSSING.is_(None),
    _FIRST_CROSSING,
    CapacityForecast.workstation,
    CapacityForecast.resource,
)


def insert_forecast_run(
    connection: Connection,
    run_id: uuid.UUID,
    flow_run_id: uuid.UUID | None,
    started_at: datetime,
    history_days: int,
    horizon_days: int,
    scope: str,
    workstation_filter: list[str] | None,
    resources: list[str],
) -> None:
    """The run's row, before any FTA is counted or any insight written."""
    connection.execute(
        insert(CapacityForecastRun).values(
            id=run_id,
            flow_run_id=flow_run_id,
            started_at=started_at,
            history_days=history_days,
            horizon_days=horizon_days,
            scope=scope,
            workstation_filter=workstation_filter,
            resources=resources,
            workstation_count=0,
            analyst="deterministic",
            insight="",
        )
    )


def replace_forecast_rows(
    connection: Connection, run: uuid.UUID, rows: list[dict[str, Any]]
) -> None:
    """The run's forecast rows become `rows` (a retried step does not add them twice)."""
    connection.execute(delete(CapacityForecast).where(CapacityForecast.run_id == run))
    if rows:
        connection.execute(insert(CapacityForecast), [{**row, "run_id": run} for row in rows])


def series_to_forecast(connection: Connection, run: uuid.UUID) -> set[tuple[str, str]]:
    """The (FTA, resource) pairs of the run with enough history to forecast, if provisionally."""
    query = select(CapacityForecast.workstation, CapacityForecast.resource).where(
        CapacityForecast.run_id == run,
        CapacityForecast.status.in_(("forecast", "provisional")),
    )
    return {(workstation, resource) for workstation, resource in connection.execute(query)}


def update_forecast_rows(
    connection: Connection, run: uuid.UUID, rows: list[dict[str, Any]], columns: tuple[str, ...]
) -> None:
    """Set `columns` of the run's rows keyed by workstation and resource (None when absent)."""
    statement = (
        update(CapacityForecast)
        .where(
            CapacityForecast.run_id == run,
            CapacityForecast.workstation == bindparam("key_workstation"),
            CapacityForecast.resource == bindparam("key_resource"),
        )
        .values(**{name: bindparam(f"new_{name}") for name in columns})
    )
    parameters = [
        {
            "key_workstation": row["workstation"],
            "key_resource": row["resource"],
            **{f"new_{name}": row.get(name) for name in columns},
        }
        for row in rows
    ]
    connection.execute(statement, parameters)


def at_risk_rows(connection: Connection, run: uuid.UUID) -> list[dict[str, Any]]:
    """Every column of the run's rows with a risk level (likely or possible)."""
    query = select(CapacityForecast).where(CapacityForecast.run_id == run, AT_RISK)
    return [dict(row._mapping) for row in connection.execute(query)]


def at_risk_series(
    connection: Connection, run: uuid.UUID, limit: int | None = None
) -> list[dict[str, Any]]:
    """The run's series with a risk level, without charts, in the order of every list of
    them: by order-by date, then probability, soonest crossing first."""
    forecast = CapacityForecast
    query = (
        select(*(getattr(forecast, name) for name in AT_RISK_COLUMNS))
        .where(forecast.run_id == run, AT_RISK)
        .order_by(*AT_RISK_ORDER)
        .limit(limit)
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def workstation_hosts(connection: Connection, names: set[str]) -> dict[str, Any]:
    """The host facts (CPUs, memory, disk) each FTA of `names` last reported, by name."""
    query = select(Workstation.name, Workstation.host).where(Workstation.name.in_(names))
    return dict(connection.execute(query).all())


def record_run_insight(
    connection: Connection, run: uuid.UUID, analyst: str, insight: str, note: str | None
) -> None:
    """Store the insight paragraph on the run row, with who wrote it and why."""
    connection.execute(
        update(CapacityForecastRun)
        .where(CapacityForecastRun.id == run)
        .values(analyst=analyst, insight=insight, analyst_note=note)
    )


def mark_run_finished(
    connection: Connection, run: uuid.UUID, finished_at: datetime, workstation_count: int
) -> None:
    """Mark the run finished: the report and the API read finished runs only."""
    connection.execute(
        update(CapacityForecastRun)
        .where(CapacityForecastRun.id == run)
        .values(finished_at=finished_at, workstation_count=workstation_count)
    )
