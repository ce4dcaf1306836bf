"""Per-series capacity analysis of one FTA: trend and forecast rows from its hourly metrics.

Input is the hourly frame of one or more FTAs (`workstation`, `sample_time` and one column per
resource: CPU and memory as the hour's peak, disk and latency as its mean, workload as the jobs
started in the trailing 24 hours). Output is plain dicts, one per FTA × resource, shaped like
the `capacity_forecasts` columns they fill. CPU, memory and disk go through `forecast_resource`
(thresholds and saturation dates); latency and workload are forecast without a threshold.

The frame may reach further back than the run's window: the models fit the window, and the
month's-turn effects (month-end job streams) are learned from all of it, the days the FTA's job
history marks as busy counting as a known calendar.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import polars as pl

from resync.capacity.forecasting.backtest import band_coverage
from resync.capacity.forecasting.calendar import MonthCalendar, busy_calendar_days, learn_calendar
from resync.capacity.forecasting.capacity import (
    PERCENT_BOUNDS,
    forecast_resource,
    saturation_threshold,
)
from resync.capacity.forecasting.crossing import CrossingDistribution, hourly_crossing
from resync.capacity.forecasting.forecaster import InsufficientHistory, forecast_series
from resync.capacity.forecasting.resample import RESOURCE_AGGREGATIONS
from resync.capacity.forecasting.trend import fit_linear_trend
from resync.capacity.resources import SATURATING
from resync.capacity.risk import risk_level
from resync.db.frames import UTC_TIME
from resync.settings import Settings

# How each resource's hourly values become the daily series its trend is fitted to: the daily
# peak for what saturates at its worst moment, the daily mean for levels.
DAILY_AGGREGATION = {"cpu": "max", "memory": "max", "disk": "mean", "latency": "mean"}
HOURS_PER_DAY = 24
# Below the minimum history, a provisional estimate from this many days on, read in quarters of
# a day (a few daily values cannot carry a trend).
PROVISIONAL_MINIMUM_DAYS = 2
PROVISIONAL_STEPS_PER_DAY = 4


def hourly_series(frame: pl.DataFrame, resource: str) -> pl.DataFrame:
    """One resource of one FTA's hourly frame as (`sample_time`, `value`), nulls dropped."""
    return (
        frame.select("sample_time", pl.col(resource).cast(pl.Float64).alias("value"))
        .drop_nulls()
        .sort("sample_time")
    )


def daily_series(hourly: pl.DataFrame, resource: str) -> pl.DataFrame:
    """The hourly series as one value per day (peak or mean, see DAILY_AGGREGATION)."""
    value = pl.col("value")
    aggregate = value.max() if DAILY_AGGREGATION.get(resource, "mean") == "max" else value.mean()
    return (
        hourly.group_by(pl.col("sample_time").dt.truncate("1d"))
        .agg(aggregate.alias("value"))
        .sort("sample_time")
    )


def history_status(resource: str, history_days: float, settings: Settings) -> str:
    """ "forecast" with the minimum history, "provisional" for a saturating resource with a few
    days of it, else "insufficient_data"."""
    if history_days >= settings.forecast_min_history_days:
        return "forecast"
    if resource in SATURATING and history_days >= PROVISIONAL_MINIMUM_DAYS:
        return "provisional"
    return "insufficient_data"


def trend_row(
    workstation: str, resource: str, hourly: pl.DataFrame, settings: Settings
) -> dict[str, Any]:
    """Status, threshold, latest daily value and the linear trend per day with its R².

    The line is fitted to daily values, which takes out the daily rhythm at a fraction of the
    cost of a seasonal decomposition (which the forecaster does for the series it models).
    """
    history_days = hourly.height / HOURS_PER_DAY
    row: dict[str, Any] = {
        "workstation": workstation,
        "resource": resource,
        "status": history_status(resource, history_days, settings),
        "history_days": round(history_days, 2),
        "threshold": saturation_threshold(resource, settings) if resource in SATURATING else None,
        "current_value": None,
        "trend_per_day": None,
        "r_squared": None,
    }
    if hourly.is_empty():
        return row
    daily = daily_series(hourly, resource)["value"].to_numpy()
    # A peak resource's "now" is this week's typical daily peak, not one spike of today's.
    peak = DAILY_AGGREGATION.get(resource) == "max"
    row["current_value"] = float(np.median(daily[-7:]) if peak else daily[-1])
    if daily.size >= 2:
        line = fit_linear_trend(daily)
        row["trend_per_day"] = line.slope_per_step
        row["r_squared"] = line.r_squared
    return row


def _series_document(
    hourly: pl.DataFrame, resource: str, crossing: CrossingDistribution, steps_per_day: int
) -> dict[str, list[dict]]:
    """History and forecast at the granularity the dates are read at (daily peaks or levels,
    quarter days for a provisional estimate): the median path and the 80 % and 95 % bands of
    the simulated paths."""
    every = f"{HOURS_PER_DAY // steps_per_day}h"
    value = pl.col("value")
    aggregate = value.max() if RESOURCE_AGGREGATIONS[resource] == "peak" else value.mean()
    steps = (
        hourly.group_by(pl.col("sample_time").dt.truncate(every)).agg(aggregate).sort("sample_time")
    )
    history = [
        {"t": time.isoformat(), "v": round(float(v), 3)}
        for time, v in steps.select("sample_time", "value").iter_rows()
    ]
    last = steps["sample_time"][-1]
    step = timedelta(days=1) / steps_per_day
    names = ("mean", "lo80", "hi80", "lo95", "hi95")
    bands = np.column_stack([crossing.bands[name] for name in names])
    forecast = [
        {
            "t": (last + step * (index + 1)).isoformat(),
            **{n: round(v, 3) for n, v in zip(names, row, strict=True)},
        }
        for index, row in enumerate(bands.tolist())
    ]
    return {"history": history, "forecast": forecast}


def _dates(end: datetime, crossing: CrossingDistribution) -> dict[str, Any]:
    def at(days: float | None) -> datetime | None:
        return None if days is None else end + timedelta(days=days)

    return {
        "saturation_date_earliest": at(crossing.p10),
        "saturation_date": at(crossing.p50),
        "saturation_date_latest": at(crossing.p90),
        "crossing_probability": round(crossing.probability, 3),
    }


def _unreliable_reason(model_mase: float, naive_mase: float) -> str | None:
    if model_mase <= naive_mase:
        return None
    return (
        f"backtest MASE {model_mase:.2f} is worse than seasonal naive's {naive_mase:.2f}: the "
        "series has a pattern the model misses (a month-end or irregular peak); check its chart "
        "before acting on the dates"
    )


def _crossing_row(
    resource: str,
    hourly: pl.DataFrame,
    settings: Settings,
    steps_per_day: int,
    calendar: MonthCalendar | None = None,
) -> dict[str, Any]:
    """Dates, probability, risk level and (with a level) the chart series of a saturating
    resource, from simulated paths of its daily (or quarter-day) values that carry the
    month's-turn effects of `calendar` on the days they recur."""
    offsets = None
    if calendar is not None and calendar.effects:
        hours = settings.forecast_horizon_days * HOURS_PER_DAY
        offsets = calendar.offsets_ahead(hourly["sample_time"], timedelta(hours=1), hours)
    crossing = hourly_crossing(
        hourly["value"].to_numpy(),
        RESOURCE_AGGREGATIONS[resource],
        saturation_threshold(resource, settings),
        settings.forecast_horizon_days,
        steps_per_day,
        offsets,
    )
    risk = risk_level(crossing.probability)
    chart = None if risk is None else _series_document(hourly, resource, crossing, steps_per_day)
    return {**_dates(hourly["sample_time"][-1], crossing), "risk": risk, "series": chart}


def forecast_row(
    workstation: str,
    resource: str,
    hourly: pl.DataFrame,
    settings: Settings,
    preferred_model: str | None = None,
    calendar: MonthCalendar | None = None,
) -> dict[str, Any]:
    """Model, MASE beside seasonal naive's, crossing dates P10/P50/P90 and their probability,
    how often a week held back fell inside their band, the risk level and (with one) the
    series; a provisional estimate on a short history;
    `preferred_model` is the model auto-learning prefers for this FTA × resource, if any;
    `calendar` the month's-turn effects learned from a longer history."""
    row: dict[str, Any] = {"workstation": workstation, "resource": resource}
    history_days = hourly.height / HOURS_PER_DAY
    status = history_status(resource, history_days, settings)
    if status == "provisional":
        start = hourly["sample_time"][0]
        return {
            **row,
            "status": status,
            "full_forecast_at": start + timedelta(days=settings.forecast_min_history_days),
            **_crossing_row(resource, hourly, settings, PROVISIONAL_STEPS_PER_DAY, calendar),
        }
    if resource in SATURATING:
        forecast = forecast_resource(
            hourly.rename({"value": f"{resource}_percent"}),
            resource,
            settings=settings,
            preferred_model=preferred_model,
            calendar=calendar,
        ).forecast
    else:
        forecast = forecast_series(
            hourly,
            horizon_days=settings.forecast_horizon_days,
            minimum_history_days=settings.forecast_min_history_days,
            bounds=(0.0, float("inf")),
            preferred_model=preferred_model,
            calendar=calendar,
        )
    if isinstance(forecast, InsufficientHistory):
        return {**row, "status": "insufficient_data"}
    row |= {
        "status": "forecast",
        "model": forecast.model,
        "mase": forecast.mase,
        "naive_mase": forecast.seasonal_naive_mase,
        "unreliable_reason": _unreliable_reason(forecast.mase, forecast.seasonal_naive_mase),
        "calendar": calendar.document() if calendar else None,
    }
    if resource in SATURATING:
        coverage = band_coverage(
            hourly["value"].to_numpy(), RESOURCE_AGGREGATIONS[resource], PERCENT_BOUNDS
        )
        crossing = _crossing_row(resource, hourly, settings, 1, calendar)
        return row | crossing | {"band_coverage": coverage}
    return row | {
        "saturation_date": None,
        "saturation_date_earliest": None,
        "risk": None,
        "series": None,
    }


def forecast_workstations(
    hourly: pl.DataFrame,
    resources: Iterable[str],
    settings: Settings,
    preferences: Mapping[str, str] | None = None,
    window_start: datetime | None = None,
    job_starts: pl.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """`forecast_row` for every FTA × resource of an hourly frame, the models fitted from
    `window_start` on and the month calendar learned from the whole frame and the FTA's hourly
    `job_starts` (`workstation`, `hour`, `jobs`); `preferences` are learned models by
    "WORKSTATION/resource"."""
    rows = []
    in_window = None if window_start is None else pl.col("sample_time") >= window_start
    for (workstation,), frame in hourly.partition_by("workstation", as_dict=True).items():
        busy = set()
        if job_starts is not None:
            busy = busy_calendar_days(job_starts.filter(pl.col("workstation") == workstation))
        for resource in resources:
            if resource not in frame.columns:
                continue
            history = hourly_series(frame, resource)
            series = history if in_window is None else history.filter(in_window)
            if series.is_empty():
                continue
            calendar = learn_calendar(history["sample_time"], history["value"].to_numpy(), busy)
            preferred = (preferences or {}).get(f"{workstation}/{resource}")
            rows.append(forecast_row(workstation, resource, series, settings, preferred, calendar))
    return rows


def trailing_day_job_counts(started: pl.DataFrame, until: datetime) -> pl.DataFrame:
    """Jobs started in the trailing 24 hours, hourly, per FTA, from (`workstation`, `hour`,
    `jobs`) counts; hours without a job count zero, from each FTA's first job to `until`."""
    frames = []
    for (workstation,), counts in started.partition_by("workstation", as_dict=True).items():
        grid = pl.datetime_range(
            counts["hour"].min(), until, "1h", eager=True, time_zone="UTC"
        ).alias("hour")
        frames.append(
            pl.DataFrame(grid)
            .join(counts.select("hour", "jobs"), on="hour", how="left")
            .with_columns(pl.col("jobs").fill_null(0).cast(pl.Float64))
            .with_columns(
                pl.col("jobs").rolling_sum(HOURS_PER_DAY).alias("workload"),
                pl.lit(workstation).alias("workstation"),
            )
            .drop_nulls("workload")
            .select("workstation", pl.col("hour").alias("sample_time"), "workload")
        )
    schema = {"workstation": pl.String, "sample_time": UTC_TIME}
    return pl.concat(frames) if frames else pl.DataFrame(schema={**schema, "workload": pl.Float64})
