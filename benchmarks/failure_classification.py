"""Failure classification accuracy on labelled joblogs, against a grep-style baseline, and its cost.

Every joblog goes through what the decision-support flow runs: `redact_joblog`, then
`classify_failure` (catalogue evidence over the failing tail, the text model where it is weak)
without ANTHROPIC_API_KEY. The sets are in `failure_joblog_sets.py`. The evaluation sets
(blind B–E, public A–C) are scored apart, their `eval` and `heldout` rows apart; the `heldout`
rows only with `--heldout`, which is run once per new set, after its tuning. The regression
sets (generated, hand-written, held-out, first blind) keep the earlier behaviour in check.

Targets on a set never seen: the class right on ≥ 90 % of covered joblogs, `unknown` on ≥ 90 %
of uncovered ones, a wrong class on ≤ 3 % of covered ones; under 5 ms per joblog. The baseline
is the first catalogue finding anywhere in the joblog (what a grep over the log would say).

    .venv/bin/python -m benchmarks.failure_classification [--heldout] [--output PATH]
"""

import argparse
import json
import os
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.failure_joblog_sets import (
    EVALUATION_SETS,
    HOLDOUT,
    jsonl_set,
    labelled_set,
)
from benchmarks.machine import describe_machine
from resync.joblog.analyst import classify_failure
from resync.joblog.evidence import line_findings
from resync.joblog.redaction import redact_joblog
from resync.joblog.tail import cause_strength, line_marks
from resync.joblog.text_model import catalogue_model
from resync.settings import Settings

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "failure_classification.json"
NO_KEY = Settings(anthropic_api_key=None)


def classify(case: dict[str, object]) -> tuple[str, str]:
    """Resync's class for a case and how it was decided, its joblog redacted and capped as the
    flow does."""
    joblog = redact_joblog(str(case["joblog"]), 64 * 1024)
    classification = classify_failure(joblog, None, NO_KEY)[0]
    return classification.failure_class, classification.method


def baseline_class(joblog: str) -> str:
    """The first catalogue finding anywhere in the joblog (a grep), or unknown."""
    for line in joblog.splitlines():
        if found := line_findings(line):
            return found[0].entry.failure_class
    return "unknown"


def score(predictions: list[str], cases: list[dict[str, object]]) -> dict[str, object]:
    """Accuracy on covered cases, unknown-rate on uncovered ones, and the confusions."""
    pairs = list(zip(predictions, cases, strict=True))
    covered = [(p, c) for p, c in pairs if c["covered"]]
    uncovered = [(p, c) for p, c in pairs if not c["covered"]]
    wrong = sum(p not in (c["label"], "unknown") for p, c in covered)
    return {
        "cases": len(cases),
        "covered": len(covered),
        "covered_right": sum(p == c["label"] for p, c in covered),
        "covered_accuracy": round(sum(p == c["label"] for p, c in covered) / len(covered), 4),
        "covered_wrong_class": wrong,
        "covered_wrong_class_rate": round(wrong / len(covered), 4),
        "covered_unknown": sum(p == "unknown" for p, _ in covered),
        "uncovered": len(uncovered),
        "uncovered_unknown_rate": round(
            sum(p == "unknown" for p, _ in uncovered) / max(1, len(uncovered)), 4
        ),
        "confusions": dict(Counter(f"{c['label']}→{p}" for p, c in pairs if p != c["label"])),
    }


def per_class(predictions: list[str], cases: list[dict[str, object]]) -> dict[str, object]:
    """Per true class: how many cases, how many right, and what the rest were called."""
    table: dict[str, dict[str, object]] = {}
    for prediction, case in zip(predictions, cases, strict=True):
        row = table.setdefault(str(case["label"]), {"cases": 0, "right": 0, "called": Counter()})
        row["cases"] += 1
        row["right"] += prediction == case["label"]
        if prediction != case["label"]:
            row["called"][prediction] += 1
    return {label: {**row, "called": dict(row["called"])} for label, row in sorted(table.items())}


def report(cases: list[dict[str, object]], answers: list[tuple[str, str]]) -> dict[str, object]:
    """Resync's and the baseline's scores on one set, per class, how each was decided, and the
    misses by id."""
    predictions = [failure_class for failure_class, _ in answers]
    return {
        "resync": score(predictions, cases),
        "resync_decided_by": dict(Counter(method for _, method in answers)),
        "resync_per_class": per_class(predictions, cases),
        "resync_misses": [
            f"{c['id']}: {c['label']}→{p}"
            for p, c in zip(predictions, cases, strict=True)
            if p != c["label"] and "id" in c
        ],
        "baseline_first_finding": score([baseline_class(str(c["joblog"])) for c in cases], cases),
    }


def timed(cases: list[dict[str, object]]) -> tuple[list[tuple[str, str]], float, float]:
    """The answers, and the seconds they took on the clock and of this process's CPU (on a
    shared machine the clock counts the other processes' turns too)."""
    started, cpu = time.perf_counter(), time.process_time()
    predictions = [classify(case) for case in cases]
    return predictions, time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-template", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--heldout", action="store_true", help="also score the heldout rows")
    parser.add_argument("--output", type=Path, default=RESULTS)
    arguments = parser.parse_args()
    started = time.perf_counter()
    model = catalogue_model()
    training_seconds = time.perf_counter() - started
    regression = {
        "generated_and_hand_written": labelled_set(arguments.per_template, arguments.seed),
        "holdout": HOLDOUT,
        "first_blind": jsonl_set("joblogs_blind.jsonl"),
    }
    evaluation = {}
    for name, file in EVALUATION_SETS.items():
        rows = jsonl_set(file)
        evaluation[f"{name}_eval"] = [row for row in rows if row["split"] == "eval"]
        if arguments.heldout:
            evaluation[f"{name}_heldout"] = [row for row in rows if row["split"] == "heldout"]
    results, seconds, cpu_seconds, count = {}, 0.0, 0.0, 0
    for name, cases in {**evaluation, **regression}.items():
        predictions, spent, cpu = timed(cases)
        seconds, cpu_seconds, count = seconds + spent, cpu_seconds + cpu, count + len(cases)
        results[name] = report(cases, predictions)
    everything = [case for cases in {**evaluation, **regression}.values() for case in cases]
    started = time.perf_counter()
    for case in everything:
        baseline_class(redact_joblog(str(case["joblog"]), 64 * 1024))
    baseline_seconds = time.perf_counter() - started
    # Without the per-line caches: every line of every joblog read as if never seen.
    unseen = [case for name, cases in evaluation.items() for case in cases]
    started, cpu = time.perf_counter(), time.process_time()
    for case in unseen:
        for cache in (line_findings, line_marks, cause_strength):
            cache.cache_clear()
        classify(case)
    cold_seconds, cold_cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**describe_machine(), "load_average": os.getloadavg()},
        "heldout_scored": arguments.heldout,
        "sets": results,
        "text_model": {
            "training_seconds": round(training_seconds, 2),
            "threshold": model.threshold,
        },
        "cost": {
            "joblogs": count,
            "ms_per_joblog": round(1000 * seconds / count, 3),
            "cpu_ms_per_joblog": round(1000 * cpu_seconds / count, 3),
            "baseline_ms_per_joblog": round(1000 * baseline_seconds / len(everything), 3),
            "ms_per_joblog_without_line_cache": round(1000 * cold_seconds / len(unseen), 3),
            "cpu_ms_per_joblog_without_line_cache": round(1000 * cold_cpu_seconds / len(unseen), 3),
        },
    }
    arguments.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
