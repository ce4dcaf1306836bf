"""The forecaster's building blocks against references: Theta against statsmodels' ThetaModel,
Theil–Sen against scipy, level shifts split across two hours, the backtest errors returned."""

import warnings

import numpy as np
import pytest
from scipy import stats
from statsmodels.tsa.forecasting.theta import ThetaModel

from resync.capacity.forecasting.forecaster import BACKTEST_ORIGINS, forecast_values
from resync.capacity.forecasting.level_shift import detect_level_shifts
from resync.capacity.forecasting.models import theta
from resync.capacity.forecasting.trend import fit_theil_sen_trend

HOURS = np.arange(21 * 24, dtype=float)


def test_theta_matches_statsmodels_on_a_clean_seasonal_trend() -> None:
    rng = np.random.default_rng(3)
    series = 40 + 0.02 * HOURS + 6 * np.sin(2 * np.pi * HOURS / 24) + rng.normal(0, 0.3, HOURS.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ThetaModel(series, period=24, method="additive").fit().forecast(168)
    ours = theta(series, 168, 24)
    assert np.max(np.abs(ours - np.asarray(reference))) < 0.5
    # Theta extrapolates half the drift: 0.01 a step over the week, not 0.02.
    week_slope = (ours[144:168].mean() - ours[:24].mean()) / 144
    assert week_slope == pytest.approx(0.01, abs=0.002)


def test_theta_drift_ignores_a_dip_at_the_end_of_the_history() -> None:
    flat = 90 + np.random.default_rng(4).normal(0, 0.5, HOURS.size)
    dipped = flat.copy()
    dipped[-30:-6] -= 30
    forecast = theta(dipped, 168, 24)
    assert abs(forecast[-1] - forecast[0]) < 0.5  # least squares: 1.3 points down


def test_theil_sen_is_scipys_line() -> None:
    for size in (2, 3, 50, 337):
        values = np.random.default_rng(size).normal(size=size).cumsum()
        ours = fit_theil_sen_trend(values)
        slope, intercept, _, _ = stats.theilslopes(values, np.arange(size))
        assert ours.slope_per_step == pytest.approx(slope)
        assert ours.intercept == pytest.approx(intercept)


def test_a_cleanup_split_between_two_hours_is_a_level_shift() -> None:
    # A 12-point cleanup at 20:30 on day 9: each of two hourly means carries half of the step.
    rng = np.random.default_rng(5)
    five_minutes = np.arange(20 * 288) / 288
    level = 50 + 0.5 * five_minutes - 12 * (five_minutes >= 9 + 20.5 / 24)
    samples = level + 6 * np.sin(2 * np.pi * five_minutes) + rng.normal(0, 2.5, five_minutes.size)
    hourly = samples.reshape(-1, 12).mean(axis=1)
    shifts = detect_level_shifts(hourly)
    assert [shift.index for shift in shifts] in ([9 * 24 + 20], [9 * 24 + 21])
    assert -14 < shifts[0].size < -6  # net of the growth either side of it


def test_forecast_values_returns_the_chosen_models_backtest_errors() -> None:
    series = 50 + 5 * np.sin(2 * np.pi * HOURS / 24) + np.random.default_rng(6).normal(0, 1, 504)
    result = forecast_values(series, 48, 24)
    assert result.backtest_errors.shape == (BACKTEST_ORIGINS, 7 * 24)
    assert result.model in result.scores
    assert result.point.shape == (48,)
