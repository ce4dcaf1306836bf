"""Capacity-forecast closing tasks: the insight paragraph, the finished run, the artifacts."""

import uuid
from datetime import UTC, datetime
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE

from resync.analyst import write_insight
from resync.capacity.insight import TASK, TOP_AT_RISK, CapacityInsight, deterministic_insight
from resync.capacity.risk import describe_levels
from resync.capacity.run_store import at_risk_series, mark_run_finished, record_run_insight
from resync.db.engine import get_engine
from tasks.database import database_task


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def _at_risk_series(run: uuid.UUID, limit: int | None = None) -> list[dict[str, Any]]:
    with get_engine().connect() as connection:
        return at_risk_series(connection, run, limit)


def _insight_data(run: uuid.UUID, summary: dict[str, Any]) -> dict[str, Any]:
    at_risk = []
    for row in _at_risk_series(run, TOP_AT_RISK):
        advice = row.pop("recommendation") or {}
        at_risk.append(
            {
                **{
                    key: _date(value) if isinstance(value, datetime) else value
                    for key, value in row.items()
                },
                **{
                    key: advice.get(key)
                    for key in ("action", "amount", "unit", "monthly_cost", "currency")
                },
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
        record_run_insight(
            connection, run, insight.analyst, insight.value.paragraph, insight.note or None
        )
    return {"analyst": insight.analyst, "note": insight.note, "insight": insight.value.paragraph}


@database_task
def finish_forecast_run(run_id: str, workstation_count: int) -> None:
    """Mark the run finished: the report and the API read finished runs only."""
    with get_engine().begin() as connection:
        mark_run_finished(connection, uuid.UUID(run_id), datetime.now(UTC), workstation_count)


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
            "| FTAs | series | too little data | likely saturations | possible (watched) | sized "
            f"| monthly cost ({summary['currency']}) |\n|---|---|---|---|---|---|---|\n"
            f"| {summary['workstations']} | {summary['series']} | {summary['insufficient']} "
            f"| {summary['likely']} | {summary['possible']} | {summary['recommended']} "
            f"| {summary['monthly_cost']} |\n\n"
            f"{insight['insight']}\n\nRisk levels: {describe_levels()}.\n\n"
            f"Analyst: {insight['analyst']}{note}\n"
        ),
        description=f"Capacity run {run_id}",
    )
    rows = []
    for row in _at_risk_series(uuid.UUID(run_id)):
        advice = row["recommendation"] or {}
        rows.append(
            {
                "workstation": row["workstation"],
                "resource": row["resource"],
                "risk": row["risk"],
                "order_by": _date(row["order_by_date"]),
                "p10": _date(row["saturation_date_earliest"]),
                "p50": _date(row["saturation_date"]),
                "p90": _date(row["saturation_date_latest"]),
                "probability": row["saturation_probability"],
                "within_horizon": row["crossing_probability"],
                "status": row["status"],
                "unreliable": row["unreliable_reason"] or "",
                "add": f"{advice['amount']} {advice['unit']}" if "amount" in advice else "",
                "monthly_cost": advice.get("monthly_cost"),
            }
        )
    create_table_artifact(
        key="capacity-at-risk",
        table=rows,
        description=(
            f"{len(rows)} FTA resources likely or possibly saturating, by order-by date then "
            "probability of a crossing within the horizon"
        ),
    )
