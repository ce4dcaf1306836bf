"""Root cause of a failed job from its joblog: the decisive failure, its class, the proof.

The decisive failure is the last error before the job's exit (its exit status or return code
line); an earlier error that the job recovered from is not it. The lines around that last error
(the same message block or stack trace) are matched against the signatures; the class is the
most specific one they prove, and those lines are the evidence. No signature, or a recovery
after the last error, gives `unknown`: a guess is never presented as a finding.
"""

import re
from typing import Literal

from pydantic import BaseModel, Field

from resync.joblog.signatures import (
    ERROR_MARK,
    EXIT_MARK,
    FAILURE_CLASSES,
    GENERIC_FAILURE_MARK,
    RECOVERY_MARK,
    matching_classes,
)

MAX_BLOCK_LINES = 20
MAX_LOOKBACK_LINES = 8
MAX_EVIDENCE_LINES = 6
MAX_LINE_CHARS = 400
SIGNATURE_CONFIDENCE = 0.9
MIXED_SIGNATURE_CONFIDENCE = 0.75
# Stack-trace lines and a database client's detail lines belong to the error above them.
_CONTINUATION = re.compile(
    r"^\s+(at |\.\.\. \d+ more)|^\s*Caused by:|^\s*(\||-->|\^)|^\s{2,}\S"
    r"|^\s*(LINE|LINHA|DETAIL|DETALHE|HINT|DICA|CONTEXT|CONTEXTO|QUERY|STATEMENT)( \d+)?:",
)
# TWS's own frame: the `=` bars and `= Field : value` lines around the job's output.
_FRAME = re.compile(r"^=+\s*$|^= ")
# An error announcing a retry was not the job's last word.
_RETRYING = re.compile(r"\bretry(ing)?\b|tentando novamente|nova tentativa", re.IGNORECASE)

FailureClass = Literal[
    "credentials_expired",
    "disk_full",
    "out_of_memory",
    "timeout",
    "permission_denied",
    "connection_failure",
    "dependency_not_satisfied",
    "not_found",
    "database_error",
    "unknown",
]


class EvidenceLine(BaseModel):
    """One joblog line (numbered from 1) that proves the class."""

    line: int = Field(ge=1)
    text: str


class Classification(BaseModel):
    """The failure class, the lines that prove it and how it was decided."""

    failure_class: FailureClass
    confidence: float = Field(ge=0.0, le=1.0)
    method: Literal["signature", "analyst", "none"]
    evidence: list[EvidenceLine]
    explanation: str
    decisive_lines: list[int] = Field(default_factory=list)


def _is_error(line: str) -> bool:
    return bool(ERROR_MARK.search(line)) or bool(matching_classes(line))


def _line(lines: list[str], index: int) -> EvidenceLine:
    return EvidenceLine(line=index + 1, text=lines[index].strip()[:MAX_LINE_CHARS])


def exit_line_index(lines: list[str]) -> int | None:
    """The index of the job's last exit-status or return-code line, if it wrote one."""
    return next((i for i in range(len(lines) - 1, -1, -1) if EXIT_MARK.search(lines[i])), None)


def _last_error(lines: list[str], end: int) -> int | None:
    return next((i for i in range(end - 1, -1, -1) if _is_error(lines[i])), None)


def _recovered(lines: list[str], start: int, end: int) -> bool:
    return any(RECOVERY_MARK.search(lines[i]) for i in range(start, end))


def _error_block(lines: list[str], last: int, end: int) -> list[int]:
    """The error at `last` with the error and continuation lines around it, TWS frame skipped."""
    block = [last]
    index = last - 1
    while index >= 0 and last - index < MAX_BLOCK_LINES:
        previous = lines[index]
        if _FRAME.search(previous) and not _is_error(previous):
            index -= 1
            continue
        if RECOVERY_MARK.search(previous) or not (
            _is_error(previous) or _CONTINUATION.search(previous)
        ):
            break
        block.insert(0, index)
        index -= 1
    while block[-1] + 1 < end and _CONTINUATION.search(lines[block[-1] + 1]):
        block.append(block[-1] + 1)
    return block


def _only_says_it_failed(lines: list[str], block: list[int]) -> bool:
    return not any(matching_classes(lines[i]) for i in block) and all(
        GENERIC_FAILURE_MARK.search(lines[i]) or _CONTINUATION.search(lines[i]) for i in block
    )


def decisive_block(lines: list[str]) -> tuple[list[int], int | None]:
    """Indexes of the decisive error's lines (empty when none or recovered), and the exit line.

    A last error that only says the job failed ("see previous errors", "com erro") takes the
    error a few lines above it, the one that says why, into its block, unless that error was
    retried or recovered from.
    """
    exit_index = exit_line_index(lines)
    end = len(lines) if exit_index is None else exit_index
    last = _last_error(lines, end)
    if last is None or _recovered(lines, last, end):
        return [], exit_index
    block = _error_block(lines, last, end)
    if _only_says_it_failed(lines, block):
        cause = _last_error(lines, block[0])
        if (
            cause is not None
            and block[0] - cause <= MAX_LOOKBACK_LINES
            and not _recovered(lines, cause, block[0])
        ):
            earlier = _error_block(lines, cause, block[0])
            if not any(_RETRYING.search(lines[i]) for i in earlier):
                block = earlier + block
    return block, exit_index


def classify_joblog(joblog: str) -> Classification:
    """The class of the decisive failure in `joblog`, proven by its lines, or `unknown`."""
    lines = joblog.splitlines()
    block, exit_index = decisive_block(lines)
    exit_evidence = [] if exit_index is None else [_line(lines, exit_index)]
    if not block:
        why = (
            "the job's last error was followed by a recovery"
            if any(_is_error(line) for line in lines)
            else "the joblog reports no error"
        )
        return Classification(
            failure_class="unknown",
            confidence=0.0,
            method="none",
            evidence=exit_evidence,
            explanation=f"No decisive failure: {why}.",
        )
    matches = {index: matching_classes(lines[index]) for index in block}
    found = {name for names in matches.values() for name in names}
    chosen = next((name for name in FAILURE_CLASSES if name in found), "unknown")
    if chosen == "unknown":
        return Classification(
            failure_class="unknown",
            confidence=0.0,
            method="none",
            evidence=[_line(lines, index) for index in block[-MAX_EVIDENCE_LINES:]] + exit_evidence,
            explanation="The decisive error matches no known signature.",
            decisive_lines=[index + 1 for index in block],
        )
    proving = [index for index in block if chosen in matches[index]]
    # Another class counts against the verdict only on a line the chosen one does not explain.
    others = sorted(
        {name for index in block if chosen not in matches[index] for name in matches[index]},
        key=FAILURE_CLASSES.index,
    )
    explanation = f"The last error before the job's exit matches the {chosen} signature"
    explanation += f" (also reported: {', '.join(others)})." if others else "."
    return Classification(
        failure_class=chosen,
        confidence=MIXED_SIGNATURE_CONFIDENCE if others else SIGNATURE_CONFIDENCE,
        method="signature",
        evidence=[_line(lines, index) for index in proving[-MAX_EVIDENCE_LINES:]] + exit_evidence,
        explanation=explanation,
        decisive_lines=[index + 1 for index in block],
    )
