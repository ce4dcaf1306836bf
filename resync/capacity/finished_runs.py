"""Reading finished capacity runs: a run and its forecasts (the report), the latest per series.

A run is read only once finished: until then its rows are still being written step by step.
The estate view comes from runs that cover a series with the standard history window or more;
a narrower ad hoc run is read by its id only, never promoted over them.
"""

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from resync.capacity.resources import Resource
from resync.capacity.risk import RiskLevel
from resync.capacity.run_store import AT_RISK, AT_RISK_ORDER
from resync.db.models import CapacityForecast, CapacityForecastRun


def latest_finished_run(session: Session) -> CapacityForecastRun | None:
    """The most recently finished estate run, or None before the first one finishes."""
    return session.scalars(
        select(CapacityForecastRun)
        .where(CapacityForecastRun.finished_at.is_not(None))
        .where(CapacityForecastRun.scope == "estate")
        .order_by(CapacityForecastRun.finished_at.desc())
        .limit(1)
    ).first()


def find_forecast_run(session: Session, run_id: uuid.UUID) -> CapacityForecastRun | None:
    """The run `run_id`, finished or not, or None when there is no such run."""
    return session.get(CapacityForecastRun, run_id)


def run_forecasts(session: Session, run_id: uuid.UUID) -> list[CapacityForecast]:
    """Every forecast row of the run (one per FTA × resource)."""
    return list(session.scalars(select(CapacityForecast).where(CapacityForecast.run_id == run_id)))


def _latest_forecasts(standard_days: int) -> Select:
    """Each FTA × resource's row from the most recent finished run that forecast it over at
    least `standard_days` of history."""
    newest_first = func.row_number().over(
        partition_by=(CapacityForecast.workstation, CapacityForecast.resource),
        order_by=(CapacityForecastRun.started_at.desc(), CapacityForecastRun.id.desc()),
    )
    ranked = (
        select(CapacityForecast.id, newest_first.label("rank"))
        .join(CapacityForecastRun, CapacityForecast.run_id == CapacityForecastRun.id)
        .where(CapacityForecastRun.finished_at.is_not(None))
        .where(CapacityForecastRun.history_days >= standard_days)
        .subquery()
    )
    return (
        select(CapacityForecast)
        .join(ranked, ranked.c.id == CapacityForecast.id)
        .where(ranked.c.rank == 1)
    )


def latest_forecasts(
    session: Session,
    workstation: str | None,
    resource: Resource | None,
    at_risk: bool | None,
    limit: int,
    standard_days: int,
    run_id: uuid.UUID | None = None,
    risk: RiskLevel | None = None,
) -> tuple[list[CapacityForecast], int]:
    """Up to `limit` forecasts, in the order of every at-risk list, and how many match in all:
    the estate's latest (see `_latest_forecasts`), or those of the finished run `run_id`.

    `at_risk` true keeps the series with a risk level (likely or possible), false the others;
    `risk` keeps those of one level.
    """
    if run_id is None:
        query = _latest_forecasts(standard_days)
    else:
        query = (
            select(CapacityForecast)
            .join(CapacityForecastRun, CapacityForecast.run_id == CapacityForecastRun.id)
            .where(CapacityForecast.run_id == run_id)
            .where(CapacityForecastRun.finished_at.is_not(None))
        )
    if workstation is not None:
        query = query.where(CapacityForecast.workstation == workstation)
    if resource is not None:
        query = query.where(CapacityForecast.resource == resource)
    if at_risk is not None:
        query = query.where(AT_RISK if at_risk else ~AT_RISK)
    if risk is not None:
        query = query.where(CapacityForecast.risk == risk)
    count = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(*AT_RISK_ORDER).limit(limit))
    return list(rows), count or 0
