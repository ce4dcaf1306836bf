"""Redaction takes time linear in the joblog: 64 KiB built to make a backtracking engine explode.

Each input is timed against a plain scan of the same text by Python's regex engine (a token per
word or other character) in the same test, in CPU time of the test's thread (other processes on a
busy machine do not count), the best of five runs each, alternated: no absolute timing. The old
patterns took 17 s on 4 KB of `a.a.a…` and 34 s on 8 KB of dash-joined addresses; at 64 KiB a
super-linear engine is thousands of times slower than the scan, a linear one a few tens.
"""

import random
import re
import string
import time
from collections.abc import Callable

import pytest

from resync.joblog.redaction import MASK, redact_joblog

SIZE = 64 * 1024
RATIO_BOUND = 200
TOKENS = re.compile(r"\w+|\W")


def _filled(unit: str) -> str:
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


def _random(alphabet: str, prefix: str = "") -> str:
    rng = random.Random(15)
    return prefix + "".join(rng.choice(alphabet) for _ in range(SIZE - len(prefix)))


ADVERSARIAL = {
    "dotted words": _filled("a."),
    "dash-joined addresses": _filled("10.20.30.40-"),
    "one word": _filled("a"),
    "dotted and dashed names": _filled("ab-cd.ef_"),
    "assignments without values": _filled("password=a;"),
    "nested separators": _filled("pwd=x;pwd=y,"),
    "an unclosed quote each": _filled('password="'),
    "URLs without host": _filled("a://b:c"),
    "URLs full of at signs": _filled("ftp://u:p@h@"),
    "logons without password": _filled("sqlplus a/"),
    "shares without end": _filled("net use \\\\a "),
    "key blocks never closed": _filled("-----BEGIN PRIVATE KEY-----\n"),
    "headers without value": _filled("Authorization: "),
    "options without argument": _filled(" -u x -p"),
    "keywords only": _filled("token key secret pass pwd senha api auth "),
    "a key of random base64": _random(string.ascii_letters + string.digits + "+/", "api_key="),
    "random printable text": _random(string.printable),
    "a password per line": _filled("DB_PASSWORD=Xy9#kLm2\n"),
}


def _cpu_seconds(action: Callable[[], object]) -> float:
    started = time.thread_time()
    action()
    return time.thread_time() - started


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_redaction_time_is_a_bounded_multiple_of_a_plain_scan(text: str) -> None:
    runs = [
        (
            _cpu_seconds(lambda: redact_joblog(text, SIZE)),
            _cpu_seconds(lambda: TOKENS.findall(text)),
        )
        for _ in range(5)
    ]
    redaction, scan = min(run[0] for run in runs), min(run[1] for run in runs)
    assert redaction <= RATIO_BOUND * scan, (
        f"redaction {redaction * 1000:.1f} ms, plain scan {scan * 1000:.2f} ms"
    )


def test_the_adversarial_password_lines_are_all_masked() -> None:
    redacted = redact_joblog(ADVERSARIAL["a password per line"], SIZE)
    assert "Xy9" not in redacted
    # Each password's mask is longer than it: about 1 in 11 lines go to keep within the cap.
    assert redacted.count(f"DB_PASSWORD={MASK}\n") > 2800
