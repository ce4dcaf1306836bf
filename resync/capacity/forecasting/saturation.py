"""Saturation outlook: when a forecast crosses its threshold, and when to order before it does.

The expected date is the first forecast hour at or above the threshold; the earliest likely
date is the first hour the upper 80 % bound reaches it (one chance in ten of being crossed
earlier than that, if the intervals are honest). Neither within the horizon means no
saturation is foreseen, which is said as `None`, not as a far-away date. The order-by date is
the expected date minus the procurement lead time.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from resync.capacity.forecasting.forecaster import Forecast

EARLIEST_BOUND = "upper_80"


@dataclass(frozen=True)
class SaturationOutlook:
    """Crossing dates of `threshold` (None when not within the forecast horizon)."""

    threshold: float
    expected_at: datetime | None
    earliest_at: datetime | None
    order_by: date | None
    history_end: datetime

    @property
    def days_to_saturation(self) -> float | None:
        if self.expected_at is None:
            return None
        return (self.expected_at - self.history_end) / timedelta(days=1)


def first_crossing(frame: pl.DataFrame, column: str, threshold: float) -> datetime | None:
    """The first `sample_time` whose `column` is at or above `threshold`, or None."""
    crossed = frame.filter(pl.col(column) >= threshold)
    return None if crossed.is_empty() else crossed["sample_time"].min()


def saturation_outlook(
    forecast: Forecast, threshold: float, lead_time_days: int
) -> SaturationOutlook:
    """Expected and earliest likely crossing of `threshold`, and the order-by date."""
    expected = first_crossing(forecast.frame, "forecast", threshold)
    earliest = first_crossing(forecast.frame, EARLIEST_BOUND, threshold)
    order_by = None if expected is None else (expected - timedelta(days=lead_time_days)).date()
    return SaturationOutlook(threshold, expected, earliest, order_by, forecast.history_end)
