"""The trend of one resource series: how fast it grows, how sure that is, and where it is now.

Hourly levels since the series' last downward level shift (a cleanup, a resize, a restart
starts a new regime; `resync.capacity.forecasting.level_shift`; a step up is part of the growth), at
most the last `maintenance_trend_days`. The hour-of-day
rhythm is estimated from the residuals of a first line and removed. A leak or a degrading link
often starts mid-window, so the final least-squares fit is a hinge: flat, then a line from the
hour that fits best (the first hour when that is a plain line). The slope's standard
error is widened for autocorrelated residuals (lag-1, effective sample size). The rhythm's
highest hour is kept: a resource fails at its daily peak.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl
from scipy import stats

from resync.capacity.forecasting.level_shift import detect_level_shifts
from resync.capacity.forecasting.resample import fill_gaps
from resync.capacity.forecasting.trend import fit_linear_trend

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class ResourceTrend:
    """A line through a resource's recent hourly levels, per day, with its uncertainty."""

    slope_per_day: float
    slope_stderr_per_day: float
    level_now: float
    daily_peak_excess: float
    r_squared: float
    p_value: float
    residual_sd: float
    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)


def _hour_profile(residuals: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """Mean residual of each hour of the day (centred), as a value per sample."""
    sums = np.bincount(hours, weights=residuals, minlength=HOURS_PER_DAY)
    counts = np.bincount(hours, minlength=HOURS_PER_DAY)
    profile = np.divide(sums, counts, out=np.zeros(HOURS_PER_DAY), where=counts > 0)
    profile -= profile[counts > 0].mean()
    return profile


def _best_hinge(values: np.ndarray, last: int) -> int:
    """The hour `h` in [0, last] whose fit `a + b * max(0, step - h)` leaves the least error.

    For a two-parameter line the residual sum of squares is Syy - Sxy² / Sxx on centred sums;
    it is computed for every candidate hinge at once.
    """
    steps = np.arange(values.size, dtype=float)
    hinges = np.arange(last + 1, dtype=float)[:, None]
    ramps = np.maximum(steps[None, :] - hinges, 0.0)
    ramps -= ramps.mean(axis=1, keepdims=True)
    centred = values - values.mean()
    sxx = np.einsum("ij,ij->i", ramps, ramps)
    sxy = ramps @ centred
    explained = np.divide(sxy**2, sxx, out=np.zeros_like(sxx), where=sxx > 0)
    return int(np.argmax(explained))


def _hinge_fit(values: np.ndarray, hinge: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Least squares of `a + b * max(0, step - hinge)`: coefficients, design, residual SS."""
    steps = np.arange(values.size, dtype=float)
    design = np.column_stack([np.ones(values.size), np.maximum(steps - hinge, 0.0)])
    coefficients, *_ = np.linalg.lstsq(design, values, rcond=None)
    residuals = values - design @ coefficients
    return coefficients, design, float(residuals @ residuals)


def fit_resource_trend(
    hourly: pl.DataFrame, trend_days: int, min_trend_days: float
) -> ResourceTrend | None:
    """The trend of an hourly series (`sample_time`, `value`), or None when too short."""
    series = fill_gaps(hourly.select("sample_time", "value").sort("sample_time"), "1h")
    values = series["value"].to_numpy()
    times = series["sample_time"]
    drops = [shift.index for shift in detect_level_shifts(values) if shift.size < 0]
    start = max([0, *drops, values.size - trend_days * HOURS_PER_DAY])
    values, times = values[start:], times[start:]
    minimum = int(min_trend_days * HOURS_PER_DAY)
    if values.size < max(minimum, 2 * HOURS_PER_DAY):
        return None
    steps = np.arange(values.size, dtype=float)
    hours = times.dt.hour().to_numpy().astype(int)
    profile = _hour_profile(values - fit_linear_trend(values).at(steps), hours)
    adjusted = values - profile[hours]
    hinge = _best_hinge(adjusted, values.size - minimum)
    (intercept, slope), design, squares = _hinge_fit(adjusted, hinge)
    residuals = adjusted - design @ np.array([intercept, slope])
    total = float(np.sum((adjusted - adjusted.mean()) ** 2))
    residual_sd = float(np.sqrt(squares / max(values.size - 2, 1)))
    stderr = residual_sd * float(np.sqrt(np.linalg.inv(design.T @ design)[1, 1]))
    lag_one = float(np.corrcoef(residuals[:-1], residuals[1:])[0, 1]) if residual_sd > 0 else 0.0
    lag_one = min(max(lag_one, 0.0), 0.95) if np.isfinite(lag_one) else 0.0
    stderr *= float(np.sqrt((1 + lag_one) / (1 - lag_one)))
    if stderr > 0:
        degrees = max((values.size - hinge) * (1 - lag_one) / (1 + lag_one) - 2, 1.0)
        p_value = float(stats.t.sf(slope / stderr, degrees))
    else:
        p_value = 0.0 if slope > 0 else 1.0
    return ResourceTrend(
        slope_per_day=float(slope) * HOURS_PER_DAY,
        slope_stderr_per_day=stderr * HOURS_PER_DAY,
        level_now=float(intercept + slope * (values.size - 1 - hinge)),
        daily_peak_excess=float(profile.max()),
        r_squared=1.0 - squares / total if total > 0 else 1.0,
        p_value=p_value,
        residual_sd=residual_sd,
        start=times[hinge],
        end=times[-1],
    )
