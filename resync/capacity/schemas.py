"""Schemas of the capacity-forecast API: one forecast of an FTA × resource, and the list."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from resync.capacity.resources import Resource
from resync.capacity.risk import LIKELY_PROBABILITY, POSSIBLE_PROBABILITY, RiskLevel


class CapacityForecastPublic(BaseModel):
    """The latest forecast of one FTA × resource.

    Units: cpu, memory and disk in percent; latency in ms (link latency, average); workload in
    jobs started in the trailing 24 hours. Dates are null when no crossing falls within the
    horizon; latency and workload have no threshold.
    """

    run_id: uuid.UUID
    workstation: str
    resource: Resource
    status: Literal["forecast", "provisional", "insufficient_data"] = Field(
        description="provisional: a short history's estimate (trend over what exists, wide "
        "interval) until `full_forecast_at`"
    )
    threshold: float | None
    current_value: float | None
    trend_per_day: float | None
    r_squared: float | None
    model: str | None
    mase: float | None = Field(description="Backtest MASE of the chosen model (< 1 beats naive)")
    naive_mase: float | None = Field(description="Backtest MASE of seasonal naive")
    band_coverage: float | None = Field(
        default=None,
        description="Share of a week held back that fell inside the P10-P90 band simulated "
        "from the days before it (nominally 0.8)",
    )
    unreliable_reason: str | None = Field(
        description="Why the forecast is unreliable (worse than seasonal naive), else null"
    )
    saturation_date: datetime | None = Field(
        description="P50 crossing date of the simulated future paths (expected)"
    )
    saturation_date_earliest: datetime | None = Field(
        description="P10 crossing date: one chance in ten of a crossing before it"
    )
    saturation_date_latest: datetime | None = Field(
        description="P90 crossing date: nine chances in ten of a crossing by it"
    )
    crossing_probability: float | None = Field(
        description="Probability of a crossing within the horizon (share of simulated paths)"
    )
    risk: RiskLevel | None = Field(
        default=None,
        description="likely: a crossing within the horizon has a chance of "
        f"{LIKELY_PROBABILITY} or more (crossing_probability; likely on the IPCC scale, the P50 "
        f"date within it), capacity is proposed; possible: {POSSIBLE_PROBABILITY} to under "
        f"{LIKELY_PROBABILITY} (as likely as not or less, the P10 date within it), a watch "
        f"item, nothing proposed; null: under {POSSIBLE_PROBABILITY} or no threshold",
    )
    order_by_date: datetime | None = Field(
        description="P50 crossing date minus the procurement lead time (likely saturations)"
    )
    days_to_saturation: float | None
    saturation_probability: float | None = Field(
        description="Probability of the crossing by the P50 date (likely), else by the P10 date "
        "(possible): nominally 0.5 (0.1 for the P10 date), calibrated on past outcomes once "
        "auto-learning has applied a calibrator"
    )
    recommendation: dict[str, Any] | None = Field(
        description='action "add" (amount, unit, monthly_cost: a likely saturation), "watch" (a '
        'possible one, nothing proposed), "investigate" (a leak) or "none" (no host facts)'
    )
    history_days: float | None
    calendar: dict[str, Any] | None = Field(
        default=None,
        description="Month-end peaks the forecast adds: the calendar `days` with an effect, "
        "learned from `history_days` of history (longer than the model's window); null: none "
        "recurred",
    )
    full_forecast_at: datetime | None = Field(
        description="When a provisional estimate's series has the minimum history"
    )
    created_at: datetime


class CapacityForecastsPublic(BaseModel):
    data: list[CapacityForecastPublic]
    count: int
