"""Candidate point forecasters: evenly spaced history in, `horizon` future values out.

Every candidate is a plain function `(history, horizon, season_length) -> forecast`, so the
backtest treats them alike. Seasonal-naive and naive are the baselines a forecast has to beat;
the others separate the rhythm of the day (and week) from the level and the trend:

- `seasonal_level`: the recent level plus the seasonal profile, no trend (flat hosts);
- `seasonal_trend`: the recent level, the seasonal profile and a Theil–Sen trend of the
  deseasonalised series (steadily filling disks, growing workloads);
- `weekly_trend`: `seasonal_trend` with day-of-week offsets, once two weeks are there;
- `accelerating_trend`: the seasonal profile and a quadratic trend (growth that speeds up);
- `theta`: the Theta method (Assimakopoulos & Nikolopoulos 2000, as statsmodels' `ThetaModel`
  fits it): simple exponential smoothing plus half the drift, on the series with its daily
  profile removed when the autocorrelation test finds one (the M3 competition's winner and a
  strong default). The drift is the Theil–Sen slope rather than the least-squares one, so a
  dip or a burst near the end of the history does not tilt the whole forecast.

Everything is numpy and one C filter: a backtest refits every candidate at every origin, so a
candidate costs well under a millisecond on 30 days of hours.
"""

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.signal import lfilter

from resync.capacity.forecasting.trend import TrendFit, theil_sen_slope

PointForecaster = Callable[[np.ndarray, int, int], np.ndarray]

TREND_WINDOW_SEASONS = 14
LEVEL_WINDOW_SEASONS = 1
PROFILE_SEASONS = 7
TREND_BLOCKS_PER_SEASON = 12
MAXIMUM_TREND_BLOCKS = 168
SEASONALITY_CRITICAL_VALUE = 2.705543454095404  # chi-squared(1) at 10 %, as statsmodels' Theta


def naive(history: np.ndarray, horizon: int, season_length: int) -> np.ndarray:
    """The last value, held."""
    return np.full(horizon, float(history[-1]))


def seasonal_naive(history: np.ndarray, horizon: int, season_length: int) -> np.ndarray:
    """The last full season, repeated."""
    last_season = history[-season_length:]
    return np.resize(last_season, horizon).astype(float)


def _seasonal_profile(seasonal: np.ndarray, horizon: int, season_length: int) -> np.ndarray:
    """The seasonal component continued: the last season's shape repeated over the horizon."""
    return np.resize(seasonal[-season_length:], horizon)


def _deseasonalised(history: np.ndarray, season_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Seasonal indices by phase: the median, over the last seasons, of the series minus its
    centred one-season moving average (a classical decomposition: fast enough to refit at every
    backtest origin; `decompose` gives the full STL for reporting). The arrays are read-only:
    every candidate at a backtest origin asks for the same history's, computed once."""
    return _decomposition(np.asarray(history, dtype=float).tobytes(), season_length)


@lru_cache(maxsize=16)
def _decomposition(data: bytes, season_length: int) -> tuple[np.ndarray, np.ndarray]:
    history = np.frombuffer(data)
    if history.size < 2 * season_length:
        adjusted, seasonal = history.copy(), np.zeros(history.size)
    else:
        kernel = np.ones(season_length) / season_length
        smooth = np.convolve(history, kernel, mode="same")
        half = season_length // 2
        smooth[:half] = smooth[half]
        smooth[-half:] = smooth[-half - 1]
        detrended = history - smooth
        seasons = min(history.size // season_length, PROFILE_SEASONS)
        recent = detrended[-seasons * season_length :].reshape(seasons, season_length)
        profile = np.median(recent, axis=0)
        profile -= profile.mean()
        phase = (np.arange(history.size) - (history.size - seasons * season_length)) % season_length
        seasonal = profile[phase]
        adjusted = history - seasonal
    adjusted.flags.writeable = False
    seasonal.flags.writeable = False
    return adjusted, seasonal


def seasonal_level(history: np.ndarray, horizon: int, season_length: int) -> np.ndarray:
    """Median deseasonalised level of the last season plus the seasonal profile."""
    adjusted, seasonal = _deseasonalised(history, season_length)
    level = float(np.median(adjusted[-LEVEL_WINDOW_SEASONS * season_length :]))
    return level + _seasonal_profile(seasonal, horizon, season_length)


def _day_of_week(adjusted: np.ndarray, season_length: int) -> np.ndarray:
    """Day-of-week offsets of a daily-deseasonalised series (zeros before two full weeks).

    Each day's offset is the median, over the last weeks and the day's hours, of the series
    minus its centred one-week moving average: seven robust numbers, not 168 noisy ones.
    """
    week = 7 * season_length
    if adjusted.size <= 2 * week:
        return np.zeros(adjusted.size)
    smooth = np.convolve(adjusted, np.ones(week) / week, mode="same")
    half = week // 2
    smooth[:half] = smooth[half]
    smooth[-half:] = smooth[-half - 1]
    weeks = min(adjusted.size // week, PROFILE_SEASONS)
    recent = (adjusted - smooth)[-weeks * week :].reshape(weeks, 7, season_length)
    offsets = np.median(recent.transpose(1, 0, 2).reshape(7, -1), axis=1)
    offsets -= offsets.mean()
    day = ((np.arange(adjusted.size) - (adjusted.size - weeks * week)) // season_length) % 7
    return offsets[day]


def _theil_sen_slope(values: np.ndarray, season_length: int) -> float:
    """Theil–Sen slope per step through the medians of blocks of steps: a twelfth of a season
    (two hours) or more, so that there are at most `MAXIMUM_TREND_BLOCKS`. The block medians
    keep it robust to spikes, at a fraction of the pairs of every step."""
    block = max(
        1, season_length // TREND_BLOCKS_PER_SEASON, -(-values.size // MAXIMUM_TREND_BLOCKS)
    )
    blocks = values.size // block
    if blocks < 2:
        return theil_sen_slope(values) if values.size >= 2 else 0.0
    medians = np.median(values[values.size - blocks * block :].reshape(blocks, block), axis=1)
    return theil_sen_slope(medians) / block


def _trend_extrapolation(adjusted: np.ndarray, horizon: int, season_length: int) -> np.ndarray:
    """Theil–Sen line of the recent deseasonalised series, anchored on its last season."""
    window = adjusted[-TREND_WINDOW_SEASONS * season_length :]
    trend = TrendFit("theil_sen", _theil_sen_slope(window, season_length), 0.0, 0.0)
    recent = season_length * LEVEL_WINDOW_SEASONS
    steps = np.arange(window.size, dtype=float)
    offset = float(np.median(window[-recent:] - trend.at(steps[-recent:])))
    future = np.arange(window.size, window.size + horizon, dtype=float)
    return trend.at(future) + offset


def seasonal_trend(history: np.ndarray, horizon: int, season_length: int) -> np.ndarray:
    """Recent level, seasonal profile and the Theil–Sen slope of the deseasonalised series."""
    adjusted, seasonal = _deseasonalised(history, season_length)
    return _trend_extrapolation(adjusted, horizon, season_length) + _seasonal_profile(
        seasonal, horizon, season_length
    )


def weekly_trend(history: np.ndarray, horizon: int, season_length: int) -> np.ndarray:
    """`seasonal_trend` with day-of-week offsets as well (weekend batch runs), past two weeks."""
    adjusted, seasonal = _deseasonalised(history, season_length)
    weekly = _day_of_week(adjusted, season_length)
    return (
        _trend_extrapolation(adjusted - weekly, horizon, season_length)
        + _seasonal_profile(seasonal, horizon, season_length)
        + _seasonal_profile(weekly, horizon, 7 * season_length)
    )


def accelerating_trend(history: np.ndarray, horizon: int, season_length: int) -> np.ndarray:
    """Seasonal profile plus a quadratic through the whole deseasonalised history (growth that
    speeds up); chosen only where the backtest shows it, as its long-range bend is uncertain."""
    adjusted, seasonal = _deseasonalised(history, season_length)
    steps = np.arange(adjusted.size, dtype=float)
    coefficients = np.polyfit(steps, adjusted, 2)
    recent = season_length * LEVEL_WINDOW_SEASONS
    offset = float(np.median(adjusted[-recent:] - np.polyval(coefficients, steps[-recent:])))
    future = np.arange(adjusted.size, adjusted.size + horizon, dtype=float)
    return (
        np.polyval(coefficients, future)
        + offset
        + _seasonal_profile(seasonal, horizon, season_length)
    )


def _is_seasonal(history: np.ndarray, season_length: int) -> bool:
    """statsmodels' Theta test: the autocorrelation at one season against those below it."""
    centred = history - history.mean()
    denominator = float(centred @ centred)
    if denominator == 0.0:
        return False
    rho = np.array(
        [1.0]
        + [float(centred[:-lag] @ centred[lag:]) / denominator for lag in range(1, season_length)]
    )
    last = float(centred[:-season_length] @ centred[season_length:]) / denominator
    return history.size * last**2 / float(np.sum(rho**2)) > SEASONALITY_CRITICAL_VALUE


def _ses_levels(values: np.ndarray, alpha: float) -> np.ndarray:
    """Simple exponential smoothing levels from a known first level, `values[0]`."""
    levels, _ = lfilter([alpha], [1.0, alpha - 1.0], values, zi=[(1.0 - alpha) * values[0]])
    return levels


def _ses_alpha(values: np.ndarray) -> float:
    """The smoothing weight of least one-step squared error, in (0, 1]."""

    def squared_error(alpha: float) -> float:
        return float(np.sum((values[1:] - _ses_levels(values, alpha)[:-1]) ** 2))

    fit = minimize_scalar(
        squared_error, bounds=(1e-4, 1.0), method="bounded", options={"xatol": 1e-3}
    )
    return float(fit.x)


def theta(history: np.ndarray, horizon: int, season_length: int) -> np.ndarray:
    """The Theta method on the additively deseasonalised series."""
    history = np.asarray(history, dtype=float)
    if history.size >= 2 * season_length and _is_seasonal(history, season_length):
        adjusted, seasonal = _deseasonalised(history, season_length)
        season = _seasonal_profile(seasonal, horizon, season_length)
    else:
        adjusted, season = history, np.zeros(horizon)
    drift = _theil_sen_slope(adjusted, season_length)
    alpha = _ses_alpha(adjusted)
    level = float(_ses_levels(adjusted, alpha)[-1])
    ahead = np.arange(horizon, dtype=float) + 1.0 / alpha - (1.0 - alpha) ** adjusted.size / alpha
    return level + 0.5 * drift * ahead + season


CANDIDATES: dict[str, PointForecaster] = {
    "seasonal_naive": seasonal_naive,
    "seasonal_level": seasonal_level,
    "seasonal_trend": seasonal_trend,
    "theta": theta,
    "weekly_trend": weekly_trend,
    "accelerating_trend": accelerating_trend,
}
