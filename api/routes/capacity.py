"""Capacity forecasts: the estate's latest forecast per FTA × resource, or one run's."""

import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from api.deps import MetricsReadKey, SessionDep
from resync.capacity.finished_runs import find_forecast_run, latest_forecasts
from resync.capacity.resources import Resource
from resync.capacity.risk import LIKELY_PROBABILITY, POSSIBLE_PROBABILITY, RiskLevel
from resync.capacity.schemas import CapacityForecastPublic, CapacityForecastsPublic
from resync.ingest.payload import WORKSTATION_PATTERN
from resync.settings import get_settings

router = APIRouter(prefix="/api/v1/capacity", tags=["capacity"])


@router.get("/forecasts")
def read_capacity_forecasts(
    session: SessionDep,
    _key: MetricsReadKey,
    workstation: Annotated[str | None, Query(pattern=WORKSTATION_PATTERN)] = None,
    resource: Resource | None = None,
    at_risk: Annotated[
        bool | None,
        Query(
            description="true: a crossing within the horizon is likely or possible (a chance of "
            f"{POSSIBLE_PROBABILITY:.0%} or more, the P10 date within it); false: neither"
        ),
    ] = None,
    risk: Annotated[
        RiskLevel | None,
        Query(
            description="likely: a crossing within the horizon has a chance of "
            f"{LIKELY_PROBABILITY:.0%} or more (likely on the IPCC scale; the P50 date within it); "
            f"possible: a chance of {POSSIBLE_PROBABILITY:.0%} to {LIKELY_PROBABILITY:.0%}"
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 5_000,
    run_id: Annotated[
        uuid.UUID | None,
        Query(description="A finished run's forecasts (an ad hoc run is read only this way)"),
    ] = None,
) -> CapacityForecastsPublic:
    """The estate's latest forecast per FTA × resource (from runs with the standard history
    window), or run `run_id`'s, by order-by date then probability, with dates and MASE."""
    if run_id is not None:
        run = find_forecast_run(session, run_id)
        if run is None or run.finished_at is None:
            state = "does not exist" if run is None else "has not finished"
            raise HTTPException(
                status_code=status.HTTP_404_NOT_FOUND,
                detail=f"Capacity run {run_id} {state}",
            )
    rows, count = latest_forecasts(
        session,
        workstation=None if workstation is None else workstation.upper(),
        resource=resource,
        at_risk=at_risk,
        limit=limit,
        standard_days=get_settings().forecast_history_days,
        run_id=run_id,
        risk=risk,
    )
    data = [CapacityForecastPublic.model_validate(row, from_attributes=True) for row in rows]
    return CapacityForecastsPublic(data=data, count=count)
