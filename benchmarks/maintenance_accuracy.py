"""Maintenance-analytics accuracy on synthetic estates with known futures.

`resync.demo.simulation` makes estates (default 3 × 200 FTAs, 30 days of 5-minute
metrics and job runs each) with injected scenarios (disk filling with a job creeping along,
memory leak, degrading link, Mailbox.msg filling, a job starting to fail) and controls (healthy,
noisy but healthy, a disk cleaned up, a disk filling only in 45–100 days, weekend batch files);
`analyze_degradation → correlate → predict → recommend` runs on each.

Scored over all estates: findings precision (a finding is right when its FTA's scenario is of
its kind), recall (of the scenarios whose failure falls within the horizon, or whose job
fails), the absolute error of the failure date in days, the 80 % interval's coverage, whether
the creeping job was tied to the disk, and a calibration table of the confidence against the
event it states (the failure happens within the horizon). The baseline, scored in the same
run: a least-squares line through each resource's whole hourly history, extrapolated to the
same thresholds (no regimes, no onset, no significance test, no job analysis).

    .venv/bin/python -m benchmarks.maintenance_accuracy [--workstations 200] [--estates 3]
"""

import argparse
import json
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.machine import describe_machine
from resync.demo.simulation import Estate, benchmark_labels, generate_estate
from resync.maintenance.correlation import correlate
from resync.maintenance.degradation import analyze_degradation
from resync.maintenance.prediction import failure_threshold, predict
from resync.maintenance.recommendation import recommend
from resync.maintenance.series import hourly_levels, kind_of, resource_samples
from resync.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
BINS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001)
BASELINE_RESOURCES = (
    "disk_percent",
    "memory_percent",
    "packet_loss_percent",
    "message_file:Mailbox.msg",
)


def judged(found: list[dict], estate: Estate, horizon: int, seed: int) -> tuple[list, list]:
    """Each finding with its FTA's truth, and each scenario that should have been found."""
    truth = {scenario.workstation: scenario for scenario in estate.scenarios}
    limit = estate.now + timedelta(days=horizon)
    findings = []
    for item in found:
        scenario = truth[item["workstation"]]
        right = scenario.kind == item["kind"]
        findings.append(
            {
                **item,
                "seed": seed,
                "label": scenario.label,
                "right": right,
                "failure_at": scenario.failure_at if right else None,
                "within_horizon": right
                and (scenario.failure_at is None or scenario.failure_at <= limit),
            }
        )
    keys = {(item["workstation"], item["kind"]) for item in found}
    positives = [
        {"label": s.label, "found": (s.workstation, s.kind) in keys}
        for s in estate.scenarios
        if s.kind is not None and (s.failure_at is None or s.failure_at <= limit)
    ]
    return findings, positives


def summarise(findings: list[dict], positives: list[dict]) -> dict:
    """Precision, recall, date errors and interval coverage over judged findings."""
    right = [f for f in findings if f["right"]]
    errors = [
        abs((f["date"] - f["failure_at"].date()).days)
        for f in right
        if f["date"] is not None and f["failure_at"] is not None
    ]
    summary = {
        "findings": len(findings),
        "correct": len(right),
        "precision": round(len(right) / len(findings), 4) if findings else None,
        "positives": len(positives),
        "recall": round(sum(p["found"] for p in positives) / len(positives), 4),
        "date_error_days_median": statistics.median(errors) if errors else None,
        "date_error_days_p90": round(float(np.percentile(errors, 90)), 1) if errors else None,
        "false_alarms_by_scenario": dict(Counter(f["label"] for f in findings if not f["right"])),
        "missed_by_scenario": dict(Counter(p["label"] for p in positives if not p["found"])),
    }
    intervals = [f for f in right if f.get("earliest") and f["failure_at"] is not None]
    if intervals:
        covered = sum(
            f["earliest"] <= f["failure_at"].date().isoformat()
            and (f["latest"] is None or f["failure_at"].date().isoformat() <= f["latest"])
            for f in intervals
        )
        summary["interval_80_coverage"] = round(covered / len(intervals), 4)
    return summary


def calibration(findings: list[dict]) -> dict:
    """Confidence bins against how often the stated event (failure within horizon) happened."""
    dated = [(f["confidence"], f["within_horizon"]) for f in findings if f["date"] is not None]
    rows = []
    for low, high in zip(BINS, BINS[1:], strict=False):
        inside = [(c, h) for c, h in dated if low <= c < high]
        if inside:
            rows.append(
                {
                    "confidence": f"[{low:.2f}, {min(high, 1.0):.2f}{')' if high < 1 else ']'}",
                    "findings": len(inside),
                    "mean_confidence": round(float(np.mean([c for c, _ in inside])), 3),
                    "observed_rate": round(float(np.mean([h for _, h in inside])), 3),
                }
            )
    brier = float(np.mean([(c - h) ** 2 for c, h in dated])) if dated else None
    return {"table": rows, "brier_score": None if brier is None else round(brier, 4)}


def resync_findings(estate: Estate, settings: Settings, timings: Counter) -> list[dict]:
    started = time.perf_counter()
    degradations = analyze_degradation(
        estate.metrics, estate.jobs, now=estate.now, settings=settings
    )
    timings["analyze_degradation"] += time.perf_counter() - started
    started = time.perf_counter()
    correlations = correlate(degradations, estate.metrics, estate.jobs)
    timings["correlate"] += time.perf_counter() - started
    started = time.perf_counter()
    predictions = predict(degradations, correlations, now=estate.now, settings=settings)
    findings = recommend(predictions, estate.host_facts)
    timings["predict_and_recommend"] += time.perf_counter() - started
    return [
        {
            "workstation": f.workstation,
            "kind": f.kind,
            "date": f.predicted_failure_date,
            "confidence": f.confidence,
            "earliest": f.evidence.get("earliest_date"),
            "latest": f.evidence.get("latest_date"),
            "job_tied": bool(f.evidence.get("jobs")),
            "actions": len(f.actions),
        }
        for f in findings
    ]


def baseline_findings(estate: Estate, settings: Settings) -> list[dict]:
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
        level = intercept + slope * (values.size - 1)
        days = (failure_threshold(resource, settings) - level) / (slope * 24)
        if days <= settings.maintenance_horizon_days:
            date = (estate.now + timedelta(days=max(days, 0.0))).date()
            found.append({"workstation": workstation, "kind": kind_of(resource), "date": date})
    return found


def run(workstations: int, estates: int, days: int, seed: int) -> dict:
    settings = Settings()
    horizon = settings.maintenance_horizon_days
    timings: Counter = Counter()
    results = {"resync": ([], []), "baseline": ([], [])}
    disk_scenarios = tied = metric_rows = job_runs = 0
    for number in range(seed, seed + estates):
        started = time.perf_counter()
        estate = generate_estate(benchmark_labels(workstations), days=days, now=NOW, seed=number)
        timings["generate_estate"] += time.perf_counter() - started
        metric_rows, job_runs = metric_rows + estate.metrics.height, job_runs + estate.jobs.height
        found = resync_findings(estate, settings, timings)
        started = time.perf_counter()
        baseline = baseline_findings(estate, settings)
        timings["baseline"] += time.perf_counter() - started
        for name, items in (("resync", found), ("baseline", baseline)):
            findings, positives = judged(items, estate, horizon, number)
            results[name][0].extend(findings)
            results[name][1].extend(positives)
        disks = {s.workstation for s in estate.scenarios if s.label == "disk_filling"}
        disk_scenarios += len(disks)
        tied += sum(
            f["kind"] == "disk_filling" and f["job_tied"]
            for f in found
            if f["workstation"] in disks
        )
    resync, baseline = results["resync"], results["baseline"]
    return {
        "benchmark": "maintenance_accuracy",
        "machine": describe_machine(),
        "estates": {
            "count": estates,
            "workstations_each": workstations,
            "history_days": days,
            "seeds": list(range(seed, seed + estates)),
            "metric_rows": metric_rows,
            "job_runs": job_runs,
            "scenarios_each": dict(sorted(Counter(benchmark_labels(workstations)).items())),
        },
        "settings": {
            "horizon_days": horizon,
            "p_value": settings.maintenance_p_value,
            "trend_drift": settings.maintenance_trend_drift,
        },
        "resync": {
            **summarise(*resync),
            "creeping_job_tied_to_disk": f"{tied}/{disk_scenarios}",
            "findings_with_actions": sum(f["actions"] > 0 for f in resync[0]),
            "calibration": calibration(resync[0]),
        },
        "baseline_whole_history_ols": summarise(*baseline),
        "seconds": {name: round(value, 1) for name, value in sorted(timings.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workstations", type=int, default=200)
    parser.add_argument("--estates", type=int, default=3)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks/results/maintenance_accuracy.json"
    )
    arguments = parser.parse_args()
    result = run(arguments.workstations, arguments.estates, arguments.days, arguments.seed)
    arguments.output.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
