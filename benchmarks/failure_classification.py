"""Failure classification accuracy on labelled joblogs, against a grep-style baseline.

The set: generated variations of every covered class and of uncovered failures, in English and
Portuguese, inside TWS joblog frames, with info lines and (often) an earlier error the job
recovered from, plus the hand-written unusual cases of `data/failure_joblogs_unusual.json`.
Generated with a fixed seed from `data/failure_joblog_templates.json`. The cases of
`data/failure_joblogs_holdout.json` were written after the signatures and scored apart; those of
`data/joblogs_blind.jsonl` ("blind, never tuned": 142 joblogs, 42 of them `unknown`, written
before their author read the signatures) are scored apart too, per class.

Targets: the decisive class right on ≥ 90 % of covered joblogs; `unknown` (not a wrong class)
on ≥ 90 % of uncovered ones. The baseline takes the first signature that matches anywhere in
the joblog (what a grep over the log would say). No ANTHROPIC_API_KEY: signatures only.

    .venv/bin/python -m benchmarks.failure_classification [--per-template 4] [--seed 7]
"""

import argparse
import json
import os
import platform
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from resync.joblog.classification import classify_joblog
from resync.joblog.redaction import redact_joblog
from resync.joblog.signatures import matching_classes

HERE = Path(__file__).parent
TEMPLATES = json.loads((HERE / "data" / "failure_joblog_templates.json").read_text())
UNUSUAL = json.loads((HERE / "data" / "failure_joblogs_unusual.json").read_text())
HOLDOUT = json.loads((HERE / "data" / "failure_joblogs_holdout.json").read_text())
BLIND = [
    {
        "id": case["id"],
        "joblog": case["text"],
        "label": case["expected"],
        "covered": case["expected"] != "unknown",
        "source": case["source"],
    }
    for case in map(json.loads, (HERE / "data" / "joblogs_blind.jsonl").read_text().splitlines())
]
RESULTS = HERE / "results" / "failure_classification.json"


def _fields(rng: random.Random) -> dict[str, str]:
    job = rng.choice(["LOAD_SALES", "EXTRACT_GL", "CARGA_VENDAS", "BKP_DB", "FECHA_CAIXA"])
    table = rng.choice(["SALES", "LEDGER", "CLIENTES", "PEDIDOS"])
    return {
        "job": job,
        "job_l": job.lower(),
        "other": rng.choice(["EXTRACT_FEED", "RECEBE_ARQ", "SORT_IN"]),
        "stream": rng.choice(["FINANCE", "VENDAS", "NIGHTLY"]),
        "path": rng.choice(["/data/in", "/dados/entrada", "/opt/tws/work"])
        + f"/{job.lower()}_{rng.randint(20260101, 20261231)}.csv",
        "path2": f"/archive/{rng.randint(1, 99)}/",
        "mount": rng.choice(["/data", "/dados", "/opt/tws/stdlist"]),
        "script": f"/opt/batch/bin/{job.lower()}.sh",
        "host": rng.choice(["db01.corp", "sap-prd", "ftp.parceiro.com.br", "10.2.3.4"]),
        "ip": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "port": str(rng.choice([1521, 5432, 50000, 22, 443])),
        "user": rng.choice(["twsuser", "batch", "etl_svc"]),
        "schema": rng.choice(["FIN", "DW"]),
        "table": table,
        "table_l": table.lower(),
        "klass": rng.choice(["Loader", "Exporter", "Reconciler"]),
        "pid": str(rng.randint(1000, 99999)),
        "proc": rng.choice(["java", "python3", "sqlldr"]),
        "n": str(rng.randint(10, 2_000_000)),
        "n2": str(rng.randint(2, 900)),
        "minutes": str(rng.choice([30, 60, 120])),
        "dur": rng.choice(["01:00", "02:30", "00:45"]),
        "when": "2026-11-27T03:00:00Z",
        "date": "2026-11-26",
        "step": rng.choice(["LOAD", "EXPORT", "CARGA"]),
    }


def _joblog(rng: random.Random, language: str, failure: str, rc: int) -> str:
    fields = _fields(rng)
    start = datetime(2026, 11, 27, 2, 0, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 600))
    head = [
        "=" * 63,
        f"= JOB       : WS-PROD-0{rng.randint(1, 9)}#{fields['stream']}[(0200 11/27/26),"
        f"(0AAAAAAAAAAA{rng.randint(10, 99)})].{fields['job']}",
        f"= USER      : {fields['user']}",
        f"= JCLFILE   : {fields['script']}",
        f"= Job Number: {rng.randint(10000, 99999)}",
        f"= {start:%a %m/%d/%y %H:%M:%S} UTC",
        "=" * 63,
    ]
    noise = TEMPLATES["noise"][language]
    body = [rng.choice(noise) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.5:
        body += list(rng.choice(TEMPLATES["recovered"][language]))
        body += [rng.choice(noise) for _ in range(rng.randint(1, 3))]
    body.append(failure)
    if rng.random() < 0.4:
        body.append(rng.choice(TEMPLATES["wrapper"][language]))
    tail = [
        "=" * 63,
        f"= Exit Status           : {rc}",
        f"= Elapsed Time (hh:mm:ss) : 00:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        "=" * 63,
    ]
    return "\n".join(head + body + tail).format(**fields) + "\n"


def labelled_set(per_template: int, seed: int) -> list[dict[str, object]]:
    """(joblog, label, covered, source) cases: generated variations, then the unusual ones."""
    rng = random.Random(seed)
    cases = []
    for label, languages in TEMPLATES["covered"].items():
        for language, failures in languages.items():
            for failure in failures:
                for _ in range(per_template):
                    log = _joblog(rng, language, failure, rng.choice([1, 2, 4, 8, 12, 137]))
                    cases.append(
                        {
                            "joblog": log,
                            "label": label,
                            "covered": True,
                            "source": f"generated-{language}",
                        }
                    )
    for language, failures in TEMPLATES["uncovered"].items():
        for failure in failures:
            for _ in range(per_template):
                log = _joblog(rng, language, failure, rng.choice([1, 4, 8, 139]))
                cases.append(
                    {
                        "joblog": log,
                        "label": "unknown",
                        "covered": False,
                        "source": f"generated-{language}",
                    }
                )
    cases += [{**case, "source": "hand-written"} for case in UNUSUAL]
    return cases


def classify(case: dict[str, object]) -> str:
    """Resync's class for a case, its joblog redacted and capped as the flow does."""
    return classify_joblog(redact_joblog(str(case["joblog"]), 64 * 1024)).failure_class


def baseline_class(joblog: str) -> str:
    """The first signature matching anywhere in the joblog (a grep), or unknown."""
    for line in joblog.splitlines():
        if classes := matching_classes(line):
            return classes[0]
    return "unknown"


def score(predictions: list[str], cases: list[dict[str, object]]) -> dict[str, object]:
    """Accuracy on covered cases, unknown-rate on uncovered ones, and the confusions."""
    covered = [(p, c) for p, c in zip(predictions, cases, strict=True) if c["covered"]]
    uncovered = [(p, c) for p, c in zip(predictions, cases, strict=True) if not c["covered"]]
    confusions = Counter(
        f"{c['label']}→{p}" for p, c in zip(predictions, cases, strict=True) if p != c["label"]
    )
    return {
        "covered_accuracy": round(sum(p == c["label"] for p, c in covered) / len(covered), 4),
        "covered_wrong_class": sum(p not in (c["label"], "unknown") for p, c in covered),
        "covered_unknown": sum(p == "unknown" for p, _ in covered),
        "uncovered_unknown_rate": round(
            sum(p == "unknown" for p, _ in uncovered) / len(uncovered), 4
        ),
        "confusions": dict(confusions.most_common()),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-template", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    cases = labelled_set(arguments.per_template, arguments.seed)
    started = time.perf_counter()
    resync = [classify(case) for case in cases]
    seconds = time.perf_counter() - started
    baseline = [baseline_class(c["joblog"]) for c in cases]
    holdout = [classify(case) for case in HOLDOUT]
    blind = [classify(case) for case in BLIND]
    hand = [i for i, c in enumerate(cases) if c["source"] == "hand-written"]
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "seed": arguments.seed,
        "cases": len(cases),
        "covered_cases": sum(bool(c["covered"]) for c in cases),
        "uncovered_cases": sum(not c["covered"] for c in cases),
        "hand_written_cases": len(hand),
        "resync": score(resync, cases),
        "resync_hand_written": score([resync[i] for i in hand], [cases[i] for i in hand]),
        "baseline_first_signature": score(baseline, cases),
        "holdout_cases": len(HOLDOUT),
        "resync_holdout": score(holdout, HOLDOUT),
        "baseline_holdout": score([baseline_class(c["joblog"]) for c in HOLDOUT], HOLDOUT),
        "blind_cases": len(BLIND),
        "resync_blind": score(blind, BLIND),
        "resync_blind_per_class": per_class(blind, BLIND),
        "resync_blind_misses": [
            f"{c['id']}: {c['label']}→{p}"
            for p, c in zip(blind, BLIND, strict=True)
            if p != c["label"]
        ],
        "baseline_blind": score([baseline_class(c["joblog"]) for c in BLIND], BLIND),
        "ms_per_joblog": round(1000 * seconds / len(cases), 3),
    }
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
