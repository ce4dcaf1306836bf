"""Job degradations: durations creeping past each job's own baseline, failure rates rising.

Each job (stream.job on one FTA) is its own baseline: the runs before the recent window
against the runs in it. A slowdown needs the recent median duration to exceed the baseline's
by `job_slowdown_ratio` and by one robust standard deviation of the baseline runs (MAD), and
the durations to trend upwards (Kendall's tau against time, one-sided). A rising failure rate
needs at least three recent failures and a one-sided Fisher exact test of recent against
baseline failures. An estate runs thousands of jobs, so the p-values of each test are adjusted
over every job tested (Benjamini–Hochberg) and compared with `maintenance_p_value`: each job's
test (`JobTest`) is its own, the adjustment needs every job of the estate (`discoveries`).
"""

from datetime import datetime, timedelta

import numpy as np
import polars as pl
from scipy import stats

from resync.maintenance.types import Degradation, JobTest, TimeWindow
from resync.settings import Settings

MAD_TO_SIGMA = 1.4826
MIN_ROBUST_Z = 1.0
MIN_RECENT_FAILURES = 3
SECONDS_PER_DAY = 86_400.0


def _window(runs: pl.DataFrame) -> TimeWindow:
    return TimeWindow(start=runs["started_at"].min(), end=runs["started_at"].max())


def discoveries(tests: list[JobTest], settings: Settings) -> list[Degradation]:
    """The degradations of `tests` (every job tested for one kind) whose p-value, adjusted over
    all of them (Benjamini–Hochberg), is significant; `p_value_adjusted` joins their detail."""
    if not tests:
        return []
    adjusted = stats.false_discovery_control([test.p_value for test in tests], method="bh")
    return [
        test.degradation.model_copy(
            update={"detail": {**test.degradation.detail, "p_value_adjusted": float(q)}}
        )
        for test, q in zip(tests, adjusted, strict=True)
        if test.degradation is not None and q < settings.maintenance_p_value
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
    if ratio < settings.job_slowdown_ratio or robust_z < MIN_ROBUST_Z:
        return JobTest(kind="job_slowdown", p_value=p_value)
    slope = stats.theilslopes(durations, days / SECONDS_PER_DAY).slope
    degradation = Degradation(
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
    return JobTest(kind="job_slowdown", p_value=p_value, degradation=degradation)


def slowdown_tests(runs: pl.DataFrame, *, now: datetime, settings: Settings) -> list[JobTest]:
    """The slowdown test of each job with enough successful runs before and in the recent
    window."""
    recent_from = now - timedelta(days=settings.maintenance_recent_days)
    succeeded = runs.filter(~pl.col("failed") & pl.col("duration").is_not_null())
    return [
        test
        for (workstation, job), group in succeeded.group_by("workstation", "job")
        if (test := _slowdown(workstation, job, group, recent_from, settings)) is not None
    ]


def job_slowdowns(runs: pl.DataFrame, *, now: datetime, settings: Settings) -> list[Degradation]:
    """Jobs whose recent successful runs are markedly and steadily slower than their baseline."""
    return discoveries(slowdown_tests(runs, now=now, settings=settings), settings)


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
    if recent_failures < MIN_RECENT_FAILURES:
        return JobTest(kind="job_failures", p_value=float(p_value))
    degradation = Degradation(
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
    return JobTest(kind="job_failures", p_value=float(p_value), degradation=degradation)


def failure_rise_tests(runs: pl.DataFrame, *, now: datetime, settings: Settings) -> list[JobTest]:
    """The failure-rate test of each job with enough runs before and in the recent window."""
    recent_from = now - timedelta(days=settings.maintenance_recent_days)
    return [
        test
        for (workstation, job), group in runs.group_by("workstation", "job")
        if (test := _failure_rise(workstation, job, group, recent_from, settings)) is not None
    ]


def job_failure_rises(
    runs: pl.DataFrame, *, now: datetime, settings: Settings
) -> list[Degradation]:
    """Jobs failing significantly more often in the recent window than before it."""
    return discoveries(failure_rise_tests(runs, now=now, settings=settings), settings)
