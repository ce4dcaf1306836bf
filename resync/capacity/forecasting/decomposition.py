"""Seasonal-trend decomposition (STL): daily seasonality, and weekly once two weeks are there.

Hourly FTA metrics carry a batch-window rhythm (the nightly plan, daytime jobs) and often a
weekly one (weekend runs). One week of data cannot tell a weekly pattern from noise, so the
weekly component is only estimated past two full weeks (statsmodels' MSTL); before that STL
with the daily period alone.
"""

from dataclasses import dataclass

import numpy as np
from statsmodels.tsa.seasonal import MSTL, STL

HOURS_PER_DAY = 24
HOURS_PER_WEEK = 168


@dataclass(frozen=True)
class Decomposition:
    """`values = trend + seasonal + residual`; `periods` names the seasonal cycles estimated."""

    trend: np.ndarray
    seasonal: np.ndarray
    residual: np.ndarray
    periods: tuple[int, ...]

    @property
    def seasonal_strength(self) -> float:
        """Hyndman's strength of seasonality, 0 (none) to 1 (the residual is negligible)."""
        detrended = self.seasonal + self.residual
        variance = float(np.var(detrended))
        if variance == 0.0:
            return 0.0
        return max(0.0, 1.0 - float(np.var(self.residual)) / variance)


def seasonal_periods(length: int, daily: int = HOURS_PER_DAY) -> tuple[int, ...]:
    """The cycles `length` steps support: daily past two days, weekly past two weeks."""
    weekly = daily * 7
    if length > 2 * weekly:
        return (daily, weekly)
    if length > 2 * daily:
        return (daily,)
    return ()


def decompose(values: np.ndarray, daily_period: int = HOURS_PER_DAY) -> Decomposition:
    """STL (or MSTL with a weekly cycle) of an evenly spaced series without gaps."""
    values = np.asarray(values, dtype=float)
    periods = seasonal_periods(values.size, daily_period)
    if not periods:
        trend = np.full(values.size, float(np.median(values)) if values.size else 0.0)
        return Decomposition(trend, np.zeros(values.size), values - trend, ())
    if len(periods) == 1:
        result = STL(values, period=periods[0], robust=True).fit()
        seasonal = np.asarray(result.seasonal)
    else:
        result = MSTL(values, periods=periods, stl_kwargs={"robust": True}).fit()
        seasonal = np.asarray(result.seasonal).reshape(values.size, -1).sum(axis=1)
    return Decomposition(
        np.asarray(result.trend), seasonal, np.asarray(result.resid), tuple(periods)
    )
