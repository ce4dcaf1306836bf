"""What surrounded a failure: the job's own run history and its FTA's resources and alerts.

Pure functions on polars frames with the `job_execution_history` and
`workstation_metrics_history` columns. The resource state names the readings that corroborate
the class (a full disk for `disk_full`, saturated memory for `out_of_memory`, a broken link for
`connection_failure`, a run far longer than usual for `timeout`).
"""

from datetime import datetime
from typing import Any

import polars as pl

from resync.jobs.schemas import FAILED_STATUSES
from resync.settings import Settings

READINGS = (
    "cpu_percent",
    "memory_percent",
    "disk_percent",
    "latency_avg_ms",
    "packet_loss_percent",
    "tcp_connectivity",
)
SLOW_RUN_RATIO = 1.5
LOST_LINK_PACKET_LOSS = 50.0


def run_history_summary(runs: pl.DataFrame, run_id: str) -> dict[str, Any]:
    """The job's earlier runs: how many failed, usual duration, this run's duration against it."""
    this = runs.filter(pl.col("run_id") == run_id)
    earlier = (
        runs.filter(
            (pl.col("run_id") != run_id) & (pl.col("started_at") < this["started_at"].max())
        )
        if this.height
        else runs.clear()
    )
    succeeded = earlier.filter(pl.col("status").is_in(["SUCC", "DONE"]))
    failed = earlier.filter(pl.col("status").is_in(FAILED_STATUSES))
    median = succeeded["duration"].median() if succeeded.height else None
    duration = this["duration"][0] if this.height else None
    return_code = this["return_code"][0] if this.height else None
    return {
        "earlier_runs": earlier.height,
        "earlier_failures": failed.height,
        "same_return_code_failures": failed.filter(pl.col("return_code") == return_code).height,
        "median_success_duration_s": None if median is None else round(float(median), 1),
        "duration_s": None if duration is None else round(float(duration), 1),
        "duration_ratio": None
        if median in (None, 0) or duration is None
        else round(float(duration) / float(median), 2),
        "last_success_at": None
        if not succeeded.height
        else succeeded["started_at"].max().isoformat(),
        "return_codes": earlier["return_code"].drop_nulls().value_counts(sort=True).head(5).rows(),
    }


def _reading(frame: pl.DataFrame, name: str, how: str) -> float | None:
    values = frame[name].drop_nulls()
    if values.is_empty():
        return None
    value = {"last": values[-1], "max": values.max(), "min": values.min()}[how]
    return round(float(value), 2)


def resource_state(
    metrics: pl.DataFrame, alerts: list[dict[str, Any]], failed_at: datetime
) -> dict[str, Any]:
    """The FTA's last readings before the failure, the extremes around it, its alerts."""
    window = metrics.sort("sample_time")
    before = window.filter(pl.col("sample_time") <= failed_at)
    return {
        "samples": window.height,
        "at_failure": {name: _reading(before, name, "last") for name in READINGS}
        if before.height
        else {},
        "peak": {name: _reading(window, name, "max") for name in READINGS} if window.height else {},
        "lowest_tcp_connectivity": _reading(window, "tcp_connectivity", "min")
        if window.height
        else None,
        "alerts": alerts,
    }


def corroborating_readings(
    state: dict[str, Any],
    failure_class: str,
    run_history: dict[str, Any],
    settings: Settings,
) -> list[str]:
    """The readings and alerts around the failure that agree with its class."""
    found = []
    peak = state["peak"]
    disk, memory = peak.get("disk_percent"), peak.get("memory_percent")
    if (
        failure_class == "disk_full"
        and disk is not None
        and disk >= settings.disk_saturation_percent
    ):
        found.append(f"disk at {disk} % (threshold {settings.disk_saturation_percent} %)")
    if (
        failure_class == "out_of_memory"
        and memory is not None
        and memory >= settings.memory_saturation_percent
    ):
        found.append(f"memory at {memory} % (threshold {settings.memory_saturation_percent} %)")
    if failure_class == "connection_failure":
        if state["lowest_tcp_connectivity"] == 0:
            found.append("the FTA lost TCP connectivity to the master")
        loss = peak.get("packet_loss_percent")
        if loss is not None and loss >= LOST_LINK_PACKET_LOSS:
            found.append(f"packet loss reached {loss} %")
    ratio = run_history.get("duration_ratio")
    if failure_class == "timeout" and ratio is not None and ratio >= SLOW_RUN_RATIO:
        found.append(f"this run lasted {ratio}× the job's median successful run")
    found += [
        f"alert {alert['rule']} ({alert['severity']}): {alert['message']}"
        for alert in state["alerts"]
        if _alert_matches(alert["rule"], failure_class)
    ]
    return found


def _alert_matches(rule: str, failure_class: str) -> bool:
    words = {
        "disk_full": ("disk", "stdlist", "filesystem"),
        "out_of_memory": ("memory",),
        "connection_failure": ("link", "latency", "connect", "packet", "tcp", "unreachable"),
    }.get(failure_class, ())
    return any(word in rule.lower() for word in words)
