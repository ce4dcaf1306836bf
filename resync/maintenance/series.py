"""The series maintenance analytics reads: resource levels per FTA, and job durations and outcomes.

Metrics arrive as `workstation_metrics_history` rows (5-minute samples, `message_files` a JSON
object of file → percent full, as text, a struct or dicts); they become one long frame of
(`workstation`, `resource`, `sample_time`, `value`) where `resource` is a metric column or
`message_file:<file>`. Job runs arrive as `job_execution_history` rows.
"""

import polars as pl

from resync.db.frames import UTC_TIME
from resync.jobs.schemas import FAILED_STATUSES
from resync.maintenance.types import Kind

# Resource series and the kind of problem their growth is.
RESOURCE_KINDS: dict[str, Kind] = {
    "disk_percent": "disk_filling",
    "stdlist_mb": "disk_filling",
    "memory_percent": "memory_leak",
    "packet_loss_percent": "degrading_link",
    "latency_avg_ms": "degrading_link",
}
MESSAGE_FILE_PREFIX = "message_file:"
# Series a job's durations are compared with in `correlate`.
CORRELATED_RESOURCES = ("disk_percent", "memory_percent", "cpu_percent", "latency_avg_ms")
LONG_SCHEMA = {
    "workstation": pl.String,
    "resource": pl.String,
    "sample_time": UTC_TIME,
    "value": pl.Float64,
}


def kind_of(resource: str) -> Kind:
    """The problem kind a growing `resource` series stands for."""
    if resource.startswith(MESSAGE_FILE_PREFIX):
        return "message_file_filling"
    return RESOURCE_KINDS[resource]


def _utc(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    dtype = frame.schema[column]
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
        return frame.with_columns(pl.col(column).dt.replace_time_zone("UTC"))
    return frame.with_columns(pl.col(column).dt.convert_time_zone("UTC"))


def _message_file_struct(column: pl.Series) -> pl.Series:
    """`message_files` as a struct of file → percent, from JSON text or a struct column."""
    if column.dtype == pl.String:
        return column.str.json_decode(infer_schema_length=None)
    if isinstance(column.dtype, pl.Struct):
        return column
    raise TypeError(f"message_files must be JSON text or a struct of percents, not {column.dtype}")


def message_file_samples(metrics: pl.DataFrame) -> pl.DataFrame:
    """Long frame of message-file fill (percent) per sample, one row per file."""
    if "message_files" not in metrics.columns:
        return pl.DataFrame(schema=LONG_SCHEMA)
    present = metrics.filter(pl.col("message_files").is_not_null())
    if present.is_empty():
        return pl.DataFrame(schema=LONG_SCHEMA)
    files = _message_file_struct(present["message_files"]).struct.unnest()
    files = files.select(
        pl.col(name).cast(pl.Float64, strict=False).alias(f"{MESSAGE_FILE_PREFIX}{name}")
        for name in files.columns
    )
    wide = pl.concat(
        [_utc(present.select("workstation", "sample_time"), "sample_time"), files], how="horizontal"
    )
    return (
        wide.unpivot(index=["workstation", "sample_time"], variable_name="resource")
        .select(list(LONG_SCHEMA))
        .cast(LONG_SCHEMA)
        .drop_nulls("value")
    )


def resource_samples(metrics: pl.DataFrame) -> pl.DataFrame:
    """Long frame (`workstation`, `resource`, `sample_time`, `value`) of every watched series."""
    if metrics.is_empty():
        return pl.DataFrame(schema=LONG_SCHEMA)
    metrics = _utc(metrics, "sample_time")
    columns = [column for column in RESOURCE_KINDS if column in metrics.columns]
    columns += [c for c in CORRELATED_RESOURCES if c in metrics.columns and c not in columns]
    long = (
        metrics.select("workstation", "sample_time", *columns)
        .unpivot(index=["workstation", "sample_time"], variable_name="resource")
        .select(list(LONG_SCHEMA))
        .cast(LONG_SCHEMA)
        .drop_nulls("value")
    )
    return pl.concat([long, message_file_samples(metrics)])


def hourly_levels(samples: pl.DataFrame) -> pl.DataFrame:
    """Hourly mean of each (workstation, resource) series; hours without samples are absent."""
    return (
        samples.with_columns(pl.col("sample_time").dt.truncate("1h"))
        .group_by("workstation", "resource", "sample_time")
        .agg(pl.col("value").mean())
        .sort("workstation", "resource", "sample_time")
    )


def job_runs(jobs: pl.DataFrame) -> pl.DataFrame:
    """Finished runs with `job` (`stream.job`), `duration` (seconds) and `failed`."""
    if jobs.is_empty():
        return pl.DataFrame(
            schema={
                "workstation": pl.String,
                "job": pl.String,
                "started_at": UTC_TIME,
                "duration": pl.Float64,
                "status": pl.String,
                "failed": pl.Boolean,
            }
        )
    jobs = _utc(jobs, "started_at")
    duration = pl.col("duration").cast(pl.Float64)
    if "ended_at" in jobs.columns:
        jobs = _utc(jobs, "ended_at")
        computed = (pl.col("ended_at") - pl.col("started_at")).dt.total_milliseconds() / 1000
        duration = duration.fill_null(computed) if "duration" in jobs.columns else computed
    return jobs.select(
        "workstation",
        pl.concat_str("job_stream", pl.lit("."), "job_name").alias("job"),
        "started_at",
        duration.alias("duration"),
        "status",
        pl.col("status").is_in(FAILED_STATUSES).alias("failed"),
    ).sort("workstation", "job", "started_at")
