"""Reading finished capacity runs: a run and its forecasts (the report), the latest per series.

A run is read only once finished: until then its rows are still being written step by step.
"""

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from resync.capacity.resources import Resource
from resync.db.models import CapacityForecast, CapacityForecastRun


def latest_finished_run(session: Session) -> CapacityForecastRun | None:
    """The most recently finished run, or None before the first one finishes."""
    return session.scalars(
        select(CapacityForecastRun)
        .where(CapacityForecastRun.finished_at.is_not(None))
        .order_by(CapacityForecastRun.finished_at.desc())
        .limit(1)
    ).first()


def find_forecast_run(session: Session, run_id: uuid.UUID) -> CapacityForecastRun | None:
    """The run `run_id`, finished or not, or None when there is no such run."""
    return session.get(CapacityForecastRun, run_id)


def run_forecasts(session: Session, run_id: uuid.UUID) -> list[CapacityForecast]:
    """Every forecast row of the run (one per FTA × resource)."""
    return list(session.scalars(select(CapacityForecast).where(CapacityForecast.run_id == run_id)))


def _latest_forecasts() -> Select:
    """Each FTA × resource's row from the most recent finished run that forecast it."""
    newest_first = func.row_number().over(
        partition_by=(CapacityForecast.workstation, CapacityForecast.resource),
        order_by=(CapacityForecastRun.started_at.desc(), CapacityForecastRun.id.desc()),
    )
    ranked = (
        select(CapacityForecast.id, newest_first.label("rank"))
        .join(CapacityForecastRun, CapacityForecast.run_id == CapacityForecastRun.id)
        .where(CapacityForecastRun.finished_at.is_not(None))
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
) -> tuple[list[CapacityForecast], int]:
    """Up to `limit` latest forecasts, soonest saturation first, and how many match in all.

    `at_risk` true keeps the series whose crossing is expected or likely, false the others.
    """
    query = _latest_forecasts()
    if workstation is not None:
        query = query.where(CapacityForecast.workstation == workstation)
    if resource is not None:
        query = query.where(CapacityForecast.resource == resource)
    if at_risk is not None:
        expected = CapacityForecast.saturation_date.is_not(None)
        crossing = expected | CapacityForecast.saturation_date_earliest.is_not(None)
        query = query.where(crossing if at_risk else ~crossing)
    count = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(
            CapacityForecast.days_to_saturation.is_(None),
            CapacityForecast.days_to_saturation,
            CapacityForecast.saturation_date_earliest.is_(None),
            CapacityForecast.saturation_date_earliest,
            CapacityForecast.workstation,
            CapacityForecast.resource,
        ).limit(limit)
    )
    return list(rows), count or 0
