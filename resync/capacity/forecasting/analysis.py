"""Trend analysis of an hourly series: what the report says about the history itself.

The seed's linear trend with R², the robust Theil–Sen slope beside it (both per day, both
fitted to the series without its seasonal component), the STL view of the rhythm (which cycles
were estimated and how strong they are), and how much of the hourly grid was interpolated.
"""

from dataclasses import dataclass

import polars as pl

from resync.capacity.forecasting.decomposition import HOURS_PER_DAY, decompose
from resync.capacity.forecasting.trend import fit_linear_trend, fit_theil_sen_trend


@dataclass(frozen=True)
class TrendAnalysis:
    """Slopes in value units per day; `seasonal_periods` in hours (24, and 168 past 2 weeks)."""

    history_days: float
    linear_slope_per_day: float
    linear_r_squared: float
    theil_sen_slope_per_day: float
    seasonal_periods: tuple[int, ...]
    seasonal_strength: float
    filled_fraction: float


def analyze_trend(hourly: pl.DataFrame) -> TrendAnalysis:
    """Trend lines and seasonality of an hourly series (`value`, optional `filled`)."""
    values = hourly.sort("sample_time")["value"].cast(pl.Float64).to_numpy()
    decomposition = decompose(values)
    # Lines through the deseasonalised series: R² then says how much of what is not the daily
    # (and weekly) rhythm the trend explains, and the slopes do not depend on the hour it ends.
    adjusted = values - decomposition.seasonal
    linear = fit_linear_trend(adjusted)
    robust = fit_theil_sen_trend(adjusted)
    filled = float(hourly["filled"].mean()) if "filled" in hourly.columns and hourly.height else 0.0
    return TrendAnalysis(
        history_days=values.size / HOURS_PER_DAY,
        linear_slope_per_day=linear.slope_per_step * HOURS_PER_DAY,
        linear_r_squared=linear.r_squared,
        theil_sen_slope_per_day=robust.slope_per_step * HOURS_PER_DAY,
        seasonal_periods=decomposition.periods,
        seasonal_strength=decomposition.seasonal_strength,
        filled_fraction=filled,
    )


def daily_peaks(frame: pl.DataFrame) -> pl.DataFrame:
    """A forecast frame (hourly) as daily peaks: the highest value of each column per day."""
    return (
        frame.group_by(pl.col("sample_time").dt.truncate("1d"))
        .agg(pl.exclude("sample_time").max())
        .sort("sample_time")
    )
