"""`predict`: a failure timeline per FTA and problem, with a confidence that means something.

A resource fails when its daily peak (trend level now plus the rhythm's highest hour) reaches
its failure threshold: disk at `disk_saturation_percent`, memory, packet loss and message files
at 100 %, latency at `link_latency_failure_ms`. The expected date extrapolates the trend; the
80 % interval comes from the uncertainty of the growth rate: the slope's standard error (the
fit's quality) and `maintenance_trend_drift`, how much a trend's rate changes once extrapolated.
`confidence` is the probability, under that uncertainty, that the threshold is reached within
`maintenance_horizon_days`; only failures expected within that horizon are predicted.

Job problems that follow a predicted resource (Spearman, moderate or stronger, p < 0.05) become
evidence of that prediction; the others are predicted on their own, without a date, their
confidence one minus the adjusted p-value of their test.
"""

import math
from datetime import date, datetime, timedelta

from scipy import stats

from resync.maintenance.summary import job_evidence, resource_summary
from resync.maintenance.types import Correlation, Crossing, Degradation, Prediction
from resync.settings import Settings

INTERVAL_Z = float(stats.norm.ppf(0.9))  # 80 % two-sided
CORRELATION_P_VALUE = 0.05
EXPLAINING_STRENGTHS = ("moderate", "strong")
JOB_STATISTICS = {"job_slowdown": "median_duration", "job_failures": "failure_rate"}


def failure_threshold(resource: str, settings: Settings) -> float | None:
    """The level at which `resource` fails, or None for a series with no failure level."""
    if resource.startswith("message_file:"):
        return 100.0
    return {
        "disk_percent": settings.disk_saturation_percent,
        "memory_percent": 100.0,
        "packet_loss_percent": 100.0,
        "latency_avg_ms": settings.link_latency_failure_ms,
    }.get(resource)


def crossing(
    degradation: Degradation, threshold: float, horizon_days: int, drift: float
) -> Crossing:
    """Expected, earliest and latest crossing of `threshold` and P(crossed within the horizon).

    The future growth rate is taken as normal around the fitted slope, its standard deviation
    the slope's standard error and `drift` (relative) of the slope combined.
    """
    detail = degradation.detail
    slope = degradation.value
    stderr = math.hypot(detail["slope_stderr_per_day"], drift * slope)
    peak_now = detail["level_now"] + detail["daily_peak_excess"]
    distance = max(threshold - peak_now, 0.0)

    def days_at(rate: float) -> float | None:
        if distance == 0.0:
            return 0.0
        return distance / rate if rate > 0 else None

    needed = distance / horizon_days
    if stderr > 0:
        confidence = float(stats.norm.cdf((slope - needed) / stderr))
    else:
        confidence = 1.0 if slope >= needed else 0.0
    return Crossing(
        degradation=degradation,
        threshold=threshold,
        peak_now=peak_now,
        expected_days=math.inf if days_at(slope) is None else days_at(slope),
        earliest_days=days_at(slope + INTERVAL_Z * stderr) or 0.0,
        latest_days=days_at(slope - INTERVAL_Z * stderr),
        confidence=confidence,
    )


def _explains(correlation: Correlation, crossing_: Crossing) -> bool:
    return (
        correlation.workstation == crossing_.degradation.workstation
        and correlation.resource == crossing_.degradation.resource
        and correlation.value > 0
        and correlation.strength in EXPLAINING_STRENGTHS
        and correlation.p_value < CORRELATION_P_VALUE
    )


def _resource_prediction(
    first: Crossing,
    related: list[Degradation],
    jobs: list[tuple[Degradation, Correlation]],
    now: datetime,
) -> Prediction:
    degradation = first.degradation

    def day(days: float) -> date:
        return (now + timedelta(days=days)).date()

    evidence = {
        "threshold": first.threshold,
        "peak_now": first.peak_now,
        "expected_days": first.expected_days,
        "earliest_date": day(first.earliest_days).isoformat(),
        "latest_date": None if first.latest_days is None else day(first.latest_days).isoformat(),
        "degradations": [d.model_dump(mode="json") for d in [degradation, *related]],
        "jobs": job_evidence(jobs),
    }
    return Prediction(
        workstation=degradation.workstation,
        kind=degradation.kind,
        resource=degradation.resource,
        predicted_failure_date=day(first.expected_days),
        confidence=round(first.confidence, 4),
        evidence_summary=resource_summary(first, related, jobs, day),
        evidence=evidence,
    )


def _job_prediction(degradation: Degradation) -> Prediction:
    confidence = 1.0 - degradation.detail["p_value_adjusted"]
    return Prediction(
        workstation=degradation.workstation,
        kind=degradation.kind,
        resource=degradation.resource,
        predicted_failure_date=None,
        confidence=round(confidence, 4),
        evidence_summary=job_evidence([(degradation, None)])[0]["summary"],
        evidence={"degradations": [degradation.model_dump(mode="json")]},
    )


def predict(
    degradations: list[Degradation],
    correlations: list[Correlation],
    *,
    now: datetime,
    settings: Settings,
) -> list[Prediction]:
    """One prediction per FTA and problem expected to fail within the horizon, soonest first."""
    horizon = settings.maintenance_horizon_days
    crossings: dict[tuple[str, str], list[Crossing]] = {}
    for degradation in degradations:
        threshold = failure_threshold(degradation.resource, settings)
        if threshold is None or degradation.kind in ("job_slowdown", "job_failures"):
            continue
        found = crossing(degradation, threshold, horizon, settings.maintenance_trend_drift)
        if math.isfinite(found.expected_days) and found.expected_days <= horizon:
            crossings.setdefault((degradation.workstation, degradation.kind), []).append(found)
    predictions, explained = [], set()
    for (workstation, kind), found in crossings.items():
        first = min(found, key=lambda item: item.expected_days)
        related = [
            d
            for d in degradations
            if d.workstation == workstation and d.kind == kind and d is not first.degradation
        ]
        jobs = [
            (d, c)
            for d in degradations
            if d.workstation == workstation and d.kind in ("job_slowdown", "job_failures")
            for c in correlations
            if c.job == d.resource.removeprefix("job:")
            and c.job_statistic == JOB_STATISTICS[d.kind]
            and _explains(c, first)
        ]
        explained.update(id(d) for d, _ in jobs)
        predictions.append(_resource_prediction(first, related, jobs, now))
    predictions += [
        _job_prediction(d)
        for d in degradations
        if d.kind in ("job_slowdown", "job_failures") and id(d) not in explained
    ]
    far = now.date() + timedelta(days=10 * horizon)
    return sorted(
        predictions, key=lambda p: (p.predicted_failure_date or far, p.workstation, p.kind)
    )
