"""Hourly summaries of FTA samples: each metric's mean, max and p95 per FTA and hour.

Two summaries of one FTA-hour cover different samples when some reached history after their
hour was summarised (an FTA replaying its spool): `merge_summaries` makes one row of them.
"""

from typing import Any

import polars as pl

from resync.db.frames import UTC_TIME
from resync.db.models.ingest import HOURLY_METRICS, HOURLY_STATISTICS

SAMPLE_COLUMNS_SCHEMA: dict[str, Any] = {
    "workstation": pl.String,
    "sample_time": UTC_TIME,
    **{metric: pl.Float64 for metric in HOURLY_METRICS},
}
SUMMARY_COLUMNS = tuple(
    f"{metric}_{statistic}" for metric in HOURLY_METRICS for statistic in HOURLY_STATISTICS
)
HOURLY_SCHEMA: dict[str, Any] = {
    "workstation": pl.String,
    "hour": UTC_TIME,
    "samples": pl.Int64,
    **{column: pl.Float64 for column in SUMMARY_COLUMNS},
}


def summarise_hours(samples: pl.DataFrame) -> pl.DataFrame:
    """One row per FTA and hour of `samples` (SAMPLE_COLUMNS_SCHEMA): the hour's sample count
    and each metric's mean, max and p95 (linear interpolation, as PostgreSQL's percentile_cont)
    over the samples that have the reading."""
    statistics = [
        expression
        for metric in HOURLY_METRICS
        for expression in (
            pl.col(metric).mean().alias(f"{metric}_mean"),
            pl.col(metric).max().alias(f"{metric}_max"),
            pl.col(metric).quantile(0.95, interpolation="linear").alias(f"{metric}_p95"),
        )
    ]
    summary = samples.group_by(
        "workstation", pl.col("sample_time").dt.truncate("1h").alias("hour")
    ).agg(pl.len().alias("samples"), *statistics)
    return summary.cast(HOURLY_SCHEMA).select(*HOURLY_SCHEMA).sort("workstation", "hour")


def merge_summaries(summaries: pl.DataFrame) -> pl.DataFrame:
    """One row per FTA and hour from rows summarising different samples of it: the counts
    added, means weighted by count, max the larger; p95 the larger too, which bounds the p95
    of the samples together from above (their values are gone, so the exact one is not known).
    Works on any subset of the summary columns."""
    key = ("workstation", "hour", "samples")
    columns = [column for column in summaries.columns if column not in key]
    merged = summaries.group_by("workstation", "hour").agg(
        pl.col("samples").sum(), *(_merge(column) for column in columns)
    )
    return merged.select(summaries.columns).sort("workstation", "hour")


def _merge(column: str) -> pl.Expr:
    if not column.endswith("_mean"):
        return pl.col(column).max()
    counted = pl.col("samples").filter(pl.col(column).is_not_null()).sum()
    weighted = (pl.col(column) * pl.col("samples")).sum()
    return pl.when(counted > 0).then(weighted / counted).otherwise(None).alias(column)
