"""Capacity forecasts: the latest forecast per FTA × resource from finished runs."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import MetricsReadKey, SessionDep
from resync.capacity.finished_runs import latest_forecasts
from resync.capacity.resources import Resource
from resync.capacity.schemas import CapacityForecastPublic, CapacityForecastsPublic
from resync.ingest.payload import WORKSTATION_PATTERN

router = APIRouter(prefix="/api/v1/capacity", tags=["capacity"])


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
    rows, count = latest_forecasts(
        session,
        workstation=None if workstation is None else workstation.upper(),
        resource=resource,
        at_risk=at_risk,
        limit=limit,
    )
    data = [CapacityForecastPublic.model_validate(row, from_attributes=True) for row in rows]
    return CapacityForecastsPublic(data=data, count=count)
