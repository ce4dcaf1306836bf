"""The sentences an operator reads in a finding: what grows, how fast, when it fails, and why."""

from collections.abc import Callable
from datetime import date
from typing import Any

from resync.maintenance.types import Correlation, Crossing, Degradation

UNITS = {"latency_avg_ms": " ms", "stdlist_mb": " MB"}


def _unit(resource: str) -> str:
    return UNITS.get(resource, " %")


def degradation_phrase(degradation: Degradation) -> str:
    """One clause describing a degradation and its statistic."""
    detail = degradation.detail
    if degradation.kind == "job_slowdown":
        return (
            f"job {degradation.resource.removeprefix('job:')} slowed to "
            f"{detail['recent_median_seconds']:.0f} s median from "
            f"{detail['baseline_median_seconds']:.0f} s ({degradation.value:.2f}×, "
            f"Kendall tau {detail['kendall_tau']:.2f}, adjusted p {detail['p_value_adjusted']:.1e})"
        )
    if degradation.kind == "job_failures":
        return (
            f"job {degradation.resource.removeprefix('job:')} failed "
            f"{detail['recent_failures']} of {detail['recent_runs']} recent runs "
            f"({degradation.value:.0%} against {detail['baseline_failure_rate']:.0%} before, "
            f"Fisher adjusted p {detail['p_value_adjusted']:.1e})"
        )
    unit = _unit(degradation.resource)
    return (
        f"{degradation.resource} at {detail['level_now']:.1f}{unit} growing "
        f"{degradation.value:.2f}{unit}/day (R² {detail['r_squared']:.2f})"
    )


def job_evidence(jobs: list[tuple[Degradation, Correlation | None]]) -> list[dict[str, Any]]:
    """Each degraded job with its summary and, when it follows a resource, the correlation."""
    evidence = []
    for degradation, correlation in jobs:
        summary = degradation_phrase(degradation)
        if correlation is not None:
            summary += (
                f"; it follows {correlation.resource} (Spearman {correlation.value:.2f}, "
                f"{correlation.strength}, p {correlation.p_value:.1e}, "
                f"{correlation.windows} daily windows)"
            )
        evidence.append(
            {
                "summary": summary,
                "degradation": degradation.model_dump(mode="json"),
                "correlation": None if correlation is None else correlation.model_dump(mode="json"),
            }
        )
    return evidence


def resource_summary(
    first: Crossing,
    related: list[Degradation],
    jobs: list[tuple[Degradation, Correlation]],
    day: Callable[[float], date],
) -> str:
    """The evidence summary of a resource prediction."""
    degradation = first.degradation
    unit = _unit(degradation.resource)
    latest = "beyond" if first.latest_days is None else day(first.latest_days).isoformat()
    parts = [
        f"{degradation_phrase(degradation)}; its daily peak reaches {first.threshold:g}{unit} "
        f"around {day(first.expected_days).isoformat()} (80 % interval "
        f"{day(first.earliest_days).isoformat()} – {latest})"
    ]
    parts += [degradation_phrase(item) for item in related]
    parts += [item["summary"] for item in job_evidence(list(jobs))]
    return "; ".join(parts)
