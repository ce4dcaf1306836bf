"""Job degradations: durations creeping past each job's own baseline, failure rates rising.

Each job (stream.job on one FTA) is its own baseline: the runs before the recent window
against the runs in it. A slowdown needs the recent median duration to exceed the baseline's
by `job_slowdown_ratio` and by one robust standard deviation of the baseline runs (MAD), and
the durations to trend upwards (Kendall's tau against time, one-sided, p below
`maintenance_p_value`). A rising failure rate needs a one-sided Fisher exact test of recent
against baseline failures below `maintenance_p_value`.
"""

from datetime import datetime, timedelta

import numpy as np
import polars as pl
from scipy import stats

from resync.maintenance.types import Degradation, TimeWindow
from resync.settings import Settings

MAD_TO_SIGMA = 1.4826
MIN_ROBUST_Z = 1.0
MIN_RECENT_FAILURES = 3
SECONDS_PER_DAY = 86_400.0


def _window(runs: pl.DataFrame) -> TimeWindow:
    return TimeWindow(start=runs["started_at"].min(), end=runs["started_at"].max())


def job_slowdowns(runs: pl.DataFrame, *, now: datetime, settings: Settings) -> list[Degradation]:
    """Jobs whose recent successful runs are markedly and steadily slower than their baseline."""
    recent_from = now - timedelta(days=settings.maintenance_recent_days)
    found = []
    succeeded = runs.filter(~pl.col("failed") & pl.col("duration").is_not_null())
    for (workstation, job), group in succeeded.group_by("workstation", "job"):
        baseline = group.filter(pl.col("started_at") < recent_from)["duration"].to_numpy()
        recent = group.filter(pl.col("started_at") >= recent_from)["duration"].to_numpy()
        if min(baseline.size, recent.size) < settings.job_min_runs:
            continue
        baseline_median, recent_median = float(np.median(baseline)), float(np.median(recent))
        spread = MAD_TO_SIGMA * float(np.median(np.abs(baseline - baseline_median)))
        spread = max(spread, 0.01 * baseline_median, 1e-9)
        ratio = recent_median / baseline_median if baseline_median > 0 else float("inf")
        robust_z = (recent_median - baseline_median) / spread
        days = (group["started_at"] - group["started_at"].min()).dt.total_seconds().to_numpy()
        durations = group["duration"].to_numpy()
        tau, two_sided = stats.kendalltau(days, durations)
        p_value = float(two_sided / 2 if tau > 0 else 1 - two_sided / 2)
        if (
            ratio < settings.job_slowdown_ratio
            or robust_z < MIN_ROBUST_Z
            or p_value >= settings.maintenance_p_value
        ):
            continue
        slope = stats.theilslopes(durations, days / SECONDS_PER_DAY).slope
        found.append(
            Degradation(
                workstation=workstation,
                kind="job_slowdown",
                resource=f"job:{job}",
                statistic="duration_ratio",
                value=ratio,
                window=_window(group),
                detail={
                    "baseline_median_seconds": baseline_median,
                    "recent_median_seconds": recent_median,
                    "baseline_mad_seconds": spread,
                    "robust_z": robust_z,
                    "kendall_tau": float(tau),
                    "p_value": p_value,
                    "trend_seconds_per_day": float(slope),
                    "baseline_runs": int(baseline.size),
                    "recent_runs": int(recent.size),
                },
            )
        )
    return found


def job_failure_rises(
    runs: pl.DataFrame, *, now: datetime, settings: Settings
) -> list[Degradation]:
    """Jobs failing significantly more often in the recent window than before it."""
    recent_from = now - timedelta(days=settings.maintenance_recent_days)
    found = []
    for (workstation, job), group in runs.group_by("workstation", "job"):
        recent = group.filter(pl.col("started_at") >= recent_from)["failed"]
        baseline = group.filter(pl.col("started_at") < recent_from)["failed"]
        if min(recent.len(), baseline.len()) < settings.job_min_runs:
            continue
        recent_failures, baseline_failures = int(recent.sum()), int(baseline.sum())
        if recent_failures < MIN_RECENT_FAILURES:
            continue
        table = [
            [recent_failures, recent.len() - recent_failures],
            [baseline_failures, baseline.len() - baseline_failures],
        ]
        odds_ratio, p_value = stats.fisher_exact(table, alternative="greater")
        if p_value >= settings.maintenance_p_value:
            continue
        found.append(
            Degradation(
                workstation=workstation,
                kind="job_failures",
                resource=f"job:{job}",
                statistic="recent_failure_rate",
                value=recent_failures / recent.len(),
                window=_window(group),
                detail={
                    "baseline_failure_rate": baseline_failures / baseline.len(),
                    "recent_failures": recent_failures,
                    "recent_runs": recent.len(),
                    "baseline_failures": baseline_failures,
                    "baseline_runs": baseline.len(),
                    "odds_ratio": float(odds_ratio),
                    "p_value": float(p_value),
                    "test": "fisher_exact_one_sided",
                },
            )
        )
    return found
