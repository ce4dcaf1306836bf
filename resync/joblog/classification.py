"""Root cause of a failed job from its joblog: the catalogue evidence over its failing tail.

The failing tail is what follows the last line saying the job got past its errors (a retry
that succeeded, a step completed successfully) up to its exit-status line. Its error lines are
grouped into blocks (an error with its stack trace or detail lines) and every catalogue finding
in a block scores for its class by its strength (resync/joblog/catalogues), weighted by:
- the blocks of other errors after it: each later error that names another cause, or none,
  divides its weight, so the last error before the exit decides, and an error retried until
  the last attempt failed keeps its full weight, since that last attempt names it again;
- its line: a warning, a retry announcement or the clean-up of a file that was not there
  counts less; a line that only says the job failed (`step LOAD failed`) neither counts nor
  hides the cause above it;
- its nearness to the exit.
Inside one block the more specific finding speaks: an OS error inside a database tool's error
is its own class, the database's code only carrying it. A class wins with a score of at least
`DECIDING_SCORE`; a cause outside the classes (a segmentation fault, a host key) wins as
`unknown`; weaker evidence leaves the decision to the text model and the analyst
(resync/joblog/analyst.py), or `unknown`.
"""

import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from resync.joblog.catalogues.entries import CARRIER, MEDIUM, STRONG, WEAK
from resync.joblog.evidence import Finding, line_findings
from resync.joblog.signatures import (
    CLEANUP,
    ERROR_MARK,
    EXIT_MARK,
    FAILURE_CLASSES,
    GENERIC_FAILURE_MARK,
    RECOVERY_MARK,
    RETRYING,
    SUCCESS_MARK,
    WARNING,
)

MAX_EVIDENCE_LINES = 6
MAX_LINE_CHARS = 400
DECIDING_SCORE = CARRIER
SUPERSEDED = 0.4
NEAR_LINES = 8
# The confidence of an exact catalogue match with no rival; the card adds corroboration.
CATALOGUE_CONFIDENCE = 0.9
NEARNESS_LINES = 40
CORROBORATION = 0.1
# A Java exception's nested cause: the inner cause decides.
CAUSED_BY = re.compile(r"^\s*Caused by:")
LINE_WEIGHTS = ((WARNING, 0.3), (CLEANUP, 0.2), (RETRYING, 0.7), (CAUSED_BY, 1.2))
# Stack-trace lines and a database client's detail lines belong to the error above them.
_CONTINUATION = re.compile(
    r"^\s+(at |\.\.\. \d+ more)|^\s*Caused by:|^\s*(\||-->|\^)|^(\t|\s{2,})\S"
    r"|^\s*(LINE|LINHA|DETAIL|DETALHE|HINT|DICA|CONTEXT|CONTEXTO|QUERY|STATEMENT)( \d+)?:",
)
# TWS's own frame: the `=` bars and `= Field : value` lines around the job's output.
_FRAME = re.compile(r"^=+\s*$|^= ")

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
    """One joblog line (numbered from 1) that proves the class, and what it matched."""

    line: int = Field(ge=1)
    text: str
    source: str | None = None


class Classification(BaseModel):
    """The failure class, the lines that prove it and how it was decided."""

    failure_class: FailureClass
    confidence: float = Field(ge=0.0, le=1.0)
    method: Literal["catalogue", "model", "analyst", "none"]
    evidence: list[EvidenceLine]
    explanation: str
    decisive_lines: list[int] = Field(default_factory=list)
    candidates: dict[str, float] = Field(default_factory=dict)


@dataclass
class Block:
    """An error with its continuation lines: line indexes, and each line's findings."""

    lines: list[int] = field(default_factory=list)
    findings: dict[int, tuple[Finding, ...]] = field(default_factory=dict)
    cause_strength: float = 0.0
    retried: bool = False

    def classes(self) -> set[str]:
        return {f.entry.failure_class for found in self.findings.values() for f in found}


def exit_line_index(lines: list[str]) -> int | None:
    """The index of the job's last exit-status or return-code line, if it wrote one."""
    return next((i for i in range(len(lines) - 1, -1, -1) if EXIT_MARK.search(lines[i])), None)


def _line_weight(text: str) -> float:
    return next((weight for pattern, weight in LINE_WEIGHTS if pattern.search(text)), 1.0)


def _is_success(text: str) -> bool:
    return bool(SUCCESS_MARK.search(text)) and not ERROR_MARK.search(text)


def cause_strength(text: str, found: tuple[Finding, ...]) -> float:
    """How strongly a line names a cause of its own: its strongest finding (a carrier's or a
    weak one's does not count), WEAK for an error it describes in words no catalogue knows, 0
    for a line that only says something failed, a warning, a retry or a clean-up."""
    strongest = max((f.entry.strength for f in found if f.entry.strength >= MEDIUM), default=0.0)
    if strongest or found:
        return strongest
    describes = (
        bool(ERROR_MARK.search(text))
        and not GENERIC_FAILURE_MARK.search(text)
        and _line_weight(text) == 1.0
    )
    return WEAK if describes else 0.0


def error_blocks(lines: list[str], start: int, end: int) -> list[Block]:
    """The error blocks of lines[start:end] (each error line with its stack-trace or detail
    lines), TWS frame lines skipped."""
    blocks: list[Block] = []
    current: Block | None = None
    attempt = 0  # the first block of the attempt a retry announcement ends
    for index in range(start, end):
        text = lines[index]
        if not text.strip():
            continue
        found = line_findings(text)
        is_error = bool(found) or bool(ERROR_MARK.search(text))
        if _FRAME.search(text) and not is_error:
            continue
        if RETRYING.search(text):
            for block in blocks[attempt:]:
                block.retried = True
            attempt = len(blocks) + is_error
        if current is not None and _CONTINUATION.search(text):
            current.lines.append(index)
        elif is_error:
            current = Block()
            blocks.append(current)
            current.lines.append(index)
        else:
            current = None
            continue
        if found:
            current.findings[index] = found
        current.cause_strength = max(current.cause_strength, cause_strength(text, found))
    return blocks


@dataclass
class Scored:
    """A class's score and the (line, finding, weight) that gave it, strongest first."""

    score: float = 0.0
    support: list[tuple[int, Finding, float]] = field(default_factory=list)


def score_tail(lines: list[str], start: int, end: int) -> tuple[dict[str, Scored], list[Block]]:
    """Each class's score over the error blocks of lines[start:end], and those blocks.

    A finding counts `SUPERSEDED` less for each later block that names another cause at least
    as strongly (a paraphrase does not hide a catalogue code; a retried error is hidden by any
    later cause), and less the more lines follow it."""
    blocks = error_blocks(lines, start, end)
    written = [0]
    for text in lines[start:end]:
        written.append(written[-1] + bool(text.strip()))
    contributions: dict[str, list[tuple[int, Finding, float]]] = {}
    later: list[Block] = []
    for block in reversed(blocks):
        distance = max(0, written[-1] - written[block.lines[-1] - start + 1] - NEAR_LINES)
        nearness = 1 / (1 + distance / NEARNESS_LINES)
        for index, found in block.findings.items():
            for finding in found:
                cls, strength = finding.entry.failure_class, finding.entry.strength
                if cls == "unknown" and strength < MEDIUM:
                    continue  # `Killed`, `Aborted`: how it ended, not why
                hidden = sum(
                    cls not in other.classes()
                    and (other.cause_strength >= strength or block.retried)
                    for other in later
                )
                line_weight = _line_weight(lines[index])
                if not later and WARNING.search(lines[index]):
                    line_weight = 1.0  # a warning the job did not get past
                weight = strength * line_weight * nearness * SUPERSEDED**hidden
                contributions.setdefault(cls, []).append((index, finding, weight))
        if block.cause_strength:
            later.append(block)
    scored = {}
    for cls, items in contributions.items():
        items.sort(key=lambda item: -item[2])
        best = items[0][2]
        total = best + CORROBORATION * sum(weight for _, _, weight in items[1:3])
        scored[cls] = Scored(round(total, 4), items)
    return scored, blocks


def tail_bounds(lines: list[str]) -> tuple[int, int, int | None]:
    """(start, end, exit line index) of the failing tail."""
    exit_index = exit_line_index(lines)
    end = len(lines) if exit_index is None else exit_index
    errors_after = False
    for index in range(end - 1, -1, -1):
        text = lines[index]
        # A step that completed after the last error (`cleanup completed successfully`) did
        # not recover from it; a retry that succeeded or a reconnection did.
        if _is_success(text) and (errors_after or RECOVERY_MARK.search(text)):
            return index + 1, end, exit_index
        errors_after |= cause_strength(text, line_findings(text)) > 0
    return 0, end, exit_index


def _evidence(lines: list[str], index: int, source: str | None) -> EvidenceLine:
    return EvidenceLine(line=index + 1, text=lines[index].strip()[:MAX_LINE_CHARS], source=source)


def _exit_evidence(lines: list[str], exit_index: int | None) -> list[EvidenceLine]:
    if exit_index is None:
        return []
    found = [f for f in line_findings(lines[exit_index]) if f.entry.source.startswith("exit")]
    return [_evidence(lines, exit_index, found[0].entry.source if found else None)]


def _ranked(scored: dict[str, Scored]) -> list[tuple[str, Scored]]:
    order = {name: rank for rank, name in enumerate(FAILURE_CLASSES)}
    return sorted(scored.items(), key=lambda item: (-item[1].score, order[item[0]]))


def decisive_lines(blocks: list[Block]) -> list[int]:
    """The lines (numbered from 1) of the last error block that names a cause, or the last."""
    chosen = next((b for b in reversed(blocks) if b.cause_strength), blocks[-1] if blocks else None)
    return [] if chosen is None else [index + 1 for index in chosen.lines]


def _add_exit_status(scored: dict[str, Scored], lines: list[str], exit_index: int | None) -> None:
    if exit_index is None:
        return
    for finding in line_findings(lines[exit_index]):
        if finding.entry.source.startswith("exit") and finding.entry.failure_class != "unknown":
            item = scored.setdefault(finding.entry.failure_class, Scored())
            item.score = round(item.score + finding.entry.strength, 4)
            item.support.append((exit_index, finding, finding.entry.strength))


def classify_joblog(joblog: str) -> Classification:
    """The class the catalogue evidence of `joblog`'s failing tail proves, or `unknown`."""
    lines = joblog.splitlines()
    start, end, exit_index = tail_bounds(lines)
    scored, blocks = score_tail(lines, start, end)
    _add_exit_status(scored, lines, exit_index)
    decisive = decisive_lines(blocks)
    exit_evidence = _exit_evidence(lines, exit_index)
    candidates = {name: item.score for name, item in _ranked(scored)}
    if not scored:
        why = "no catalogue entry matches its errors" if blocks else "the joblog reports no error"
        if not blocks and start > 0:
            why = "the job's last error was followed by a recovery"
        return Classification(
            failure_class="unknown",
            confidence=0.0,
            method="none",
            evidence=[_evidence(lines, n - 1, None) for n in decisive[-MAX_EVIDENCE_LINES:]]
            + exit_evidence,
            explanation=f"No decisive failure: {why}.",
            decisive_lines=decisive,
        )
    (chosen, best), *others = _ranked(scored)
    strongest: dict[int, Finding] = {}
    for index, finding, _ in best.support:
        strongest.setdefault(index, finding)
    support = sorted(list(strongest.items())[:MAX_EVIDENCE_LINES])
    sources = ", ".join(dict.fromkeys(finding.entry.source for _, finding in support))
    evidence = [
        _evidence(lines, index, finding.entry.source)
        for index, finding in support
        if index != exit_index
    ] + exit_evidence
    if chosen == "unknown" or best.score < DECIDING_SCORE:
        decided = chosen == "unknown" and best.score >= DECIDING_SCORE
        return Classification(
            failure_class="unknown",
            confidence=0.0,
            method="catalogue" if decided else "none",
            evidence=evidence,
            explanation=f"The failure's cause is outside the classes ({sources})."
            if decided
            else f"The evidence is too weak to name a class ({chosen}: {sources}).",
            decisive_lines=decisive,
            candidates=candidates,
        )
    # The database's own code around a more specific cause only carries it: no doubt on it.
    rivals = [item.score for name, item in others if name != "database_error"]
    runner_up = max(rivals, default=0.0)
    deciding = best.support[0][0]
    decisive = next(
        ([n + 1 for n in block.lines] for block in blocks if deciding in block.lines), decisive
    )
    confidence = (
        CATALOGUE_CONFIDENCE
        * (min(1.0, best.score / STRONG) ** 0.5)
        * (1 - runner_up / (2 * best.score))
    )
    also = [name for name, item in others if item.score >= DECIDING_SCORE and name != "unknown"]
    explanation = f"The failing tail's evidence names {chosen} ({sources})"
    explanation += f"; also reported: {', '.join(also)}." if also else "."
    return Classification(
        failure_class=chosen,
        confidence=round(confidence, 2),
        method="catalogue",
        evidence=evidence,
        explanation=explanation,
        decisive_lines=decisive,
        candidates=candidates,
    )
