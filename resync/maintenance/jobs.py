"""Job degradations: durations creeping past each job's own baseline, failure rates rising.

Each job (stream.job on one FTA) is its own baseline: the runs before the recent window
against the runs in it. A slowdown needs the recent median duration to exceed the baseline's
by `job_slowdown_ratio` and by one robust standard deviation of the baseline runs (MAD), and
the durations to trend upwards (Kendall's tau against time, one-sided). A rising failure rate
needs at least three recent failures and a one-sided Fisher exact test of recent against
baseline failures. An estate runs thousands of jobs, so the p-values of each test are adjusted
over every job tested (Benjamini–Hochberg) and compared with `maintenance_p_value`.
"""

from collections.abc import Callable
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
# For every job tested: its p-value, whether the effect is large enough, and the degradation.
Candidate = tuple[float, bool, Callable[[float], Degradation]]


def _window(runs: pl.DataFrame) -> TimeWindow:
    return TimeWindow(start=runs["started_at"].min(), end=runs["started_at"].max())


def _discoveries(candidates: list[Candidate], settings: Settings) -> list[Degradation]:
    """The candidates with a large enough effect whose adjusted p-value is significant."""
    if not candidates:
        return []
    adjusted = stats.false_discovery_control([p for p, _, _ in candidates], method="bh")
    return [
        build(float(q))
        for (_, large, build), q in zip(candidates, adjusted, strict=True)
        if large and q < settings.maintenance_p_value
    ]


def _slowdown(workstation: str, job: str, group: pl.DataFrame, recent_from: datetime, settings):
    baseline = group.filter(pl.col("started_at") < recent_from)["duration"].to_numpy()
    recent = group.filter(pl.col("started_at") >= recent_from)["duration"].to_numpy()
    if min(baseline.size, recent.size) < settings.job_min_runs:
        return None
    baseline_median, recent_median = float(np.median(baseline)), float(np.median(recent))
    spread = MAD_TO_SIGMA * float(np.median(np.abs(baseline - baseline_median)))
    spread = max(spread, 0.01 * baseline_median, 1e-9)
    ratio = recent_median / baseline_median if baseline_median > 0 else float("inf")
    robust_z = (recent_median - baseline_median) / spread
    days = (group["started_at"] - group["started_at"].min()).dt.total_seconds().to_numpy()
    durations = group["duration"].to_numpy()
    tau, two_sided = stats.kendalltau(days, durations)
    p_value = float(two_sided / 2 if tau > 0 else 1 - two_sided / 2)

    def build(adjusted: float) -> Degradation:
        slope = stats.theilslopes(durations, days / SECONDS_PER_DAY).slope
        return Degradation(
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
                "p_value_adjusted": adjusted,
                "trend_seconds_per_day": float(slope),
                "baseline_runs": int(baseline.size),
                "recent_runs": int(recent.size),
            },
        )

    large = ratio >= settings.job_slowdown_ratio and robust_z >= MIN_ROBUST_Z
    return p_value, large, build


def job_slowdowns(runs: pl.DataFrame, *, now: datetime, settings: Settings) -> list[Degradation]:
    """Jobs whose recent successful runs are markedly and steadily slower than their baseline."""
    recent_from = now - timedelta(days=settings.maintenance_recent_days)
    succeeded = runs.filter(~pl.col("failed") & pl.col("duration").is_not_null())
    candidates = [
        candidate
        for (workstation, job), group in succeeded.group_by("workstation", "job")
        if (candidate := _slowdown(workstation, job, group, recent_from, settings)) is not None
    ]
    return _discoveries(candidates, settings)


def _failure_rise(workstation: str, job: str, group: pl.DataFrame, recent_from, settings):
    recent = group.filter(pl.col("started_at") >= recent_from)["failed"]
    baseline = group.filter(pl.col("started_at") < recent_from)["failed"]
    if min(recent.len(), baseline.len()) < settings.job_min_runs:
        return None
    recent_failures, baseline_failures = int(recent.sum()), int(baseline.sum())
    table = [
        [recent_failures, recent.len() - recent_failures],
        [baseline_failures, baseline.len() - baseline_failures],
    ]
    odds_ratio, p_value = stats.fisher_exact(table, alternative="greater")

    def build(adjusted: float) -> Degradation:
        return Degradation(
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
                "p_value_adjusted": adjusted,
                "test": "fisher_exact_one_sided",
            },
        )

    return float(p_value), recent_failures >= MIN_RECENT_FAILURES, build


def job_failure_rises(
    runs: pl.DataFrame, *, now: datetime, settings: Settings
) -> list[Degradation]:
    """Jobs failing significantly more often in the recent window than before it."""
    recent_from = now - timedelta(days=settings.maintenance_recent_days)
    candidates = [
        candidate
        for (workstation, job), group in runs.group_by("workstation", "job")
        if (candidate := _failure_rise(workstation, job, group, recent_from, settings)) is not None
    ]
    return _discoveries(candidates, settings)
