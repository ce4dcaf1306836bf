"""Trend lines fitted to a series: ordinary least squares with R² (the seed's), and Theil–Sen.

OLS is what an operator expects to see ("growing 0.4 points a day, R² 0.93"); one disk cleanup
or a burst of outliers drags it, so the median-of-slopes Theil–Sen line is fitted beside it and
is the one the forecaster extrapolates.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

MAXIMUM_CACHED_SIZE = 200


@dataclass(frozen=True)
class TrendFit:
    """A straight line `value = intercept + slope_per_step * step` and how well it fits."""

    method: str
    slope_per_step: float
    intercept: float
    r_squared: float

    def at(self, steps: np.ndarray) -> np.ndarray:
        return self.intercept + self.slope_per_step * steps


def _r_squared(values: np.ndarray, fitted: np.ndarray) -> float:
    total = float(np.sum((values - values.mean()) ** 2))
    if total == 0.0:
        return 1.0
    return 1.0 - float(np.sum((values - fitted) ** 2)) / total


def fit_linear_trend(values: np.ndarray) -> TrendFit:
    """Least-squares line through the series (steps 0, 1, …) and its R²."""
    values = np.asarray(values, dtype=float)
    steps = np.arange(values.size, dtype=float)
    if values.size < 2:
        return TrendFit("ols", 0.0, float(values.mean()) if values.size else 0.0, 0.0)
    slope, intercept = np.polyfit(steps, values, 1)
    return TrendFit(
        "ols", float(slope), float(intercept), _r_squared(values, intercept + slope * steps)
    )


@lru_cache(maxsize=64)
def _pairs(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of steps `i < j` of a series of `size`, and their distance `j - i`; kept for
    the short series the forecaster refits at every backtest origin (64 sizes of at most
    `MAXIMUM_CACHED_SIZE` steps: 20 MB at worst)."""
    first, second = np.triu_indices(size, 1)
    return first.astype(np.int32), second.astype(np.int32), (second - first).astype(float)


def theil_sen_slope(values: np.ndarray) -> float:
    """The median of the pairwise slopes of a series of two steps or more (the slope of its
    Theil–Sen line, without the intercept and R² the forecaster's candidates do not read)."""
    pairs = _pairs if values.size <= MAXIMUM_CACHED_SIZE else _pairs.__wrapped__
    first, second, distance = pairs(values.size)
    # take() gathers by the cached 32-bit indices without first widening them to 64 bits.
    return float(np.median((values.take(second) - values.take(first)) / distance))


def fit_theil_sen_trend(values: np.ndarray) -> TrendFit:
    """Theil–Sen line (median of pairwise slopes, intercept through the medians, as scipy's
    `theilslopes`): robust to outliers and short excursions."""
    values = np.asarray(values, dtype=float)
    steps = np.arange(values.size, dtype=float)
    if values.size < 2:
        return TrendFit("theil_sen", 0.0, float(values.mean()) if values.size else 0.0, 0.0)
    slope = theil_sen_slope(values)
    intercept = float(np.median(values)) - slope * float(np.median(steps))
    fitted = intercept + slope * steps
    return TrendFit("theil_sen", float(slope), float(intercept), _r_squared(values, fitted))
