"""Secret redaction on joblog lines: how much of each secret is masked, what clean text is touched.

The sets: `data/secret_lines.txt` (428 secret-bearing lines in the forms of issue 15 and of the
tools TWS jobs run, written before the patterns, each secret marked) and
`data/clean_joblog_lines.json` (1,918 lines without a secret: every distinct line of the
evaluation joblogs and what those tools print around logins, keys and tokens). Each line goes
through `redact_joblog` as the API and the flows call it.

A secret is masked fully when nothing of it of 4 characters or more is left (a piece that also
appears elsewhere in the line does not count), partly when such a piece is left, not at all
when it is left whole; a line is masked fully or not at all when
all its secrets are, partly otherwise. A clean line the redactor changes is a
false positive. The cost: the blind joblogs one by one, and 64 KiB joblogs made of them, each
against a plain scan of the same text by Python's regex engine (a token per word or other
character), measured in the same run.

    .venv/bin/python -m benchmarks.redaction [--output benchmarks/results/redaction.json]
"""

import argparse
import json
import re
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from benchmarks.machine import describe_machine
from resync.joblog.redaction import redact_joblog

HERE = Path(__file__).parent
SECRET_LINES = HERE / "data" / "secret_lines.txt"
CLEAN_LINES = HERE / "data" / "clean_joblog_lines.json"
BLIND = HERE / "data" / "joblogs_blind.jsonl"
RESULTS = HERE / "results" / "redaction.json"
CAP = 64 * 1024
PIECE = 4
SECRET = re.compile("⟦(.*?)⟧", re.DOTALL)
# The plain scan costs are compared with: Python's regex engine reading every character.
TOKENS = re.compile(r"\w+|\W")


def secret_cases() -> list[dict[str, Any]]:
    """Each marked line: its form, the text the redactor sees and its secrets."""
    cases, form = [], ""
    for raw in SECRET_LINES.read_text().splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        if raw.startswith("[") and raw.endswith("]"):
            form = raw[1:-1]
            continue
        marked = raw.replace("⏎", "\n")
        secrets = SECRET.findall(marked)
        cases.append({"form": form, "text": SECRET.sub(r"\1", marked), "secrets": secrets})
    return cases


def clean_lines() -> list[str]:
    return [
        line for group in json.loads(CLEAN_LINES.read_text())["groups"] for line in group["lines"]
    ]


def left_of(secret: str, text: str, redacted: str) -> str:
    """'full', 'partly' or 'none': how much of `secret` (found in `text`) is left in `redacted`."""
    if secret in redacted:
        return "none"
    around = text.replace(secret, "\x00")
    size = min(PIECE, len(secret))
    for start in range(len(secret) - size + 1):
        piece = secret[start : start + size]
        if piece in redacted and piece not in around:
            return "partly"
    return "full"


def score_secret_lines(cases: list[dict[str, Any]]) -> dict[str, Any]:
    outcomes: Counter[str] = Counter()
    per_form: dict[str, Counter[str]] = defaultdict(Counter)
    missed = []
    for case in cases:
        redacted = redact_joblog(case["text"], CAP)
        verdicts = {left_of(secret, case["text"], redacted) for secret in case["secrets"]}
        line = verdicts.pop() if len(verdicts) == 1 and "partly" not in verdicts else "partly"
        outcomes[line] += 1
        per_form[case["form"]][line] += 1
        if line != "full":
            missed.append({"form": case["form"], "outcome": line, "redacted": redacted})
    total = len(cases)
    return {
        "lines": total,
        "masked_fully": round(outcomes["full"] / total, 3),
        "masked_partly": round(outcomes["partly"] / total, 3),
        "not_masked": round(outcomes["none"] / total, 3),
        "counts": dict(outcomes),
        "per_form": {form: dict(counts) for form, counts in per_form.items()},
        "not_fully_masked": missed,
    }


def score_clean_lines(lines: list[str]) -> dict[str, Any]:
    changed = [
        {"line": line, "redacted": redacted}
        for line in lines
        if (redacted := redact_joblog(line, CAP)) != line
    ]
    return {
        "lines": len(lines),
        "false_positives": len(changed),
        "false_positive_rate": round(len(changed) / len(lines), 4),
        "changed": changed,
    }


def _best_of(repeats: int, action: Any) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def cost(joblogs: list[str], repeats: int) -> dict[str, Any]:
    """Time to redact each joblog and a 64 KiB one, against a plain scan of the same text."""
    redact = _best_of(repeats, lambda: [redact_joblog(text, CAP) for text in joblogs])
    scan = _best_of(repeats, lambda: [TOKENS.findall(text) for text in joblogs])
    joined = "".join(joblogs)
    big = (joined * (CAP // len(joined.encode()) + 1))[: CAP - 64]
    redact_big = _best_of(repeats, lambda: redact_joblog(big, CAP))
    scan_big = _best_of(repeats, lambda: TOKENS.findall(big))
    return {
        "joblogs": len(joblogs),
        "mean_bytes": round(sum(len(t.encode()) for t in joblogs) / len(joblogs)),
        "redaction_ms_per_joblog": round(1000 * redact / len(joblogs), 3),
        "plain_scan_ms_per_joblog": round(1000 * scan / len(joblogs), 3),
        "ratio_to_plain_scan": round(redact / scan, 1),
        "redaction_ms_64kib": round(1000 * redact_big, 2),
        "plain_scan_ms_64kib": round(1000 * scan_big, 2),
        "ratio_to_plain_scan_64kib": round(redact_big / scan_big, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    joblogs = [json.loads(line)["text"] for line in BLIND.read_text().splitlines()]
    result = {
        "machine": describe_machine(),
        "secret_lines": score_secret_lines(secret_cases()),
        "clean_lines": score_clean_lines(clean_lines()),
        "cost": cost(joblogs, args.repeats),
    }
    args.output.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    secrets, clean = result["secret_lines"], result["clean_lines"]
    print(
        f"{secrets['lines']} secret lines: fully {secrets['masked_fully']:.1%}, "
        f"partly {secrets['masked_partly']:.1%}, not at all {secrets['not_masked']:.1%}; "
        f"{clean['false_positives']} of {clean['lines']} clean lines changed; "
        f"cost {result['cost']}"
    )


if __name__ == "__main__":
    main()
