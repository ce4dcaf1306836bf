"""`analyze_degradation`: what is getting worse on each FTA, with the statistic that shows it.

Resources (disk, memory, packet loss, latency, stdlist size, each message file) degrade when
their trend (`resync.maintenance.trends`) grows significantly (one-sided p below
`maintenance_p_value`) and explains enough of the series (R² at least
`maintenance_trend_min_r_squared`) over at least `maintenance_min_trend_days`. Jobs degrade
when they slow down against their own baseline or fail more often (`resync.maintenance.jobs`),
significantly so among every job of the estate: a group of FTAs analysed on its own gives its
evidence (`degradation_evidence`), the evidence of every group is judged at once
(`judge_degradations`).
"""

from datetime import datetime, timedelta

import polars as pl

from resync.maintenance.jobs import discoveries, failure_rise_tests, slowdown_tests
from resync.maintenance.series import (
    MESSAGE_FILE_PREFIX,
    RESOURCE_KINDS,
    hourly_levels,
    job_runs,
    kind_of,
    resource_samples,
)
from resync.maintenance.trends import ResourceTrend, fit_resource_trend
from resync.maintenance.types import Degradation, JobTest, TimeWindow
from resync.settings import Settings


def _is_degrading(trend: ResourceTrend, settings: Settings) -> bool:
    return (
        trend.slope_per_day > 0
        and trend.p_value < settings.maintenance_p_value
        and trend.r_squared >= settings.maintenance_trend_min_r_squared
    )


def resource_degradations(
    metrics: pl.DataFrame, *, now: datetime, settings: Settings
) -> list[Degradation]:
    """Resource series growing steadily on each FTA, from the samples up to `now`."""
    samples = resource_samples(metrics).filter(
        pl.col("sample_time") <= now,
        pl.col("sample_time") > now - timedelta(days=settings.maintenance_trend_days + 1),
    )
    watched = pl.col("resource").is_in(list(RESOURCE_KINDS)) | pl.col("resource").str.starts_with(
        MESSAGE_FILE_PREFIX
    )
    hourly = hourly_levels(samples.filter(watched))
    found = []
    for (workstation, resource), series in hourly.group_by("workstation", "resource"):
        trend = fit_resource_trend(
            series, settings.maintenance_trend_days, settings.maintenance_min_trend_days
        )
        if trend is None or not _is_degrading(trend, settings):
            continue
        found.append(
            Degradation(
                workstation=workstation,
                kind=kind_of(resource),
                resource=resource,
                statistic="slope_per_day",
                value=trend.slope_per_day,
                window=TimeWindow(start=trend.start, end=trend.end),
                detail={
                    "slope_stderr_per_day": trend.slope_stderr_per_day,
                    "level_now": trend.level_now,
                    "daily_peak_excess": trend.daily_peak_excess,
                    "r_squared": trend.r_squared,
                    "p_value": trend.p_value,
                    "residual_sd": trend.residual_sd,
                    "trend_days": trend.days,
                },
            )
        )
    return found


def degradation_evidence(
    metrics: pl.DataFrame, jobs: pl.DataFrame, *, now: datetime, settings: Settings
) -> tuple[list[Degradation], list[JobTest]]:
    """What the FTAs of `metrics` and `jobs` show on their own: their resource degradations,
    and the slowdown and failure-rate tests of their jobs (`judge_degradations` finds the
    significant ones among every job of the estate)."""
    runs = job_runs(jobs).filter(pl.col("started_at") <= now)
    tests = slowdown_tests(runs, now=now, settings=settings)
    tests += failure_rise_tests(runs, now=now, settings=settings)
    return resource_degradations(metrics, now=now, settings=settings), tests


def judge_degradations(
    resources: list[Degradation], tests: list[JobTest], settings: Settings
) -> list[Degradation]:
    """The estate's degradations from the evidence of all its FTAs, gathered at once or a group
    of FTAs at a time: the resource degradations and the significant job tests, sorted."""
    found = list(resources)
    for kind in ("job_slowdown", "job_failures"):
        found += discoveries([test for test in tests if test.kind == kind], settings)
    return sorted(found, key=lambda item: (item.workstation, item.kind, item.resource))


def analyze_degradation(
    metrics: pl.DataFrame, jobs: pl.DataFrame, *, now: datetime, settings: Settings
) -> list[Degradation]:
    """Every degradation on every FTA: resource trends, job slowdowns, rising failure rates."""
    resources, tests = degradation_evidence(metrics, jobs, now=now, settings=settings)
    return judge_degradations(resources, tests, settings)
