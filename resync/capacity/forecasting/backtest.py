"""Rolling-origin backtests: how each candidate would have done on the series' own recent past.

At each origin a candidate sees only the history before it and forecasts the next `horizon`
steps; its errors are scaled by the in-sample seasonal-naive error of that history (MASE,
Hyndman & Koehler 2006), so a score below 1 beats repeating the last season. The errors of the
chosen model, by how far ahead they were, also size its prediction intervals. The crossing
dates' band is backtested too: how often the days held back fell inside it.
"""

from dataclasses import dataclass

import numpy as np

from resync.capacity.forecasting.crossing import daily_values, simulate_paths
from resync.capacity.forecasting.models import PointForecaster

MISS_RATE_CORRECTION = 0.1
HELD_BACK_DAYS = 7


def seasonal_naive_scale(history: np.ndarray, season_length: int) -> float:
    """Mean absolute error of the in-sample seasonal-naive forecast (the MASE denominator)."""
    history = np.asarray(history, dtype=float)
    lag = season_length if history.size > season_length else 1
    scale = float(np.mean(np.abs(history[lag:] - history[:-lag])))
    if scale == 0.0:
        scale = float(np.mean(np.abs(np.diff(history)))) if history.size > 1 else 0.0
    return scale if scale > 0.0 else 1.0


def mase(
    actual: np.ndarray, forecast: np.ndarray, history: np.ndarray, season_length: int
) -> float:
    """Mean absolute scaled error of `forecast` against `actual`, scaled on `history`."""
    return _scaled_error(actual, forecast, seasonal_naive_scale(history, season_length))


def _scaled_error(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    error = np.mean(np.abs(np.asarray(actual, dtype=float) - np.asarray(forecast, dtype=float)))
    return float(error) / scale


@dataclass(frozen=True)
class BacktestResult:
    """Per candidate: MASE at each origin, and signed errors (origin × step ahead)."""

    origins: list[int]
    horizon: int
    scores: dict[str, np.ndarray]
    errors: dict[str, np.ndarray]

    def mean_mase(self, model: str) -> float:
        return float(np.mean(self.scores[model]))


def backtest_origins(
    length: int, horizon: int, minimum_training: int, spacing: int, count: int
) -> list[int]:
    """Up to `count` origins, `spacing` apart, the last one `horizon` steps before the end."""
    origins = []
    origin = length - horizon
    while origin >= minimum_training and len(origins) < count:
        origins.append(origin)
        origin -= spacing
    return sorted(origins)


def rolling_origin_backtest(
    values: np.ndarray,
    candidates: dict[str, PointForecaster],
    horizon: int,
    season_length: int,
    origins: list[int],
) -> BacktestResult:
    """Every candidate forecast from every origin, scored against what happened next."""
    values = np.asarray(values, dtype=float)
    scores: dict[str, list[float]] = {name: [] for name in candidates}
    errors: dict[str, list[np.ndarray]] = {name: [] for name in candidates}
    for origin in origins:
        history = values[:origin]
        actual = values[origin : origin + horizon]
        scale = seasonal_naive_scale(history, season_length)
        for name, forecaster in candidates.items():
            forecast = forecaster(history, horizon, season_length)
            scores[name].append(_scaled_error(actual, forecast, scale))
            errors[name].append(actual - forecast)
    return BacktestResult(
        origins,
        horizon,
        {name: np.array(values_) for name, values_ in scores.items()},
        {name: np.vstack(rows) for name, rows in errors.items()},
    )


def interval_half_widths(
    errors: np.ndarray,
    horizon: int,
    coverage: float,
    season_length: int,
    miss_rate_correction: float = MISS_RATE_CORRECTION,
) -> np.ndarray:
    """Half-width of a `coverage` interval at each step 1…`horizon`, from backtest errors.

    Absolute errors are pooled by season of the horizon (day one, day two, …) and a quantile
    taken `miss_rate_correction` of the way from `coverage` to 1 (0.82 for an 80 % interval):
    errors on the stretch the model was chosen on understate its future ones. The correction
    is chosen on half of the NAB series and the coverage reported on the other half
    (benchmarks/forecast_accuracy.py). Past the backtested horizon the width grows with the
    square root of the steps ahead, as a random walk's would. Widths never shrink with the
    horizon.
    """
    absolute = np.abs(errors)
    level = coverage + (1.0 - coverage) * miss_rate_correction
    tested = absolute.shape[1]
    block = min(season_length, tested)
    widths = np.empty(tested)
    for start in range(0, tested, block):
        widths[start : start + block] = np.quantile(absolute[:, start : start + block], level)
    widths = np.maximum.accumulate(widths)
    if horizon <= tested:
        return widths[:horizon]
    steps = np.arange(tested + 1, horizon + 1, dtype=float)
    beyond = widths[-1] * np.sqrt(steps / tested)
    return np.concatenate([widths, beyond])


def band_coverage(
    hourly: np.ndarray,
    aggregation: str,
    bounds: tuple[float, float],
    held_back_days: int = HELD_BACK_DAYS,
) -> float | None:
    """The share of the last `held_back_days` daily values (peaks or levels, as the crossing
    dates read them) inside the P10-P90 band of the paths simulated from the days before them;
    None when the history is shorter than twice that."""
    series = daily_values(hourly, aggregation)
    if series.size < 2 * held_back_days:
        return None
    paths, _ = simulate_paths(series[:-held_back_days], held_back_days)
    low, high = np.quantile(np.clip(paths, *bounds), [0.1, 0.9], axis=0)
    held_back = series[-held_back_days:]
    return float(np.mean((held_back >= low) & (held_back <= high)))
