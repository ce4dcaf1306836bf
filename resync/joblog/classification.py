"""Root cause of a failed job from its joblog: the catalogue evidence over its failing tail.

The tail's error lines are scored per class (resync/joblog/tail.py). Inside one block the more
specific finding speaks: an OS error inside a database tool's error is its own class, the
database's code only carrying it. A class wins with a score of at least `DECIDING_SCORE`; a
cause outside the classes (a segmentation fault, a host key) wins as `unknown`; weaker
evidence leaves the decision to the text model and the analyst (resync/joblog/analyst.py), or
`unknown`. So does evidence that names two causes: a rival class scoring `CONFLICT_RATIO` of
the best, or a last error after the deciding one that names another class and is no
consequence of it. The card cites the deciding lines, each with its catalogue source.
"""

from typing import Literal

from pydantic import BaseModel, Field

from resync.joblog.catalogues.entries import CARRIER, MEDIUM, STRONG
from resync.joblog.evidence import Finding, line_findings
from resync.joblog.signatures import CLEANUP, FAILURE_CLASSES, WARNING
from resync.joblog.tail import OVERRULED_BY, Block, Scored, score_tail, tail_bounds

MAX_EVIDENCE_LINES = 6
MAX_LINE_CHARS = 400
DECIDING_SCORE = CARRIER
# The confidence of an exact catalogue match with no rival; the card adds corroboration.
CATALOGUE_CONFIDENCE = 0.9
# A rival class scoring this share of the best one's score makes the evidence conflicting: the
# answer is `unknown` rather than a guess between them.
CONFLICT_RATIO = 0.75
# Classes a later error can name as a consequence of an earlier cause: the connection the
# aborting tool lost (`Broken pipe`, `connection unexpectedly closed`, `cannot connect`), the
# database's own error around it.
CONSEQUENCES = {"connection_failure", "database_error"}

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


def _went_past(text: str) -> bool:
    """Whether a line is a warning or a clean-up: the job went past it."""
    return bool(WARNING.search(text) or CLEANUP.search(text))


def _later_cause(lines: list[str], blocks: list[Block], deciding: int, chosen: str) -> str | None:
    """The class the last error naming a cause (not a warning, a clean-up or a retried attempt)
    names instead of `chosen`, when it comes after the deciding line's block (the evidence then
    names two causes, the later one weaker), unless it is a consequence or a class `chosen`
    overrules."""
    last = next(
        (
            b
            for b in reversed(blocks)
            if b.cause_strength >= MEDIUM and not b.retried and not _went_past(lines[b.lines[0]])
        ),
        None,
    )
    if last is None or deciding in last.lines:
        return None
    position = next((i for i, b in enumerate(blocks) if deciding in b.lines), None)
    if position is None or blocks.index(last) < position:
        return None
    named = {
        f.entry.failure_class
        for found in last.findings.values()
        for f in found
        if f.entry.strength >= MEDIUM
    }
    rivals = sorted(
        name for name in named - CONSEQUENCES - {chosen} if OVERRULED_BY.get(name) != chosen
    )
    return None if chosen in named or not rivals else rivals[0]


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
    # The database's own code around a more specific cause only carries it, and a class the
    # chosen one overrules only showed it: no doubt on it.
    rivals = [
        (name, item.score)
        for name, item in others
        if name != "database_error" and OVERRULED_BY.get(name) != chosen
    ]
    rival, runner_up = max(rivals, key=lambda pair: pair[1], default=("", 0.0))
    later = _later_cause(lines, blocks, best.support[0][0], chosen)
    if runner_up >= CONFLICT_RATIO * best.score or later:
        rival = later or rival
        return Classification(
            failure_class="unknown",
            confidence=0.0,
            method="none",
            evidence=evidence,
            explanation=f"The failing tail's evidence names two causes: {chosen} ({sources}) "
            f"and {rival}; no class is proven.",
            decisive_lines=decisive,
            candidates=candidates,
        )
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
