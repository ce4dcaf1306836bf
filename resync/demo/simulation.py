"""A synthetic FTA estate with known futures, for the accuracy benchmark and workflow tests.

Every FTA reports 5-minute samples (all `workstation_metrics_history` columns) and runs four
jobs (hourly, every 4 hours, twice a day, daily). Each FTA plays one scenario:

- `disk_filling`: the disk grows linearly to its saturation setting within 4–25 days, stdlist
  grows with it and the hourly job's duration creeps with the disk;
- `memory_leak`: memory grows from an onset up to 16 days ago, its daily peak reaching 100 %
  within 4–25 days;
- `degrading_link`: latency and packet loss grow from an onset, loss reaching 100 %;
- `message_file_filling`: Mailbox.msg fills from an onset, reaching 100 %;
- `job_failures`: one job's ABEND rate jumps from 2 % to 40 % in the last week;
- controls: `healthy`, `noisy_healthy` (large noise, spikes, loss bursts, more ABENDs),
  `disk_cleanup` (a fast-growing disk cleaned 5–12 days ago, its new level far from full),
  `slow_disk_growth` (a disk reaching its threshold only in 45–100 days) and `weekend_batch`
  (a disk 6–12 points fuller every weekend).

The truth (`Scenario.failure_at`) is the first hour the noise-free signal, continued past
`now` (its growth rate changed by a log-normal factor, σ 0.2: trends do not continue exactly),
reaches the failure threshold the predictor uses, within 120 days.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from resync.demo.simulation_signals import job_runs_frame, scenario_signals
from resync.maintenance.types import Kind

SCENARIO_KINDS: dict[str, Kind | None] = {
    "disk_filling": "disk_filling",
    "memory_leak": "memory_leak",
    "degrading_link": "degrading_link",
    "message_file_filling": "message_file_filling",
    "job_failures": "job_failures",
    "healthy": None,
    "noisy_healthy": None,
    "disk_cleanup": None,
    "slow_disk_growth": None,
    "weekend_batch": None,
}
# Share of each scenario in a benchmark estate (sums to 1).
BENCHMARK_MIX = {
    "disk_filling": 0.12,
    "memory_leak": 0.08,
    "degrading_link": 0.08,
    "message_file_filling": 0.08,
    "job_failures": 0.04,
    "healthy": 0.25,
    "noisy_healthy": 0.15,
    "disk_cleanup": 0.08,
    "slow_disk_growth": 0.08,
    "weekend_batch": 0.04,
}


@dataclass(frozen=True)
class Scenario:
    """What one FTA plays, and when (if ever within the simulated future) it fails."""

    workstation: str
    label: str
    kind: Kind | None
    resource: str | None
    failure_at: datetime | None


@dataclass(frozen=True)
class Estate:
    """Metrics and job runs up to `now`, the scenarios behind them and the hosts' facts."""

    metrics: pl.DataFrame
    jobs: pl.DataFrame
    scenarios: list[Scenario]
    host_facts: dict[str, dict]
    now: datetime


def benchmark_labels(count: int) -> list[str]:
    """`count` scenario labels in `BENCHMARK_MIX` proportions (largest remainders)."""
    exact = {label: share * count for label, share in BENCHMARK_MIX.items()}
    counts = {label: int(value) for label, value in exact.items()}
    for label in sorted(exact, key=lambda label: counts[label] - exact[label])[
        : count - sum(counts.values())
    ]:
        counts[label] += 1
    return [label for label, number in counts.items() for _ in range(number)]


def generate_estate(
    labels: Sequence[str],
    *,
    days: int = 30,
    now: datetime | None = None,
    seed: int = 0,
    disk_saturation_percent: float = 90.0,
) -> Estate:
    """An estate of one FTA per label (`FTA001`, …) with `days` of history up to `now`."""
    unknown = sorted(set(labels) - set(SCENARIO_KINDS))
    if unknown:
        raise ValueError(f"unknown scenario labels {unknown}; choose from {list(SCENARIO_KINDS)}")
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    now -= timedelta(minutes=now.minute % 5)
    rng = np.random.default_rng(seed)
    metrics, jobs, scenarios, facts = [], [], [], {}
    for number, label in enumerate(labels, start=1):
        workstation = f"FTA{number:03d}"
        signals = scenario_signals(label, rng, days, disk_saturation_percent)
        start = now - timedelta(days=days)
        times = pl.datetime_range(
            start + timedelta(minutes=5), now, "5m", time_zone="UTC", eager=True
        )
        metrics.append(signals.metrics_frame(workstation, times, rng))
        jobs.append(job_runs_frame(workstation, label, signals, start, days, rng))
        failure_at = None
        if signals.failure_days is not None:
            failure_at = now + timedelta(days=signals.failure_days)
        scenarios.append(
            Scenario(workstation, label, SCENARIO_KINDS[label], signals.resource, failure_at)
        )
        facts[workstation] = {
            "disk_total_gb": signals.disk_total_gb,
            "memory_total_mb": 16_384,
            "cpu_count": 8,
            "logical_volume": "/dev/mapper/twsvg-twslv",
            "message_file_sizes_mb": {"Mailbox.msg": 10, "Intercom.msg": 10},
        }
    return Estate(pl.concat(metrics), pl.concat(jobs), scenarios, facts, now)
