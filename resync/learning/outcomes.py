"""Outcomes of past predictions: did the predicted failure or saturation happen by its date?

A prediction came true when the hourly mean of its resource reached the failure threshold at
some hour between the prediction and the end of its due date. Hourly means rather than single
samples: one 5-minute spike is not a full disk. A prediction with no samples in its window
cannot be judged and is left out.
"""

import polars as pl

from resync.db.frames import UTC_TIME


def hourly_levels(samples: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Hourly means of `columns` per FTA, long: (`workstation`, `resource`, `hour`, `value`)."""
    present = [column for column in columns if column in samples.columns]
    if samples.is_empty() or not present:
        return pl.DataFrame(
            schema={
                "workstation": pl.String,
                "resource": pl.String,
                "hour": UTC_TIME,
                "value": pl.Float64,
            }
        )
    return (
        samples.group_by("workstation", pl.col("sample_time").dt.truncate("1h").alias("hour"))
        .agg(pl.col(column).cast(pl.Float64).mean() for column in present)
        .unpivot(index=["workstation", "hour"], variable_name="resource", value_name="value")
        .drop_nulls("value")
        .select("workstation", "resource", "hour", "value")
    )


def judge_outcomes(predictions: pl.DataFrame, levels: pl.DataFrame) -> pl.DataFrame:
    """`predictions` (`subject_id`, `workstation`, `resource`, `predicted_at`, `due_at`,
    `threshold`, …) with `observed_peak` and `happened` added; unjudgeable ones dropped.

    `resource` names a column of `hourly_levels`; `due_at` is the end of the predicted date.
    """
    if predictions.is_empty():
        return predictions.with_columns(
            pl.lit(None, pl.Float64).alias("observed_peak"),
            pl.lit(None, pl.Boolean).alias("happened"),
        )
    peaks = (
        predictions.select("subject_id", "workstation", "resource", "predicted_at", "due_at")
        .join(levels, on=["workstation", "resource"], how="inner")
        .filter(
            (pl.col("hour") >= pl.col("predicted_at").dt.truncate("1h"))
            & (pl.col("hour") < pl.col("due_at"))
        )
        .group_by("subject_id")
        .agg(pl.col("value").max().alias("observed_peak"))
    )
    return predictions.join(peaks, on="subject_id", how="inner").with_columns(
        (pl.col("observed_peak") >= pl.col("threshold")).alias("happened")
    )
