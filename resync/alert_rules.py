"""Alert rules on recent FTA samples: which (workstation, rule) pairs are firing right now."""

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from resync.settings import Settings


@dataclass(frozen=True)
class AlertRule:
    """A condition that must hold on each of the last `samples` samples of an FTA."""

    name: str
    metric: str
    compare: Callable[[pl.Expr, float], pl.Expr]
    threshold: float
    samples: int
    severity: str
    message: str  # formatted with threshold, samples and value (the latest reading)


@dataclass(frozen=True)
class FiringAlert:
    workstation: str
    rule: str
    severity: str
    value: float | None
    message: str


SILENT_RULE = "silent"


def alert_rules(settings: Settings) -> list[AlertRule]:
    """The rule set, thresholds from settings."""
    return [
        AlertRule(
            "cpu_saturation",
            "cpu_percent",
            operator.gt,
            settings.cpu_saturation_percent,
            settings.saturation_sustained_samples,
            "critical",
            "CPU above {threshold:g} % for {samples} samples (now {value:.1f} %)",
        ),
        AlertRule(
            "memory_saturation",
            "memory_percent",
            operator.gt,
            settings.memory_saturation_percent,
            settings.saturation_sustained_samples,
            "critical",
            "memory above {threshold:g} % for {samples} samples (now {value:.1f} %)",
        ),
        AlertRule(
            "disk_saturation",
            "disk_percent",
            operator.gt,
            settings.disk_saturation_percent,
            settings.saturation_sustained_samples,
            "critical",
            "disk above {threshold:g} % for {samples} samples (now {value:.1f} %)",
        ),
        AlertRule(
            "master_unreachable",
            "tcp_connectivity",
            operator.eq,
            0,
            settings.master_unreachable_samples,
            "critical",
            f"master unreachable on port {settings.master_port} for {{samples}} samples",
        ),
        AlertRule(
            "packet_loss",
            "packet_loss_percent",
            operator.ge,
            settings.packet_loss_alert_percent,
            settings.packet_loss_sustained_samples,
            "warning",
            "packet loss to the master at or above {threshold:g} % for {samples} samples "
            "(now {value:.1f} %)",
        ),
    ]


def lookback_samples(settings: Settings) -> int:
    """How many recent samples per FTA the rules need."""
    return max(rule.samples for rule in alert_rules(settings))


def evaluate_alert_rules(recent: pl.DataFrame, settings: Settings) -> list[FiringAlert]:
    """Rules firing on `recent` (workstation, sample_time and metric columns; any order)."""
    if recent.is_empty():
        return []
    ordered = recent.sort(["workstation", "sample_time"], descending=[False, True])
    firing: list[FiringAlert] = []
    for rule in alert_rules(settings):
        verdict = (
            ordered.group_by("workstation", maintain_order=True)
            .head(rule.samples)
            .group_by("workstation", maintain_order=True)
            .agg(
                pl.len().alias("count"),
                rule.compare(pl.col(rule.metric), rule.threshold).all().alias("holds"),
                pl.col(rule.metric).first().alias("latest"),
            )
            .filter((pl.col("count") == rule.samples) & pl.col("holds"))
        )
        for workstation, latest in verdict.select("workstation", "latest").iter_rows():
            message = rule.message.format(
                threshold=rule.threshold, samples=rule.samples, value=latest
            )
            firing.append(
                FiringAlert(workstation, rule.name, rule.severity, float(latest), message)
            )
    return firing


def find_silent_workstations(
    last_samples: dict[str, datetime], now: datetime, settings: Settings
) -> list[FiringAlert]:
    """FTAs with no sample for `silent_after_intervals` collector intervals."""
    interval = timedelta(seconds=settings.collector_interval_seconds)
    limit = interval * settings.silent_after_intervals
    silent = []
    for workstation, last in sorted(last_samples.items()):
        if now - last > limit:
            minutes = (now - last).total_seconds() / 60
            silent.append(
                FiringAlert(
                    workstation,
                    SILENT_RULE,
                    "warning",
                    minutes,
                    f"no sample for {minutes:.0f} minutes "
                    f"({settings.silent_after_intervals} collector intervals)",
                )
            )
    return silent
