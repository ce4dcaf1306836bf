"""The month calendar: month-end peaks learned from a long history, kept only when they recur
(or when the job history announces them), and forecast on the days they come back."""

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from resync.capacity.forecasting.backtest import mase
from resync.capacity.forecasting.calendar import (
    busy_calendar_days,
    calendar_days,
    learn_calendar,
)
from resync.capacity.forecasting.forecaster import forecast_series, forecast_values
from resync.capacity.series import forecast_workstations
from resync.settings import Settings

SETTINGS = Settings(forecast_horizon_days=10)


def hourly_times(first: datetime, last: datetime) -> pl.Series:
    return pl.datetime_range(first, last, "1h", eager=True, time_zone="UTC")


def month_end_cpu(times: pl.Series, peak: float = 55.0, seed: int = 0) -> np.ndarray:
    """A daily rhythm around 40 % and, on every month's last day, CPU near 100 %."""
    hours = times.dt.hour().to_numpy()
    noise = np.random.default_rng(seed).normal(0, 2, times.len())
    values = 40 + 8 * np.sin(2 * np.pi * hours / 24) + noise
    values[calendar_days(times) == 1] += peak
    return np.clip(values, 0, 100)


def test_calendar_days_name_the_month_turn() -> None:
    times = pl.Series([datetime(2026, 2, 27), datetime(2026, 2, 28), datetime(2026, 3, 1)])
    assert calendar_days(times).tolist() == [2, 1, 3]
    assert calendar_days(pl.Series([datetime(2026, 3, 15)])).tolist() == [0]


def test_a_recurring_month_end_peak_is_learned_and_forecast_where_it_comes_back() -> None:
    times = hourly_times(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 9, 30, 23, tzinfo=UTC))
    values = month_end_cpu(times)
    horizon = 10 * 24
    history_times, history = times[:-horizon], values[:-horizon]

    calendar = learn_calendar(history_times, history)

    assert calendar.document() == {"history_days": 112.0, "days": ["last day of the month"]}
    assert calendar.occurrences[1] == 3
    assert float(np.mean(calendar.effects[1])) == pytest.approx(55, abs=3)
    window = history[-30 * 24 :]
    offsets = calendar.offsets(times[-30 * 24 - horizon :])
    with_calendar = forecast_values(window, horizon, 24, calendar=offsets)
    without = forecast_values(window, horizon, 24)
    actual = values[-horizon:]
    month_end = calendar_days(times[-horizon:]) == 1
    assert np.mean(with_calendar.point[month_end]) > 90
    assert np.mean(without.point[month_end]) < 60
    assert mase(actual, with_calendar.point, window, 24) < 0.5 * mase(
        actual, without.point, window, 24
    )


def test_one_month_end_is_a_cycle_only_when_the_job_history_says_so() -> None:
    times = hourly_times(datetime(2026, 8, 10, tzinfo=UTC), datetime(2026, 9, 9, 23, tzinfo=UTC))
    values = month_end_cpu(times)

    assert learn_calendar(times, values).document() is None
    assert learn_calendar(times, values, job_days={1}).document()["days"] == [
        "last day of the month"
    ]


def test_a_history_without_month_end_effect_keeps_no_calendar() -> None:
    times = hourly_times(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 9, 30, 23, tzinfo=UTC))
    calendar = learn_calendar(times, month_end_cpu(times, peak=0.0), job_days={1, 2, 3})
    assert calendar.document() is None
    assert not np.any(calendar.offsets(times))


def test_busy_calendar_days_are_the_month_turn_days_with_more_jobs() -> None:
    hours = hourly_times(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 9, 30, 23, tzinfo=UTC))
    jobs = np.where(calendar_days(hours) == 1, 12, 2)
    starts = pl.DataFrame({"hour": hours, "jobs": jobs})
    assert busy_calendar_days(starts) == {1}
    assert busy_calendar_days(starts.with_columns(jobs=pl.lit(2))) == set()


def test_the_flow_rows_fit_the_window_and_learn_the_calendar_from_the_whole_frame() -> None:
    times = hourly_times(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 9, 20, 23, tzinfo=UTC))
    frame = pl.DataFrame({"workstation": "FTA-MONTH", "sample_time": times}).with_columns(
        cpu=pl.Series(month_end_cpu(times))
    )
    window_start = times[-1] - timedelta(days=30)

    (row,) = forecast_workstations(frame, ["cpu"], SETTINGS, window_start=window_start)

    assert row["status"] == "forecast"
    assert row["calendar"] == {"history_days": 112.0, "days": ["last day of the month"]}
    assert row["unreliable_reason"] is None
    (short,) = forecast_workstations(
        frame.filter(pl.col("sample_time") >= window_start), ["cpu"], SETTINGS
    )
    assert short["calendar"] is None


def test_forecast_series_adds_the_effect_on_future_month_ends_only() -> None:
    times = hourly_times(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 9, 25, 23, tzinfo=UTC))
    values = month_end_cpu(times)
    calendar = learn_calendar(times, values)
    hourly = pl.DataFrame({"sample_time": times[-30 * 24 :], "value": values[-30 * 24 :]})

    forecast = forecast_series(hourly, 10, 7, bounds=(0, 100), calendar=calendar)

    frame = forecast.frame.with_columns(
        code=pl.Series(calendar_days(forecast.frame["sample_time"]))
    )
    peaks = frame.group_by("code").agg(pl.col("forecast").mean())
    by_code = dict(peaks.iter_rows())
    assert by_code[1] > 90
    assert by_code[0] < 55


def test_a_cpu_that_peaks_at_month_end_crosses_at_a_month_end() -> None:
    times = hourly_times(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 9, 20, 23, tzinfo=UTC))
    frame = pl.DataFrame({"workstation": "FTA-MONTH", "sample_time": times}).with_columns(
        cpu=pl.Series(month_end_cpu(times))
    )
    settings = Settings(forecast_horizon_days=45)
    window_start = times[-1] - timedelta(days=30)

    (row,) = forecast_workstations(frame, ["cpu"], settings, window_start=window_start)

    assert row["risk"] == "likely" and row["crossing_probability"] >= 0.95
    dates = [row["saturation_date_earliest"], row["saturation_date"]]
    assert calendar_days(pl.Series(dates)).tolist() == [1, 1]
    # The chart's median path peaks on the month's last days and nowhere else.
    points = row["series"]["forecast"]
    codes = calendar_days(pl.Series([datetime.fromisoformat(point["t"]) for point in points]))
    medians = np.array([point["mean"] for point in points])
    assert medians[codes == 1].min() > 95
    assert medians[codes != 1].max() < 70
