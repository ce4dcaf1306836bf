"""Capacity forecasts: the latest forecast per FTA × resource from finished runs."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import Select, func, select

from api.deps import MetricsReadKey, SessionDep
from resync.capacity.schemas import CapacityForecastPublic, CapacityForecastsPublic, Resource
from resync.db.models import CapacityForecast, CapacityForecastRun
from resync.ingest.payload import WORKSTATION_PATTERN

router = APIRouter(prefix="/api/v1/capacity", tags=["capacity"])


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


@router.get("/forecasts")
def read_capacity_forecasts(
    session: SessionDep,
    _key: MetricsReadKey,
    workstation: Annotated[str | None, Query(pattern=WORKSTATION_PATTERN)] = None,
    resource: Resource | None = None,
    at_risk: Annotated[
        bool | None,
        Query(description="true: a crossing is expected or likely in the horizon; false: none"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 5_000,
) -> CapacityForecastsPublic:
    """The latest forecast per FTA × resource, soonest saturation first, with dates and MASE."""
    query = _latest_forecasts()
    if workstation is not None:
        query = query.where(CapacityForecast.workstation == workstation.upper())
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
    data = [CapacityForecastPublic.model_validate(row, from_attributes=True) for row in rows]
    return CapacityForecastsPublic(data=data, count=count or 0)
