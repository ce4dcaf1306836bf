"""Per-series capacity analysis of one FTA: trend and forecast rows from its hourly metrics.

Input is the hourly frame of one or more FTAs (`workstation`, `sample_time` and one column per
resource: CPU and memory as the hour's peak, disk and latency as its mean, workload as the jobs
started in the trailing 24 hours). Output is plain dicts, one per FTA × resource, shaped like
the `capacity_forecasts` columns they fill. CPU, memory and disk go through `forecast_resource`
(thresholds and saturation dates); latency and workload are forecast without a threshold.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import polars as pl

from resync.capacity.forecasting.analysis import daily_peaks
from resync.capacity.forecasting.capacity import forecast_resource, saturation_threshold
from resync.capacity.forecasting.forecaster import Forecast, InsufficientHistory, forecast_series
from resync.capacity.forecasting.trend import fit_linear_trend
from resync.capacity.resources import SATURATING
from resync.db.frames import UTC_TIME
from resync.settings import Settings

# How each resource's hourly values become the daily series its trend is fitted to: the daily
# peak for what saturates at its worst moment, the daily mean for levels.
DAILY_AGGREGATION = {"cpu": "max", "memory": "max", "disk": "mean", "latency": "mean"}
HOURS_PER_DAY = 24


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


def trend_row(
    workstation: str, resource: str, hourly: pl.DataFrame, settings: Settings
) -> dict[str, Any]:
    """Status, threshold, latest daily value and the linear trend per day with its R².

    The line is fitted to daily values, which takes out the daily rhythm at a fraction of the
    cost of a seasonal decomposition (which the forecaster does for the series it models).
    """
    history_days = hourly.height / HOURS_PER_DAY
    enough = history_days >= settings.forecast_min_history_days
    row: dict[str, Any] = {
        "workstation": workstation,
        "resource": resource,
        "status": "forecast" if enough else "insufficient_data",
        "threshold": saturation_threshold(resource, settings) if resource in SATURATING else None,
        "current_value": None,
        "trend_per_day": None,
        "r_squared": None,
    }
    if hourly.is_empty():
        return row
    daily = daily_series(hourly, resource)["value"].to_numpy()
    row["current_value"] = float(daily[-1])
    if daily.size >= 2:
        line = fit_linear_trend(daily)
        row["trend_per_day"] = line.slope_per_step
        row["r_squared"] = line.r_squared
    return row


def _series_document(hourly: pl.DataFrame, forecast: Forecast) -> dict[str, list[dict]]:
    """History (hourly) and forecast (daily peaks of each bound) for the report's chart."""
    history = [
        {"t": time.isoformat(), "v": round(value, 3)}
        for time, value in hourly.select("sample_time", "value").iter_rows()
    ]
    columns = ("forecast", "lower_80", "upper_80", "lower_95", "upper_95")
    names = ("mean", "lo80", "hi80", "lo95", "hi95")
    points = [
        {"t": row[0].isoformat(), **{n: round(v, 3) for n, v in zip(names, row[1:], strict=True)}}
        for row in daily_peaks(forecast.frame).select("sample_time", *columns).iter_rows()
    ]
    return {"history": history, "forecast": points}


def forecast_row(
    workstation: str,
    resource: str,
    hourly: pl.DataFrame,
    settings: Settings,
    preferred_model: str | None = None,
) -> dict[str, Any]:
    """Model, MASE, crossing dates and (when a crossing is expected or likely) the series;
    `preferred_model` is the model auto-learning prefers for this FTA × resource, if any."""
    row: dict[str, Any] = {"workstation": workstation, "resource": resource}
    if resource in SATURATING:
        result = forecast_resource(
            hourly.rename({"value": f"{resource}_percent"}),
            resource,
            settings=settings,
            preferred_model=preferred_model,
        )
        forecast, outlook = result.forecast, result.saturation
    else:
        forecast = forecast_series(
            hourly,
            horizon_days=settings.forecast_horizon_days,
            minimum_history_days=settings.forecast_min_history_days,
            bounds=(0.0, float("inf")),
            preferred_model=preferred_model,
        )
        outlook = None
    if isinstance(forecast, InsufficientHistory):
        return {**row, "status": "insufficient_data"}
    expected = outlook.expected_at if outlook else None
    earliest = outlook.earliest_at if outlook else None
    return {
        **row,
        "status": "forecast",
        "model": forecast.model,
        "mase": forecast.mase,
        "saturation_date": expected,
        "saturation_date_earliest": earliest,
        "series": _series_document(hourly, forecast) if expected or earliest else None,
    }


def forecast_workstations(
    hourly: pl.DataFrame,
    resources: Iterable[str],
    settings: Settings,
    preferences: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """`forecast_row` for every FTA × resource of an hourly frame (a process-pool work unit);
    `preferences` are learned models by "WORKSTATION/resource"."""
    rows = []
    for (workstation,), frame in hourly.partition_by("workstation", as_dict=True).items():
        for resource in resources:
            if resource in frame.columns:
                series = hourly_series(frame, resource)
                if not series.is_empty():
                    preferred = (preferences or {}).get(f"{workstation}/{resource}")
                    rows.append(forecast_row(workstation, resource, series, settings, preferred))
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
