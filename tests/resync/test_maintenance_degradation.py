"""Degradation analysis on hand-built series: trends, regimes, job slowdowns, failure rates."""

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from resync.maintenance.degradation import analyze_degradation
from resync.maintenance.jobs import job_failure_rises, job_slowdowns
from resync.maintenance.series import job_runs, message_file_samples
from resync.maintenance.trends import fit_resource_trend
from resync.settings import Settings

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
SETTINGS = Settings()


def hourly(values: np.ndarray) -> pl.DataFrame:
    times = [NOW - timedelta(hours=values.size - 1 - i) for i in range(values.size)]
    return pl.DataFrame({"sample_time": times, "value": values})


def test_a_steady_climb_is_measured_per_day_with_its_level_now() -> None:
    hours = np.arange(14 * 24)
    rng = np.random.default_rng(1)
    values = 40 + 0.5 / 24 * hours + 3 * np.sin(2 * np.pi * hours / 24) + rng.normal(0, 0.3, 336)

    trend = fit_resource_trend(hourly(values), trend_days=14, min_trend_days=3)

    assert abs(trend.slope_per_day - 0.5) < 0.02
    assert abs(trend.level_now - (40 + 0.5 / 24 * 335)) < 0.3
    assert 2.5 < trend.daily_peak_excess < 3.3
    assert trend.r_squared > 0.95 and trend.p_value < 1e-10


def test_growth_that_starts_mid_window_is_fitted_from_its_onset() -> None:
    hours = np.arange(14 * 24)
    values = 50 + np.where(hours >= 8 * 24, (hours - 8 * 24) * 2.0 / 24, 0.0)

    trend = fit_resource_trend(hourly(values), trend_days=14, min_trend_days=3)

    assert abs(trend.slope_per_day - 2.0) < 0.01
    assert trend.start == NOW - timedelta(hours=335 - 8 * 24)


def test_a_cleanup_starts_a_new_regime() -> None:
    hours = np.arange(20 * 24)
    rng = np.random.default_rng(2)
    values = np.where(hours < 14 * 24, 50 + hours * 1.5 / 24, 35 + (hours - 14 * 24) * 0.1 / 24)
    values = values + rng.normal(0, 0.1, hours.size)

    trend = fit_resource_trend(hourly(values), trend_days=14, min_trend_days=3)

    assert trend.start >= NOW - timedelta(days=6, hours=1)
    assert abs(trend.slope_per_day - 0.1) < 0.05


def test_noise_without_growth_is_not_a_degradation() -> None:
    rng = np.random.default_rng(3)
    times = pl.datetime_range(NOW - timedelta(days=20), NOW, "5m", eager=True, time_zone="UTC")
    metrics = pl.DataFrame(
        {
            "workstation": "FTA01",
            "sample_time": times,
            "disk_percent": 60 + rng.normal(0, 4, times.len()),
            "memory_percent": 50 + rng.normal(0, 8, times.len()),
        }
    )
    assert analyze_degradation(metrics, pl.DataFrame(), now=NOW, settings=SETTINGS) == []


def runs(durations: list[float], statuses: list[str] | None = None) -> pl.DataFrame:
    starts = [NOW - timedelta(hours=len(durations) - i) for i in range(len(durations))]
    return job_runs(
        pl.DataFrame(
            {
                "workstation": "FTA01",
                "job_stream": "ETL",
                "job_name": "EXTRACT",
                "run_id": [str(i) for i in range(len(durations))],
                "status": statuses or ["SUCC"] * len(durations),
                "started_at": starts,
                "ended_at": [
                    s + timedelta(seconds=d) for s, d in zip(starts, durations, strict=True)
                ],
                "duration": durations,
            }
        )
    )


def test_a_creeping_job_is_a_slowdown_against_its_own_baseline() -> None:
    rng = np.random.default_rng(4)
    durations = list(np.linspace(300, 520, 20 * 24) * rng.lognormal(0, 0.05, 20 * 24))

    (slowdown,) = job_slowdowns(runs(durations), now=NOW, settings=SETTINGS)

    assert (slowdown.kind, slowdown.resource, slowdown.statistic) == (
        "job_slowdown",
        "job:ETL.EXTRACT",
        "duration_ratio",
    )
    assert slowdown.value > SETTINGS.job_slowdown_ratio
    assert slowdown.detail["kendall_tau"] > 0.5 and slowdown.detail["p_value"] < 1e-6
    assert 300 < slowdown.detail["baseline_median_seconds"] < 450


def test_a_stable_noisy_job_is_not_a_slowdown() -> None:
    rng = np.random.default_rng(5)
    durations = list(300 * rng.lognormal(0, 0.4, 20 * 24))
    assert job_slowdowns(runs(durations), now=NOW, settings=SETTINGS) == []


def test_failures_rising_in_the_recent_window_are_found_by_fishers_test() -> None:
    rng = np.random.default_rng(6)
    hours = 20 * 24
    recent = np.arange(hours) >= hours - SETTINGS.maintenance_recent_days * 24
    failed = rng.random(hours) < np.where(recent, 0.3, 0.02)
    statuses = ["ABEND" if f else "SUCC" for f in failed]

    (rise,) = job_failure_rises(runs([300.0] * hours, statuses), now=NOW, settings=SETTINGS)

    assert rise.kind == "job_failures" and rise.detail["test"] == "fisher_exact_one_sided"
    assert rise.value > 0.2 and rise.detail["baseline_failure_rate"] < 0.05
    assert rise.detail["p_value"] < SETTINGS.maintenance_p_value


def test_a_constant_failure_rate_is_not_a_rise() -> None:
    rng = np.random.default_rng(7)
    statuses = ["ABEND" if f else "SUCC" for f in rng.random(480) < 0.05]
    assert job_failure_rises(runs([300.0] * 480, statuses), now=NOW, settings=SETTINGS) == []


def test_message_files_read_as_json_text_or_as_objects_give_the_same_samples() -> None:
    files = [{"Mailbox.msg": 3.5, "Intercom.msg": 0.5}, None, {"Mailbox.msg": 4.0}]
    base = {"workstation": "FTA01", "sample_time": [NOW - timedelta(minutes=m) for m in (10, 5, 0)]}
    as_text = pl.DataFrame(
        {**base, "message_files": [None if f is None else json.dumps(f) for f in files]}
    )
    as_objects = pl.DataFrame({**base, "message_files": files})

    expected = {
        ("message_file:Mailbox.msg", 3.5),
        ("message_file:Intercom.msg", 0.5),
        ("message_file:Mailbox.msg", 4.0),
    }
    for frame in (as_text, as_objects):
        samples = message_file_samples(frame)
        assert set(samples.select("resource", "value").iter_rows()) == expected


def test_empty_history_gives_no_degradation() -> None:
    assert analyze_degradation(pl.DataFrame(), pl.DataFrame(), now=NOW, settings=SETTINGS) == []
