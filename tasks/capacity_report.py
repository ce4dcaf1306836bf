"""Capacity-forecast closing tasks: the insight paragraph, the finished run, the artifacts."""

import uuid
from datetime import UTC, datetime
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE
from sqlalchemy import func, select, update

from resync.analyst import write_insight
from resync.capacity.insight import TASK, TOP_AT_RISK, CapacityInsight, deterministic_insight
from resync.db.engine import get_engine
from resync.db.models import CapacityForecast, CapacityForecastRun
from tasks.database import database_task

AT_RISK_COLUMNS = (
    "workstation",
    "resource",
    "current_value",
    "threshold",
    "saturation_date",
    "saturation_date_earliest",
    "order_by_date",
    "days_to_saturation",
    "saturation_probability",
    "mase",
    "recommendation",
)


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def at_risk_series(run: uuid.UUID, limit: int | None = None) -> list[dict[str, Any]]:
    """The run's series whose crossing is expected or likely, soonest first, without charts."""
    forecast = CapacityForecast
    query = (
        select(*(getattr(forecast, name) for name in AT_RISK_COLUMNS))
        .where(
            forecast.run_id == run,
            forecast.saturation_date.is_not(None) | forecast.saturation_date_earliest.is_not(None),
        )
        .order_by(
            func.coalesce(forecast.saturation_date, forecast.saturation_date_earliest),
            forecast.workstation,
            forecast.resource,
        )
        .limit(limit)
    )
    with get_engine().connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def _insight_data(run: uuid.UUID, summary: dict[str, Any]) -> dict[str, Any]:
    at_risk = []
    for row in at_risk_series(run, TOP_AT_RISK):
        advice = row.pop("recommendation") or {}
        at_risk.append(
            {
                **{
                    key: _date(value) if isinstance(value, datetime) else value
                    for key, value in row.items()
                },
                **{key: advice.get(key) for key in ("amount", "unit", "monthly_cost", "currency")},
            }
        )
    return {**summary, "at_risk": at_risk}


@database_task
def write_capacity_insight(run_id: str, summary: dict[str, Any]) -> dict[str, str]:
    """The insight paragraph (Claude, or the deterministic analyst) stored on the run row."""
    run = uuid.UUID(run_id)
    insight = write_insight(
        TASK, _insight_data(run, summary), CapacityInsight, deterministic_insight
    )
    with get_engine().begin() as connection:
        connection.execute(
            update(CapacityForecastRun)
            .where(CapacityForecastRun.id == run)
            .values(
                analyst=insight.analyst,
                insight=insight.value.paragraph,
                analyst_note=insight.note or None,
            )
        )
    return {"analyst": insight.analyst, "note": insight.note, "insight": insight.value.paragraph}


@database_task
def finish_forecast_run(run_id: str, workstation_count: int) -> None:
    """Mark the run finished: the report and the API read finished runs only."""
    with get_engine().begin() as connection:
        connection.execute(
            update(CapacityForecastRun)
            .where(CapacityForecastRun.id == uuid.UUID(run_id))
            .values(finished_at=datetime.now(UTC), workstation_count=workstation_count)
        )


@task(cache_policy=NONE)
def publish_capacity_artifacts(
    run_id: str, summary: dict[str, Any], insight: dict[str, str]
) -> None:
    """A markdown summary of the run and a table of the FTAs at risk with their dates."""
    note = f"\n\n_{insight['note']}_" if insight["note"] else ""
    create_markdown_artifact(
        key="capacity-forecast-summary",
        markdown=(
            "### Capacity forecast\n\n"
            "| FTAs | series | too little data | saturation expected | likely | sized "
            f"| monthly cost ({summary['currency']}) |\n|---|---|---|---|---|---|---|\n"
            f"| {summary['workstations']} | {summary['series']} | {summary['insufficient']} "
            f"| {summary['expected']} | {summary['likely']} | {summary['recommended']} "
            f"| {summary['monthly_cost']} |\n\n"
            f"{insight['insight']}\n\nAnalyst: {insight['analyst']}{note}\n"
        ),
        description=f"Capacity run {run_id}",
    )
    rows = []
    for row in at_risk_series(uuid.UUID(run_id)):
        advice = row["recommendation"] or {}
        rows.append(
            {
                "workstation": row["workstation"],
                "resource": row["resource"],
                "saturation_date": _date(row["saturation_date"]),
                "earliest": _date(row["saturation_date_earliest"]),
                "order_by": _date(row["order_by_date"]),
                "days": row["days_to_saturation"],
                "probability": row["saturation_probability"],
                "add": f"{advice['amount']} {advice['unit']}" if "amount" in advice else "",
                "monthly_cost": advice.get("monthly_cost"),
            }
        )
    create_table_artifact(
        key="capacity-at-risk",
        table=rows,
        description=f"{len(rows)} FTA resources expected or likely to saturate, soonest first",
    )
