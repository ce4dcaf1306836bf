"""Maintenance-analytics accuracy on a synthetic estate with known futures.

`resync.maintenance.simulation` makes an estate (default 200 FTAs, 30 days of 5-minute metrics
and job runs) with injected scenarios (disk filling with a job creeping along, memory leak,
degrading link, Mailbox.msg filling, a job starting to fail) and controls (healthy, noisy but
healthy, a disk cleaned up); `analyze_degradation → correlate → predict → recommend` runs on it.

Scored: findings precision (a finding is right when its FTA's scenario is of its kind),
recall (of the scenarios whose failure falls within the horizon, or whose job fails), the
absolute error of the failure date in days, the 80 % interval's coverage, whether the
creeping job was tied to the disk, and a calibration table of the confidence against the
event it states (the failure happens within the horizon). The baseline, scored in the same
run: a least-squares line through each resource's whole hourly history, extrapolated to the
same thresholds (no regimes, no onset, no significance test, no job analysis).

    .venv/bin/python -m benchmarks.maintenance_accuracy [--workstations 200] [--seed 7]
"""

import argparse
import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.machine import describe_machine
from resync.maintenance import analyze_degradation, correlate, predict, recommend
from resync.maintenance.prediction import failure_threshold
from resync.maintenance.series import hourly_levels, kind_of, resource_samples
from resync.maintenance.simulation import Estate, benchmark_labels, generate_estate
from resync.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001)
BASELINE_RESOURCES = (
    "disk_percent",
    "memory_percent",
    "packet_loss_percent",
    "message_file:Mailbox.msg",
)


def score(found: list[tuple[str, str, object]], estate: Estate, horizon: int) -> dict:
    """Precision, recall and date error of (workstation, kind, date) findings."""
    truth = {scenario.workstation: scenario for scenario in estate.scenarios}
    limit = estate.now + timedelta(days=horizon)
    positives = {
        (s.workstation, s.kind)
        for s in estate.scenarios
        if s.kind is not None and (s.failure_at is None or s.failure_at <= limit)
    }
    correct = [item for item in found if truth[item[0]].kind == item[1]]
    errors = [
        abs((date - truth[ws].failure_at.date()).days)
        for ws, _, date in correct
        if date is not None and truth[ws].failure_at is not None
    ]
    found_keys = {(ws, kind) for ws, kind, _ in found}
    false_alarms: dict[str, int] = {}
    for ws, kind, _ in found:
        if truth[ws].kind != kind:
            false_alarms[truth[ws].label] = false_alarms.get(truth[ws].label, 0) + 1
    return {
        "findings": len(found),
        "correct": len(correct),
        "precision": round(len(correct) / len(found), 4) if found else None,
        "positives": len(positives),
        "recall": round(len(positives & found_keys) / len(positives), 4) if positives else None,
        "date_error_days_median": statistics.median(errors) if errors else None,
        "date_error_days_p90": float(np.percentile(errors, 90)) if errors else None,
        "false_alarms_by_scenario": false_alarms,
    }


def calibration(findings, estate: Estate, horizon: int) -> dict:
    """Confidence bins against how often the stated event (failure within horizon) happened."""
    truth = {scenario.workstation: scenario for scenario in estate.scenarios}
    limit = estate.now + timedelta(days=horizon)
    rows, brier, covered, dated = [], [], 0, 0
    events = []
    for finding in findings:
        if finding.predicted_failure_date is None:
            continue
        scenario = truth[finding.workstation]
        happened = (
            scenario.kind == finding.kind
            and scenario.failure_at is not None
            and scenario.failure_at <= limit
        )
        events.append((finding.confidence, happened))
        brier.append((finding.confidence - happened) ** 2)
        if scenario.kind == finding.kind and scenario.failure_at is not None:
            dated += 1
            latest = finding.evidence["latest_date"]
            earliest = finding.evidence["earliest_date"]
            day = scenario.failure_at.date().isoformat()
            covered += earliest <= day and (latest is None or day <= latest)
    for low, high in zip(BINS, BINS[1:], strict=False):
        inside = [(c, h) for c, h in events if low <= c < high]
        if inside:
            rows.append(
                {
                    "confidence": f"[{low:.2f}, {min(high, 1.0):.2f}{')' if high < 1 else ']'}",
                    "findings": len(inside),
                    "mean_confidence": round(float(np.mean([c for c, _ in inside])), 3),
                    "observed_rate": round(float(np.mean([h for _, h in inside])), 3),
                }
            )
    return {
        "table": rows,
        "brier_score": round(float(np.mean(brier)), 4) if brier else None,
        "interval_80_coverage": round(covered / dated, 4) if dated else None,
    }


def baseline_findings(estate: Estate, settings: Settings) -> list[tuple[str, str, object]]:
    """Whole-history least-squares lines extrapolated to each resource's threshold."""
    hourly = hourly_levels(
        resource_samples(estate.metrics).filter(pl.col("resource").is_in(BASELINE_RESOURCES))
    )
    found = []
    for (workstation, resource), series in hourly.group_by("workstation", "resource"):
        values = series["value"].to_numpy()
        slope, intercept = np.polyfit(np.arange(values.size), values, 1)
        if slope <= 0:
            continue
        now_level = intercept + slope * (values.size - 1)
        days = (failure_threshold(resource, settings) - now_level) / (slope * 24)
        if days <= settings.maintenance_horizon_days:
            date = (estate.now + timedelta(days=max(days, 0.0))).date()
            found.append((workstation, kind_of(resource), date))
    return found


def run(workstations: int, days: int, seed: int) -> dict:
    settings = Settings()
    started = time.perf_counter()
    estate = generate_estate(benchmark_labels(workstations), days=days, now=NOW, seed=seed)
    generated = time.perf_counter() - started
    timings = {}
    started = time.perf_counter()
    degradations = analyze_degradation(
        estate.metrics, estate.jobs, now=estate.now, settings=settings
    )
    timings["analyze_degradation"] = time.perf_counter() - started
    started = time.perf_counter()
    correlations = correlate(degradations, estate.metrics, estate.jobs)
    timings["correlate"] = time.perf_counter() - started
    started = time.perf_counter()
    predictions = predict(degradations, correlations, now=estate.now, settings=settings)
    timings["predict"] = time.perf_counter() - started
    started = time.perf_counter()
    findings = recommend(predictions, estate.host_facts)
    timings["recommend"] = time.perf_counter() - started
    horizon = settings.maintenance_horizon_days
    disk_scenarios = [s.workstation for s in estate.scenarios if s.label == "disk_filling"]
    linked = {
        f.workstation for f in findings if f.kind == "disk_filling" and f.evidence.get("jobs")
    }
    started = time.perf_counter()
    baseline = baseline_findings(estate, settings)
    baseline_seconds = time.perf_counter() - started
    return {
        "benchmark": "maintenance_accuracy",
        "machine": describe_machine(),
        "estate": {
            "workstations": workstations,
            "history_days": days,
            "seed": seed,
            "metric_rows": estate.metrics.height,
            "job_runs": estate.jobs.height,
            "scenarios": {
                label: benchmark_labels(workstations).count(label)
                for label in sorted(set(benchmark_labels(workstations)))
            },
            "generation_seconds": round(generated, 2),
        },
        "settings": {
            "horizon_days": horizon,
            "p_value": settings.maintenance_p_value,
            "trend_drift": settings.maintenance_trend_drift,
        },
        "resync": {
            **score(
                [(f.workstation, f.kind, f.predicted_failure_date) for f in findings],
                estate,
                horizon,
            ),
            "creeping_job_tied_to_disk": f"{len(linked & set(disk_scenarios))}/"
            f"{len(disk_scenarios)}",
            "findings_with_actions": sum(bool(f.actions) for f in findings),
            "calibration": calibration(findings, estate, horizon),
            "seconds": {name: round(value, 2) for name, value in timings.items()},
        },
        "baseline_whole_history_ols": {
            **score(baseline, estate, horizon),
            "seconds": round(baseline_seconds, 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workstations", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks/results/maintenance_accuracy.json"
    )
    arguments = parser.parse_args()
    result = run(arguments.workstations, arguments.days, arguments.seed)
    arguments.output.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
