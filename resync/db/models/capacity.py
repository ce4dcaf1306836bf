"""Capacity forecast runs and their per-series forecasts."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from resync.db.models.base import Base, JsonDocument, UtcDateTime, utcnow


class CapacityForecastRun(Base):
    """One capacity-forecast run: its window, how many FTAs it covered and its insight paragraph.

    `analyst` is "deterministic" or the Claude model that wrote `insight`; `analyst_note` says
    why the deterministic analyst was used when it was.
    """

    __tablename__ = "capacity_forecast_runs"
    __table_args__ = (Index("ix_capacity_forecast_runs_started", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    flow_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    history_days: Mapped[int] = mapped_column(Integer)
    horizon_days: Mapped[int] = mapped_column(Integer)
    workstation_count: Mapped[int] = mapped_column(Integer, default=0)
    analyst: Mapped[str] = mapped_column(String(100), default="deterministic")
    insight: Mapped[str] = mapped_column(Text, default="")
    analyst_note: Mapped[str | None] = mapped_column(Text)
    # "estate": every FTA and resource with the standard window; "partial": an ad hoc run.
    scope: Mapped[str] = mapped_column(String(16), default="estate", server_default="estate")
    workstation_filter: Mapped[list[str] | None] = mapped_column(JsonDocument)
    resources: Mapped[list[str] | None] = mapped_column(JsonDocument)


class CapacityForecast(Base):
    """The forecast of one FTA × resource in one run, with its saturation dates and sizing.

    `risk` is the level `resync.capacity.risk` gives the crossing probability ("likely",
    "possible", None); `series` (history and the forecast with its bands) is kept only where it
    has one, for the report's charts.
    """

    __tablename__ = "capacity_forecasts"
    __table_args__ = (
        UniqueConstraint("run_id", "workstation", "resource", name="uq_capacity_forecasts_series"),
        Index("ix_capacity_forecasts_workstation", "workstation", "resource"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    run_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("capacity_forecast_runs.id", ondelete="CASCADE")
    )
    workstation: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
    threshold: Mapped[float | None] = mapped_column(Float)
    current_value: Mapped[float | None] = mapped_column(Float)
    trend_per_day: Mapped[float | None] = mapped_column(Float)
    r_squared: Mapped[float | None] = mapped_column(Float)
    model: Mapped[str | None] = mapped_column(String(40))
    mase: Mapped[float | None] = mapped_column(Float)
    saturation_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    saturation_date_earliest: Mapped[datetime | None] = mapped_column(UtcDateTime)
    saturation_date_latest: Mapped[datetime | None] = mapped_column(UtcDateTime)
    order_by_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    days_to_saturation: Mapped[float | None] = mapped_column(Float)
    # The calibrated probability of a crossing by the P50 date (likely), else the P10 date.
    saturation_probability: Mapped[float | None] = mapped_column(Float)
    # The share of simulated future paths crossing the threshold within the horizon.
    crossing_probability: Mapped[float | None] = mapped_column(Float)
    risk: Mapped[str | None] = mapped_column(String(8))
    naive_mase: Mapped[float | None] = mapped_column(Float)
    # The share of a week held back that fell inside the P10-P90 band of paths simulated from
    # the days before it (a backtest of the band on the series' own history).
    band_coverage: Mapped[float | None] = mapped_column(Float)
    unreliable_reason: Mapped[str | None] = mapped_column(Text)
    history_days: Mapped[float | None] = mapped_column(Float)
    full_forecast_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recommendation: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    series: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    # The month calendar the forecast used: its history's days and the calendar days with an
    # effect (None: no month-end effect recurred in the history read).
    calendar: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
