"""When a resource crosses its threshold, as a distribution: simulated future paths of its daily
peak (or level), their P10/P50/P90 crossing dates and the probability of a crossing at all.

A daily series is read as a trend line, a level that may wander (a random walk, as a disk that
fills by irregular amounts does) and day-to-day noise. Each simulated path draws:

- its trend from a refit on a moving-block bootstrap of the residuals (the uncertainty of the
  level and the slope); a slope within `TREND_Z` standard errors of zero is no trend at all, so
  a flat host's interval stays as wide as its noise instead of opening with the horizon. The
  error is the bootstrap's, or the one deviations that persist for days give a line (their
  lag-one autocorrelation, bias-corrected), whichever is larger: a level that wanders and
  returns over a month draws a line that is not a trend;
- for a series with a trend, a random walk whose step variance is read from the residuals'
  day-to-day changes (less what day-to-day noise adds to them), with the drift uncertainty a
  walk brings, and a slope that walks on as much as the lines of the history's consecutive
  weeks say it did (growth that speeds up and stalls). A series without a trend returns to its
  level: no walk;
- its noise as the residuals' mean for each day of the week (a weekly batch peak recurs on its
  weekday) plus blocks of what is left of them, a week long, from anywhere in the history.

With a month calendar (`resync.capacity.forecasting.calendar`), the paths are simulated from the
history without its month's-turn effects and carry them on the days they recur
(`calendar_steps`).

The constants were tuned on `benchmarks/crossing_calibration.py`'s tuning seeds.
"""

from dataclasses import dataclass

import numpy as np

from resync.capacity.forecasting.decomposition import HOURS_PER_DAY
from resync.capacity.forecasting.level_shift import detect_level_shifts
from resync.capacity.forecasting.wandering import (
    random_walk_variance,
    slope_drift_variance,
    slope_error,
)

PATHS = 1000
TREND_Z = 2.5
WEEK = 7
QUANTILES = {"lo95": 0.025, "lo80": 0.10, "mean": 0.50, "hi80": 0.90, "hi95": 0.975}


@dataclass(frozen=True)
class CrossingDistribution:
    """Crossing steps ahead (1 = the first future step) at P10/P50/P90, None when fewer than
    that share of paths cross within the horizon; the path quantiles by step for the chart."""

    probability: float
    p10: float | None
    p50: float | None
    p90: float | None
    slope_per_step: float
    bands: dict[str, np.ndarray]
    crossings: np.ndarray
    """Every path's crossing step, sorted (infinite for a path that does not cross)."""

    def share_before(self, step: float) -> float:
        """The share of paths crossing strictly before `step`."""
        return float(np.searchsorted(self.crossings, step, side="left")) / self.crossings.size

    def share_by(self, step: float) -> float:
        """The share of paths crossing at or before `step`."""
        return float(np.searchsorted(self.crossings, step, side="right")) / self.crossings.size


def _line(values: np.ndarray) -> tuple[float, float]:
    steps = np.arange(values.size, dtype=float)
    slope, intercept = np.polyfit(steps, values, 1)
    return float(intercept), float(slope)


def _moving_blocks(
    size: int, block: int, rng: np.random.Generator, length: int | None = None
) -> np.ndarray:
    """`PATHS` rows of `length` (else `size`) indices into a series of `size`: blocks of
    `block` steps starting anywhere."""
    length = size if length is None else length
    starts = rng.integers(0, size - block + 1, size=(PATHS, -(-length // block)))
    return (starts[:, :, None] + np.arange(block)).reshape(PATHS, -1)[:, :length]


def _noise_paths(
    noise: np.ndarray, horizon: int, block: int, rng: np.random.Generator
) -> np.ndarray:
    """`PATHS` × `horizon` of noise: the mean of each step of the week (`block` steps) on its
    own step, so a weekly batch peak recurs on its weekday, plus what is left of the noise in
    blocks from anywhere in the history, so each day draws from every day's spread and not only
    from the few of its own weekday."""
    size = noise.size
    weekday = np.arange(size) % block
    profile = np.zeros(block)
    if size >= 2 * block:
        counts = np.bincount(weekday, minlength=block)
        profile = np.bincount(weekday, weights=noise, minlength=block) / counts
        # A few weeks make a noisy profile: it is shrunk towards none as far as the spread of
        # the weekdays' means is what their noise alone would give (James-Stein).
        within = float(np.sum((noise - profile[weekday]) ** 2)) / (size - block)
        between = float(counts @ profile**2) / (block - 1)
        profile *= max(0.0, 1.0 - within / between) if between > 0.0 else 0.0
    # Residuals are closer to their fitted line than new values will be: the usual
    # degrees-of-freedom correction for the line's two parameters.
    remainder = (noise - profile[weekday]) * np.sqrt(size / max(size - 2, 1))
    ahead = profile[(size + np.arange(horizon)) % block]
    return ahead[None, :] + remainder[_moving_blocks(size, block, rng, horizon)]


def simulate_paths(
    values: np.ndarray, horizon: int, block: int = WEEK, seed: int = 0
) -> tuple[np.ndarray, float]:
    """`PATHS` × `horizon` simulated future values of `values`, and the trend slope used."""
    values = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    size = values.size
    block = min(block, max(1, size // 2))
    intercept, slope = _line(values)
    fitted = intercept + slope * np.arange(size)
    residuals = values - fitted
    # Blocks of a third of the history at any start: a refit sees the residuals' slow swings
    # and their spikes anywhere, as the next month may.
    resampled = residuals[_moving_blocks(size, max(block, size // 3), rng)]
    refits = fitted[None, :] + resampled
    steps = np.arange(size, dtype=float)
    centred = steps - steps.mean()
    slopes = (refits - refits.mean(axis=1, keepdims=True)) @ centred / float(centred @ centred)
    ahead = np.arange(1, horizon + 1, dtype=float)
    if abs(slope) < TREND_Z * slope_error(residuals, slopes, centred):
        slope = 0.0
        residuals = values - values.mean()
        levels_now = values.mean() + (resampled - resampled.mean()).mean(axis=1)
        paths = np.repeat(levels_now[:, None], horizon, axis=1)
        noise = residuals
    else:
        walk_variance = random_walk_variance(residuals)
        # A walk's drift is known only to its step size over the history's length.
        slopes = slopes + rng.normal(0.0, np.sqrt(walk_variance / size), PATHS)
        levels_now = refits.mean(axis=1) + slopes * (size - 1 - steps.mean())
        paths = levels_now[:, None] + slopes[:, None] * ahead[None, :]
        # The walk has already carried the level away from the line: start from where the
        # recent residuals say it is, and let it walk on, its slope with it.
        changes = rng.normal(0.0, np.sqrt(walk_variance), (PATHS, horizon))
        drift_variance = slope_drift_variance(values, block)
        if drift_variance > 0.0:
            changes += rng.normal(0.0, np.sqrt(drift_variance), (PATHS, horizon)).cumsum(axis=1)
        paths += residuals[-block:].mean() + changes.cumsum(axis=1)
        noise = residuals - np.convolve(residuals, np.ones(block) / block, mode="same")
    paths += _noise_paths(noise, horizon, block, rng)
    return paths, slope


def crossing_distribution(
    values: np.ndarray,
    threshold: float,
    horizon: int,
    bounds: tuple[float, float] = (0.0, 100.0),
    block: int = WEEK,
    calendar: np.ndarray | None = None,
) -> CrossingDistribution:
    """The distribution of the first step at or above `threshold` over simulated paths, with
    `calendar` (the month's-turn effect on each step, if any) added to every path."""
    paths, slope = simulate_paths(values, horizon, block)
    if calendar is not None:
        paths += calendar[None, :]
    paths = np.clip(paths, *bounds)
    crossed = paths >= threshold
    first = np.where(crossed.any(axis=1), crossed.argmax(axis=1) + 1.0, np.inf)
    probability = float(np.mean(np.isfinite(first)))

    def quantile(share: float) -> float | None:
        value = float(np.quantile(first, share, method="inverted_cdf"))
        return value if np.isfinite(value) else None

    # Each step's paths sorted once: the five quantiles then read them in order, where each
    # would otherwise partition all of them again.
    by_step = np.quantile(np.sort(paths, axis=0), list(QUANTILES.values()), axis=0)
    bands = dict(zip(QUANTILES, by_step, strict=True))
    return CrossingDistribution(
        probability, quantile(0.1), quantile(0.5), quantile(0.9), slope, bands, np.sort(first)
    )


def since_last_drop(hourly: np.ndarray) -> np.ndarray:
    """The hourly series with the level before each drop (a cleanup) moved onto the level after
    it. A step up stays: a jump that happened once can happen again, and the paths should know.
    """
    aligned = hourly.copy()
    for shift in detect_level_shifts(hourly, window=HOURS_PER_DAY):
        if shift.size < 0:
            aligned[: shift.index] += shift.size
    return aligned


def daily_values(hourly: np.ndarray, aggregation: str, steps_per_day: int = 1) -> np.ndarray:
    """An hourly series read as daily peaks (`aggregation` "peak") or levels ("level") after
    its cleanups (`since_last_drop`), `steps_per_day` times a day (more than once for a short
    history)."""
    hours = HOURS_PER_DAY // steps_per_day
    modelled = since_last_drop(np.asarray(hourly, dtype=float))
    # A day's peak or level every `hours`, over the trailing day: the daily rhythm is in every
    # value alike, so a short history's trend is not read off its afternoons and nights.
    days = np.lib.stride_tricks.sliding_window_view(modelled, HOURS_PER_DAY)
    days = days[(days.shape[0] - 1) % hours :: hours]
    return days.max(axis=1) if aggregation == "peak" else days.mean(axis=1)


def calendar_steps(
    hourly: np.ndarray, offsets: np.ndarray, aggregation: str, steps: int, steps_per_day: int = 1
) -> np.ndarray:
    """The month's-turn effect on each of the `steps` future daily peaks or levels read
    `steps_per_day` times a day, from `offsets`, the hourly effect over the history `hourly` and
    after it: a typical day (the median of the last week's days, hour by hour) with the effect
    of the day that ends at that step added, less without it. A month-end load that lands in the
    night lifts a daily peak by less than it adds to the night."""
    size, hours = hourly.size, HOURS_PER_DAY // steps_per_day
    days = min(WEEK, size // HOURS_PER_DAY)
    typical = np.median(hourly[size - days * HOURS_PER_DAY :].reshape(days, -1), axis=0)
    ends = size - HOURS_PER_DAY + hours * np.arange(1, steps + 1)[:, None]
    window = ends + np.arange(HOURS_PER_DAY)
    day = typical[(window - size) % HOURS_PER_DAY]
    aggregate = np.max if aggregation == "peak" else np.mean
    return aggregate(day + offsets[window], axis=1) - aggregate(day, axis=1)


def hourly_crossing(
    hourly: np.ndarray,
    aggregation: str,
    threshold: float,
    horizon_days: int,
    steps_per_day: int = 1,
    calendar: np.ndarray | None = None,
) -> CrossingDistribution:
    """`crossing_distribution` of an hourly series read as `daily_values`; crossing steps are
    converted to days. `calendar` is the month's-turn effect at each hour of the history and of
    the horizon after it: the paths are simulated from the history without it and carry it on
    the days it recurs, so a month-end peak dates a crossing at a month end."""
    hourly = np.asarray(hourly, dtype=float)
    steps = horizon_days * steps_per_day
    ahead = None
    if calendar is not None and np.any(calendar):
        hourly = hourly - calendar[: hourly.size]
        ahead = calendar_steps(hourly, calendar, aggregation, steps, steps_per_day)
    result = crossing_distribution(
        daily_values(hourly, aggregation, steps_per_day),
        threshold,
        steps,
        block=WEEK * steps_per_day,
        calendar=ahead,
    )

    def days(step: float | None) -> float | None:
        return None if step is None else step / steps_per_day

    return CrossingDistribution(
        result.probability,
        days(result.p10),
        days(result.p50),
        days(result.p90),
        result.slope_per_step * steps_per_day,
        result.bands,
        result.crossings / steps_per_day,
    )
