"""Auto-learning on a simulation where reviewers are consistent and outcomes are known.

Each part learns on the first half of its history and is measured on the held-out second
half, beside the baseline (nothing learned) measured in the same run on the same data.

- Alert rules. FTAs report CPU every 5 minutes for `--days` days. One FTA in four starts a
  nightly batch that holds CPU above 95 % for 3–6 samples: reviewers reject every such alert
  ("batch start, not saturation"). Every FTA also saturates for real now and then (1–4 hours
  above 95 %): reviewers confirm those. The rules of `resync.alerts.rules` are replayed
  (`replay_rule`), the first half's alerts reviewed, and `propose_alert_tuning` run per rule ×
  FTA with the flow's gates and bounds. Held out: precision of the alerts raised (share that
  overlap a real saturation) and recall (share of real saturations alerted).
- Confidence. Predictions of four kinds over `--weeks` weeks with known outcomes: three kinds
  come true at the rate their confidence states; `degrading_link` predictions are the false
  alarm reviewers keep rejecting (the link latency rises during backups and recovers) and
  never come true. `propose_calibrations` learns on the first half (the flow's minimum and
  hold-out); held out: ECE, Brier, and precision and recall of the predictions flagged
  (calibrated confidence ≥ 0.5).
- Reviewers' decisions on actions and capacity outcomes: `benchmarks.auto_learning_signals`.

    .venv/bin/python -m benchmarks.auto_learning [--workstations 200] [--days 28] [--weeks 12]
        [--sites 100] [--decisions-per-week 3] [--forecasts-per-week 150]
"""

import argparse
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.auto_learning_signals import held_out_calibration, run_action_policies, run_capacity
from benchmarks.machine import describe_machine
from resync.alerts.rules import alert_rules
from resync.learning.alert_tuning import propose_alert_tuning, replay_rule, review_gate
from resync.learning.calibration import brier_score, expected_calibration_error
from resync.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 9, 1, tzinfo=UTC)
STEP = timedelta(minutes=5)
PER_DAY = 288
KINDS = ("disk_filling", "memory_leak", "message_file_filling", "degrading_link")
FLAG = 0.5


def cpu_history(rng: np.random.Generator, days: int, batch_spikes: bool):
    """CPU samples and the real saturation episodes (first, last sample index)."""
    hours = np.arange(days * PER_DAY) / 12
    cpu = 45 + 12 * np.sin(2 * np.pi * hours / 24) + rng.normal(0, 4, hours.size)
    episodes = []
    for day in range(days):
        if batch_spikes:
            first = day * PER_DAY + 12 + int(rng.integers(0, 6))
            cpu[first : first + int(rng.integers(3, 7))] = rng.uniform(96, 99)
        if rng.uniform() < 0.12:
            first = day * PER_DAY + int(rng.integers(100, 250))
            last = first + int(rng.integers(12, 49)) - 1
            cpu[first : last + 1] = rng.uniform(96, 100, last - first + 1)
            episodes.append((first, last))
    return np.clip(cpu, 0, 100), episodes


def raised_alerts(firing: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous firing runs: one alert each, (opened, last seen) sample indices."""
    edges = np.diff(np.concatenate([[0], firing.astype(int), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1, strict=True))


def overlaps(span: tuple[int, int], episodes: list[tuple[int, int]]) -> bool:
    return any(span[0] <= last and first <= span[1] for first, last in episodes)


def score_alerts(alerts: list, episodes: list) -> dict[str, int]:
    real = sum(overlaps(alert, episodes) for alert in alerts)
    alerted = sum(overlaps(episode, alerts) for episode in episodes)
    return {"raised": len(alerts), "real": real, "episodes": len(episodes), "alerted": alerted}


def run_alerts(workstations: int, days: int, seed: int, settings: Settings) -> dict:
    rng = np.random.default_rng(seed)
    rule = next(rule for rule in alert_rules(settings) if rule.name == "cpu_saturation")
    default = {"threshold": rule.threshold, "samples": rule.samples}
    bounds = {
        "max_samples": settings.learning_alert_max_samples,
        "threshold_step": settings.learning_alert_threshold_step,
        "max_threshold_steps": settings.learning_alert_max_threshold_steps,
    }
    half = days // 2 * PER_DAY
    totals = {"baseline": {}, "learned": {}}
    changes = {"proposed": 0, "applied": 0, "parameters": {}}
    for number in range(workstations):
        cpu, episodes = cpu_history(rng, days, batch_spikes=number % 4 == 0)
        times = [START + STEP * i for i in range(cpu.size)]
        frame = pl.DataFrame({"sample_time": times, "value": cpu})
        train, held = frame.head(half), frame.tail(cpu.size - half)
        train_alerts = raised_alerts(replay_rule(train, rule, **_args(default)).to_numpy())
        reviews = pl.DataFrame(
            [
                (times[a], times[b], "confirmed" if overlaps((a, b), episodes) else "false_alarm")
                for a, b in train_alerts
            ],
            schema=["opened_at", "last_seen_at", "verdict"],
            orient="row",
        )
        parameters = default
        gate = review_gate(
            reviews,
            min_reviews=settings.learning_min_alert_reviews,
            false_alarm_share=settings.learning_false_alarm_share,
        )
        if gate is None:
            proposal = propose_alert_tuning(
                rule,
                f"FTA{number:04d}",
                train,
                reviews,
                default,
                bounds=bounds,
                holdout_fraction=settings.learning_holdout_fraction,
                slack=STEP,
            )
            if not isinstance(proposal, str):
                changes["proposed"] += 1
                if proposal.applied:
                    changes["applied"] += 1
                    parameters = proposal.parameters_after
                    key = f"samples {parameters['samples']}, threshold {parameters['threshold']:g}"
                    changes["parameters"][key] = changes["parameters"].get(key, 0) + 1
        held_episodes = [(a - half, b - half) for a, b in episodes if a >= half]
        for name, chosen in (("baseline", default), ("learned", parameters)):
            alerts = raised_alerts(replay_rule(held, rule, **_args(chosen)).to_numpy())
            for key, value in score_alerts(alerts, held_episodes).items():
                totals[name][key] = totals[name].get(key, 0) + value
    return {
        "workstations": workstations,
        "days": days,
        "batch_spike_workstations": len(range(0, workstations, 4)),
        "changes": changes,
        **{name: _rates(counts) for name, counts in totals.items()},
    }


def _args(parameters: dict) -> dict:
    return {"threshold": parameters["threshold"], "count": parameters["samples"]}


def _rates(counts: dict[str, int]) -> dict:
    return {
        **counts,
        "precision": round(counts["real"] / counts["raised"], 4),
        "recall": round(counts["alerted"] / counts["episodes"], 4),
    }


def prediction_records(rng: np.random.Generator, weeks: int, per_week: int) -> pl.DataFrame:
    count = weeks * per_week
    kinds = rng.choice(KINDS, count)
    confidence = np.round(rng.beta(5, 2, count), 4)
    truth = np.where(kinds == "degrading_link", 0.0, confidence)
    return pl.DataFrame(
        {
            "subject_id": [f"p{i}" for i in range(count)],
            "kind": kinds,
            "due_at": [START + timedelta(days=7 * i / per_week) for i in range(count)],
            "confidence": confidence,
            "happened": rng.uniform(0, 1, count) < truth,
        }
    )


def score_confidence(confidence: np.ndarray, happened: np.ndarray) -> dict:
    flagged = confidence >= FLAG
    return {
        "ece": round(expected_calibration_error(confidence, happened), 4),
        "brier": round(brier_score(confidence, happened), 4),
        "flagged": int(flagged.sum()),
        "precision": round(float(happened[flagged].mean()), 4),
        "recall": round(float(flagged[happened].mean()), 4),
    }


def run_confidence(weeks: int, per_week: int, seed: int, settings: Settings) -> dict:
    records = prediction_records(np.random.default_rng(seed), weeks, per_week)
    held, raw, calibrated, learned = held_out_calibration(records, settings)
    happened = held["happened"].to_numpy()
    return {
        "predictions": records.height,
        "held_out": held.height,
        **learned,
        "baseline": score_confidence(raw, happened),
        "learned": score_confidence(calibrated, happened),
    }


def _timed(function, *arguments) -> tuple[dict, float]:
    started = time.perf_counter()
    result = function(*arguments)
    return result, round(time.perf_counter() - started, 1)


def run(arguments: argparse.Namespace) -> dict:
    settings = Settings()
    load_before = os.getloadavg()
    seed = arguments.seed
    alerts, alert_seconds = _timed(
        run_alerts, arguments.workstations, arguments.days, seed, settings
    )
    confidence, confidence_seconds = _timed(
        run_confidence, arguments.weeks, arguments.per_week, seed, settings
    )
    policies, policy_seconds = _timed(
        run_action_policies,
        arguments.sites,
        arguments.weeks,
        arguments.decisions_per_week,
        seed,
        settings,
    )
    capacity, capacity_seconds = _timed(
        run_capacity, arguments.weeks, arguments.forecasts_per_week, seed, settings
    )
    return {
        "benchmark": "auto_learning",
        "machine": describe_machine(),
        "load_average_before_and_after": [load_before, os.getloadavg()],
        "seed": seed,
        "alert_rules": alerts,
        "confidence": confidence,
        "action_policies": policies,
        "capacity_calibration": capacity,
        "seconds": {
            "alerts": alert_seconds,
            "confidence": confidence_seconds,
            "action_policies": policy_seconds,
            "capacity_calibration": capacity_seconds,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workstations", type=int, default=200)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--per-week", type=int, default=150)
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--decisions-per-week", type=int, default=3)
    parser.add_argument("--forecasts-per-week", type=int, default=150)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks/results/auto_learning.json"
    )
    arguments = parser.parse_args()
    result = run(arguments)
    arguments.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
