"""Resampling of 5-minute collector samples to the hourly and daily series the forecaster reads.

CPU and memory are read as peaks (the hour's or the day's highest sample: saturation is about the
worst moment, not the average one); disk is read as a level (the hour's mean). Hours without a
sample (a silent collector, a restart) are filled by linear interpolation between the hours on
either side and flagged in a `filled` column, so a gap neither breaks the hourly grid the models
need nor passes for a measurement.
"""

from typing import Literal

import polars as pl

Aggregation = Literal["peak", "level"]

RESOURCE_AGGREGATIONS: dict[str, Aggregation] = {
    "cpu": "peak",
    "memory": "peak",
    "disk": "level",
}


def _aggregate(value_column: str, aggregation: Aggregation) -> pl.Expr:
    column = pl.col(value_column)
    return (column.max() if aggregation == "peak" else column.mean()).alias("value")


def resample_hourly(
    samples: pl.DataFrame, value_column: str = "value", aggregation: Aggregation = "peak"
) -> pl.DataFrame:
    """Hourly series (`sample_time`, `value`, `filled`) on a gap-free grid from raw samples."""
    if samples.is_empty():
        return pl.DataFrame(
            schema={"sample_time": pl.Datetime("us"), "value": pl.Float64, "filled": pl.Boolean}
        )
    hourly = (
        samples.select("sample_time", value_column)
        .drop_nulls()
        .with_columns(pl.col("sample_time").dt.truncate("1h"))
        .group_by("sample_time")
        .agg(_aggregate(value_column, aggregation))
        .sort("sample_time")
    )
    return fill_gaps(hourly, "1h")


def resample_daily_peak(samples: pl.DataFrame, value_column: str = "value") -> pl.DataFrame:
    """Daily peak series (`sample_time` at midnight, `value`, `filled`) from raw samples."""
    daily = (
        samples.select("sample_time", value_column)
        .drop_nulls()
        .with_columns(pl.col("sample_time").dt.truncate("1d"))
        .group_by("sample_time")
        .agg(_aggregate(value_column, "peak"))
        .sort("sample_time")
    )
    return fill_gaps(daily, "1d")


def fill_gaps(series: pl.DataFrame, every: str) -> pl.DataFrame:
    """The series on a complete grid, missing steps interpolated and flagged `filled`."""
    if series.is_empty():
        return series.with_columns(pl.lit(False).alias("filled"))
    grid = pl.DataFrame(
        {
            "sample_time": pl.datetime_range(
                series["sample_time"].min(), series["sample_time"].max(), every, eager=True
            )
        }
    ).with_columns(pl.col("sample_time").cast(series.schema["sample_time"]))
    return (
        grid.join(series, on="sample_time", how="left")
        .with_columns(pl.col("value").is_null().alias("filled"))
        .with_columns(pl.col("value").cast(pl.Float64).interpolate())
    )
