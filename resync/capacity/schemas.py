"""Schemas of the capacity-forecast API: one forecast of an FTA × resource, and the list."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from resync.capacity.resources import Resource


class CapacityForecastPublic(BaseModel):
    """The latest forecast of one FTA × resource.

    Units: cpu, memory and disk in percent; latency in ms (link latency, average); workload in
    jobs started in the trailing 24 hours. Dates are null when no crossing falls within the
    horizon; latency and workload have no threshold.
    """

    run_id: uuid.UUID
    workstation: str
    resource: Resource
    status: Literal["forecast", "insufficient_data"]
    threshold: float | None
    current_value: float | None
    trend_per_day: float | None
    r_squared: float | None
    model: str | None
    mase: float | None = Field(description="Backtest MASE of the chosen model (< 1 beats naive)")
    saturation_date: datetime | None = Field(description="Expected threshold crossing")
    saturation_date_earliest: datetime | None = Field(
        description="Crossing of the upper 80 % interval: the earliest likely date"
    )
    order_by_date: datetime | None = Field(
        description="Expected crossing minus the procurement lead time"
    )
    days_to_saturation: float | None
    saturation_probability: float | None = Field(
        description="Probability of the crossing by the expected (else earliest likely) date: "
        "the forecast's nominal 0.5 (0.1 for the earliest likely date), calibrated on past "
        "outcomes once auto-learning has applied a calibrator"
    )
    recommendation: dict[str, Any] | None
    created_at: datetime


class CapacityForecastsPublic(BaseModel):
    data: list[CapacityForecastPublic]
    count: int
