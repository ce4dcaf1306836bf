"""Alert rules on recent FTA samples: which (workstation, rule) pairs are firing right now."""

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

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
# An estate workflow's error on one FTA (the others processed): opened and resolved by the
# workflow's own runs (`resync.alerts.store.record_workflow_errors`), never by the rules here.
WORKFLOW_ERROR_RULES = {
    "maintenance": "maintenance_analysis_failed",
    "capacity": "capacity_forecast_failed",
    "decision_support": "failure_analysis_failed",
    "learning": "learning_failed",
}
SET_ASIDE_RULE = "samples_set_aside"
# Samples set aside within this window keep their FTA's alert firing: a day spans every shift.
SET_ASIDE_WINDOW = timedelta(days=1)
# The sample columns the rules read.
RULE_COLUMNS = (
    "cpu_percent",
    "memory_percent",
    "disk_percent",
    "tcp_connectivity",
    "packet_loss_percent",
)
# Learned parameters (threshold, samples) by (rule, workstation), from auto-learning.
Overrides = Mapping[tuple[str, str], Mapping[str, Any]]


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


def lookback_samples(settings: Settings, overrides: Overrides | None = None) -> int:
    """How many recent samples per FTA the rules need (learned overrides included)."""
    learned = [override["samples"] for override in (overrides or {}).values()]
    return max([rule.samples for rule in alert_rules(settings)] + learned)


def _variants(
    rule: AlertRule, ordered: pl.DataFrame, overrides: Overrides | None
) -> list[tuple[AlertRule, pl.DataFrame]]:
    """The rule on the FTAs without a learned override, and each override on its own FTA."""
    tuned = {ws: params for (name, ws), params in (overrides or {}).items() if name == rule.name}
    if not tuned:
        return [(rule, ordered)]
    variants = [(rule, ordered.filter(~pl.col("workstation").is_in(list(tuned))))]
    for workstation, params in tuned.items():
        learned = replace(rule, threshold=params["threshold"], samples=params["samples"])
        variants.append((learned, ordered.filter(pl.col("workstation") == workstation)))
    return variants


def evaluate_alert_rules(
    recent: pl.DataFrame, settings: Settings, overrides: Overrides | None = None
) -> list[FiringAlert]:
    """Rules firing on `recent` (workstation, sample_time and metric columns; any order).

    `overrides` are learned parameters (threshold, samples) by (rule, workstation).
    """
    if recent.is_empty():
        return []
    ordered = recent.sort(["workstation", "sample_time"], descending=[False, True])
    firing: list[FiringAlert] = []
    for base_rule in alert_rules(settings):
        for rule, frame in _variants(base_rule, ordered, overrides):
            firing += _firing(rule, frame)
    return firing


def _firing(rule: AlertRule, ordered: pl.DataFrame) -> list[FiringAlert]:
    """The FTAs of `ordered` (newest sample first) on which `rule` holds.

    A null reading (the FTA could not take it) is missing, not a value: the rule looks at the
    last `samples` readings taken.
    """
    verdict = (
        ordered.filter(pl.col(rule.metric).is_not_null())
        .group_by("workstation", maintain_order=True)
        .head(rule.samples)
        .group_by("workstation", maintain_order=True)
        .agg(
            pl.len().alias("count"),
            rule.compare(pl.col(rule.metric), rule.threshold).all().alias("holds"),
            pl.col(rule.metric).first().alias("latest"),
        )
        .filter((pl.col("count") == rule.samples) & pl.col("holds"))
    )
    return [
        FiringAlert(
            workstation,
            rule.name,
            rule.severity,
            float(latest),
            rule.message.format(threshold=rule.threshold, samples=rule.samples, value=latest),
        )
        for workstation, latest in verdict.select("workstation", "latest").iter_rows()
    ]


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


def find_set_aside_samples(set_aside: Mapping[str, tuple[int, str]]) -> list[FiringAlert]:
    """FTAs with samples ingest set aside (refused by the history schema or by the load), from
    (count, first reason) by FTA: those samples are not in history until someone looks."""
    return [
        FiringAlert(
            workstation,
            SET_ASIDE_RULE,
            "warning",
            float(count),
            f"{count} sample(s) set aside by ingest in the last day, not in history: {reason}",
        )
        for workstation, (count, reason) in sorted(set_aside.items())
    ]
