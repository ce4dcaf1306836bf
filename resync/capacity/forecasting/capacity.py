"""Capacity forecast of one FTA resource from its raw samples, with the thresholds in settings.

The entry point flows and graph nodes call: resample the resource the way it saturates (CPU and
memory by hourly peak, disk by hourly level), forecast it for the configured horizon, and read
the saturation outlook against the seed's threshold for that resource.
"""

from dataclasses import dataclass
from functools import cached_property

import polars as pl

from resync.capacity.forecasting.calendar import MonthCalendar
from resync.capacity.forecasting.forecaster import Forecast, InsufficientHistory, forecast_series
from resync.capacity.forecasting.resample import RESOURCE_AGGREGATIONS, resample_hourly
from resync.capacity.forecasting.saturation import SaturationOutlook, saturation_outlook
from resync.capacity.resources import SaturatingResource
from resync.settings import Settings, get_settings

PERCENT_BOUNDS = (0.0, 100.0)


@dataclass(frozen=True)
class ResourceForecast:
    """A resource's forecast, or why there is none, and the saturation outlook of `threshold`
    read off it when first asked for."""

    resource: SaturatingResource
    forecast: Forecast | InsufficientHistory
    threshold: float
    lead_time_days: int

    @cached_property
    def saturation(self) -> SaturationOutlook | None:
        if isinstance(self.forecast, InsufficientHistory):
            return None
        return saturation_outlook(self.forecast, self.threshold, self.lead_time_days)


def saturation_threshold(resource: SaturatingResource, settings: Settings) -> float:
    """The seed's saturation threshold for the resource (percent)."""
    return {
        "cpu": settings.cpu_saturation_percent,
        "memory": settings.memory_saturation_percent,
        "disk": settings.disk_saturation_percent,
    }[resource]


def forecast_resource(
    samples: pl.DataFrame,
    resource: SaturatingResource,
    value_column: str | None = None,
    settings: Settings | None = None,
    preferred_model: str | None = None,
    calendar: MonthCalendar | None = None,
) -> ResourceForecast:
    """Forecast `resource` from 5-minute samples (`sample_time` and `<resource>_percent`);
    `preferred_model` is the model auto-learning prefers for this series, if any; `calendar`
    the month's-turn effects learned from its longer history."""
    settings = settings or get_settings()
    hourly = resample_hourly(
        samples,
        value_column=value_column or f"{resource}_percent",
        aggregation=RESOURCE_AGGREGATIONS[resource],
    )
    forecast = forecast_series(
        hourly,
        horizon_days=settings.forecast_horizon_days,
        minimum_history_days=settings.forecast_min_history_days,
        bounds=PERCENT_BOUNDS,
        preferred_model=preferred_model,
        calendar=calendar,
    )
    return ResourceForecast(
        resource,
        forecast,
        saturation_threshold(resource, settings),
        settings.procurement_lead_time_days,
    )
