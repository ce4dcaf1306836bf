"""`correlate`: does a job's slowdown (or failures) move with a resource on the same FTA?

For each degraded job, its daily median duration (or daily failure rate) is aligned with the
daily mean of each resource of its FTA (disk, memory, CPU, latency and any resource found
degrading there), and Spearman's rank correlation is computed on the days both have, with its
p-value and a strength label (|rho| ≥ 0.7 strong, ≥ 0.5 moderate, ≥ 0.3 weak).
"""

import math

import polars as pl
from scipy import stats

from resync.maintenance.series import CORRELATED_RESOURCES, job_runs, resource_samples
from resync.maintenance.types import Correlation, Degradation, Strength

WINDOW = "1d"
MIN_WINDOWS = 5
STRENGTHS: tuple[tuple[float, Strength], ...] = ((0.7, "strong"), (0.5, "moderate"), (0.3, "weak"))


def strength_of(rho: float) -> Strength:
    """The label of a correlation coefficient's size."""
    return next((label for bound, label in STRENGTHS if abs(rho) >= bound), "none")


def _daily_job_series(runs: pl.DataFrame, degradation: Degradation) -> pl.DataFrame:
    job = degradation.resource.removeprefix("job:")
    mine = runs.filter(pl.col("workstation") == degradation.workstation, pl.col("job") == job)
    if degradation.kind == "job_failures":
        statistic = pl.col("failed").cast(pl.Float64).mean()
    else:
        statistic = pl.col("duration").filter(~pl.col("failed")).median()
    return (
        mine.group_by(pl.col("started_at").dt.truncate(WINDOW).alias("day"))
        .agg(statistic.alias("job_value"))
        .drop_nulls()
    )


def correlate(
    degradations: list[Degradation], metrics: pl.DataFrame, jobs: pl.DataFrame
) -> list[Correlation]:
    """Spearman correlations of each degraded job with its FTA's resources, on daily windows."""
    job_problems = [d for d in degradations if d.kind in ("job_slowdown", "job_failures")]
    if not job_problems:
        return []
    runs = job_runs(jobs)
    workstations = {d.workstation for d in job_problems}
    daily = (
        resource_samples(metrics.filter(pl.col("workstation").is_in(workstations)))
        .group_by("workstation", "resource", pl.col("sample_time").dt.truncate(WINDOW).alias("day"))
        .agg(pl.col("value").mean().alias("resource_value"))
    )
    found = []
    for degradation in job_problems:
        job_series = _daily_job_series(runs, degradation)
        degraded_here = {
            d.resource
            for d in degradations
            if d.workstation == degradation.workstation and not d.resource.startswith("job:")
        }
        for resource in sorted(set(CORRELATED_RESOURCES) | degraded_here):
            aligned = job_series.join(
                daily.filter(
                    pl.col("workstation") == degradation.workstation,
                    pl.col("resource") == resource,
                ),
                on="day",
            )
            if aligned.height < MIN_WINDOWS:
                continue
            rho, p_value = stats.spearmanr(aligned["job_value"], aligned["resource_value"])
            if not math.isfinite(rho):
                continue
            found.append(
                Correlation(
                    workstation=degradation.workstation,
                    job=degradation.resource.removeprefix("job:"),
                    job_statistic="failure_rate"
                    if degradation.kind == "job_failures"
                    else "median_duration",
                    resource=resource,
                    statistic="spearman",
                    value=float(rho),
                    p_value=float(p_value),
                    strength=strength_of(float(rho)),
                    windows=aligned.height,
                    window_size=WINDOW,
                )
            )
    return found
