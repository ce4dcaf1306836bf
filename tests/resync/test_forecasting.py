"""The forecasting core on synthetic series whose answers are known (pure and fast)."""

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from resync.capacity.forecasting.analysis import analyze_trend, daily_peaks
from resync.capacity.forecasting.backtest import interval_half_widths, mase
from resync.capacity.forecasting.capacity import forecast_resource
from resync.capacity.forecasting.decomposition import decompose
from resync.capacity.forecasting.forecaster import InsufficientHistory
from resync.capacity.forecasting.level_shift import detect_level_shifts
from resync.capacity.forecasting.resample import resample_daily_peak, resample_hourly
from resync.capacity.forecasting.trend import fit_linear_trend, fit_theil_sen_trend
from resync.settings import Settings

START = datetime(2026, 10, 1)
SAMPLES_PER_DAY = 288


def samples(days: float, level, noise: float = 0.5, seed: int = 7, column: str = "disk_percent"):
    """5-minute samples for `days`; `level(t)` gives the noiseless value at day `t`."""
    count = int(days * SAMPLES_PER_DAY)
    day = np.arange(count) / SAMPLES_PER_DAY
    values = level(day) + np.random.default_rng(seed).normal(0, noise, count)
    times = [START + timedelta(minutes=5 * index) for index in range(count)]
    return pl.DataFrame({"sample_time": times, column: values})


def daily_cycle(day: np.ndarray, amplitude: float) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * day)


SETTINGS = Settings(_env_file=None)


def test_linear_growth_crosses_90_percent_on_the_known_date() -> None:
    # 50 % growing 0.5 points a day reaches 90 % on day 80, 50 days after the history ends.
    result = forecast_resource(samples(30, lambda day: 50 + 0.5 * day), "disk", settings=SETTINGS)
    outlook = result.saturation
    assert outlook is not None
    expected = START + timedelta(days=80)
    assert abs((outlook.expected_at - expected) / timedelta(days=1)) <= 3
    assert outlook.earliest_at <= outlook.expected_at
    assert outlook.order_by == (outlook.expected_at - timedelta(days=30)).date()
    assert 47 <= outlook.days_to_saturation <= 53
    assert result.forecast.mase < result.forecast.seasonal_naive_mase


def test_accelerating_growth_is_not_extrapolated_as_a_straight_line() -> None:
    # 40 % + 0.2 a day + 0.01 a day²: 90 % is reached on day 61.8 (a line would say ~80).
    def level(day: np.ndarray) -> np.ndarray:
        return 40 + 0.2 * day + 0.01 * day**2

    outlook = forecast_resource(samples(30, level), "disk", settings=SETTINGS).saturation
    expected = START + timedelta(days=(-0.2 + np.sqrt(0.04 + 4 * 0.01 * 50)) / 0.02)
    assert abs((outlook.expected_at - expected) / timedelta(days=1)) <= 3


def test_weekend_rhythm_is_forecast_once_two_weeks_are_there() -> None:
    # Weekend batch runs add 20 points on Saturdays and Sundays (day 0 is a Thursday).
    def level(day: np.ndarray) -> np.ndarray:
        return 40 + 20 * np.isin(np.floor(day) % 7, (2, 3)) + daily_cycle(day, 5)

    result = forecast_resource(samples(28, level, column="cpu_percent"), "cpu", settings=SETTINGS)
    frame = result.forecast.frame.with_columns(pl.col("sample_time").dt.weekday().alias("weekday"))
    weekend = frame.filter(pl.col("weekday") >= 6)["forecast"].mean()
    weekdays = frame.filter(pl.col("weekday") <= 5)["forecast"].mean()
    assert weekend - weekdays == pytest.approx(20, abs=3)


def test_flat_series_never_saturates() -> None:
    flat = samples(30, lambda day: 40 + daily_cycle(day, 10), noise=2, column="cpu_percent")
    result = forecast_resource(flat, "cpu", settings=SETTINGS)
    assert result.saturation is not None
    assert result.saturation.expected_at is None
    assert result.saturation.earliest_at is None
    assert result.saturation.order_by is None
    assert result.saturation.days_to_saturation is None


def test_cleanup_level_shift_only_the_new_regime_is_extrapolated() -> None:
    # Disk at 60 % growing 0.5 a day; a cleanup on day 20 frees 25 points; growth goes on.
    def level(day: np.ndarray) -> np.ndarray:
        return 60 + 0.5 * day - 25 * (day >= 20)

    result = forecast_resource(samples(30, level), "disk", settings=SETTINGS)
    forecast = result.forecast
    assert abs((forecast.regime_start - (START + timedelta(days=20))) / timedelta(hours=1)) <= 1
    assert len(forecast.level_shifts) == 1
    first_day = forecast.frame.head(24)["forecast"].mean()
    assert first_day == pytest.approx(50.25, abs=1.5)
    # From 50 % at day 30 the 90 % line is 80 days away, inside the 90-day horizon.
    days = result.saturation.days_to_saturation
    assert days is not None and 75 <= days <= 85


def test_less_than_seven_days_is_refused_not_forecast() -> None:
    result = forecast_resource(samples(5, lambda day: 50 + 0 * day), "disk", settings=SETTINGS)
    assert isinstance(result.forecast, InsufficientHistory)
    assert result.saturation is None
    assert result.forecast.message == (
        "too little data: 5.0 days of history, 7 needed before a forecast is made"
    )


def test_intervals_widen_with_the_horizon_and_nest() -> None:
    noisy = samples(14, lambda day: 50 + daily_cycle(day, 5), noise=3, column="memory_percent")
    frame = forecast_resource(noisy, "memory", settings=SETTINGS).forecast.frame
    assert frame.height == 90 * 24
    width_80 = (frame["upper_80"] - frame["lower_80"]).to_numpy()
    width_95 = (frame["upper_95"] - frame["lower_95"]).to_numpy()
    assert np.all(np.diff(width_95) >= -1e-9)
    assert width_95[-1] > 2 * width_95[0]
    assert np.all(width_95 >= width_80)
    assert (frame["lower_80"] <= frame["forecast"]).all()
    assert (frame["forecast"] <= frame["upper_80"]).all()


def test_a_history_too_short_to_backtest_is_refused_whatever_the_setting() -> None:
    settings = Settings(_env_file=None, forecast_min_history_days=2)
    result = forecast_resource(samples(2.5, lambda day: 50 + 0 * day), "disk", settings=settings)
    assert isinstance(result.forecast, InsufficientHistory)
    assert result.forecast.required_days == 3


def test_mase_on_a_hand_checked_example() -> None:
    # Seasonal-naive (season 2) in-sample errors: 3-1, 4-2, 5-3, 6-4 = 2 each, scale 2.
    # Forecast errors |7-6| and |8-10|: mean 1.5; MASE = 1.5 / 2.
    history = np.array([1.0, 2, 3, 4, 5, 6])
    assert mase(np.array([7.0, 8]), np.array([6.0, 10]), history, 2) == pytest.approx(0.75)


def test_interval_widths_come_from_backtest_errors_and_grow_past_them() -> None:
    errors = np.tile(np.array([1.0, -1.0, 3.0, -3.0]), (5, 1))
    widths = interval_half_widths(errors, horizon=16, coverage=0.8, season_length=2)
    assert widths[:4].tolist() == [1.0, 1.0, 3.0, 3.0]
    assert widths[-1] == pytest.approx(3.0 * np.sqrt(16 / 4))
    # An 80 % interval takes the 82 % quantile of the absolute backtest errors by default, the
    # plain 80 % one without the correction and the largest error with a full one.
    spread = np.arange(1.0, 101.0).reshape(100, 1)
    assert interval_half_widths(spread, 1, 0.8, 1)[0] == pytest.approx(1 + 0.82 * 99)
    assert interval_half_widths(spread, 1, 0.8, 1, 0.0)[0] == pytest.approx(1 + 0.80 * 99)
    assert interval_half_widths(spread, 1, 0.8, 1, 1.0)[0] == pytest.approx(100)


def test_hourly_peak_and_level_fill_gaps_and_flag_them() -> None:
    raw = samples(1, lambda day: 10 + 0 * day, noise=0).with_row_index()
    raw = raw.with_columns(
        pl.when(pl.col("index") == 13)
        .then(90.0)
        .otherwise(pl.col("disk_percent"))
        .alias("disk_percent")
    ).filter((pl.col("index") < 24) | (pl.col("index") >= 36))
    peak = resample_hourly(raw, "disk_percent", "peak")
    level = resample_hourly(raw, "disk_percent", "level")
    assert peak.height == 24
    assert peak["value"][1] == 90.0
    assert level["value"][1] == pytest.approx(10 + 80 / 12)
    assert peak["filled"].to_list()[2:4] == [True, False]
    assert peak["value"][2] == pytest.approx((90 + 10) / 2)  # between its neighbours
    daily = resample_daily_peak(
        samples(3, lambda day: 20 * np.floor(day + 1), noise=0), "disk_percent"
    )
    assert daily["value"].to_list() == [20.0, 40.0, 60.0]


def test_trend_lines_ols_with_r_squared_and_theil_sen_ignoring_outliers() -> None:
    line = 3.0 + 0.25 * np.arange(100)
    ols = fit_linear_trend(line)
    assert ols.slope_per_step == pytest.approx(0.25)
    assert ols.r_squared == pytest.approx(1.0)
    spoiled = line.copy()
    spoiled[90:] += 50
    assert fit_theil_sen_trend(spoiled).slope_per_step == pytest.approx(0.25, abs=0.02)
    assert fit_linear_trend(spoiled).slope_per_step > 0.4


def test_stl_is_daily_up_to_two_weeks_then_weekly_too() -> None:
    hours = np.arange(15 * 24)
    values = 50 + 10 * np.sin(2 * np.pi * hours / 24) + 0.01 * hours
    assert decompose(values[: 14 * 24]).periods == (24,)
    decomposition = decompose(values)
    assert decomposition.periods == (24, 168)
    assert decomposition.seasonal_strength > 0.9
    reconstructed = decomposition.trend + decomposition.seasonal + decomposition.residual
    assert np.allclose(reconstructed, values)


def test_a_spike_or_a_daily_rhythm_is_not_a_level_shift() -> None:
    hours = np.arange(10 * 24)
    rhythm = 40 + 30 * (hours % 24 >= 20) + np.random.default_rng(1).normal(0, 1, hours.size)
    rhythm[100] += 60
    assert detect_level_shifts(rhythm) == []
    rhythm[150:] -= 40
    shifts = detect_level_shifts(rhythm)
    assert [shift.index for shift in shifts] == [150]
    assert shifts[0].size == pytest.approx(-40, abs=3)


def test_trend_analysis_reports_slopes_per_day_and_the_rhythm() -> None:
    growing = samples(21, lambda day: 50 + 0.5 * day + daily_cycle(day, 10), noise=0.5)
    hourly = resample_hourly(growing, "disk_percent", "level")
    analysis = analyze_trend(hourly)
    assert analysis.history_days == pytest.approx(21)
    assert analysis.theil_sen_slope_per_day == pytest.approx(0.5, abs=0.02)
    assert analysis.linear_slope_per_day == pytest.approx(0.5, abs=0.02)
    assert 0.9 < analysis.linear_r_squared < 1
    assert analysis.seasonal_periods == (24, 168)
    assert analysis.seasonal_strength > 0.9
    assert analysis.filled_fraction == 0


def test_daily_peaks_of_a_forecast() -> None:
    frame = pl.DataFrame(
        {
            "sample_time": [START + timedelta(hours=hour) for hour in range(48)],
            "forecast": [float(hour % 24) for hour in range(48)],
        }
    )
    assert daily_peaks(frame)["forecast"].to_list() == [23.0, 23.0]
