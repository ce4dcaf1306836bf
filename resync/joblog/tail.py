"""The failing tail of a joblog and the score of each class over it.

The failing tail is what follows the last line saying the job got past its errors (a retry
that succeeded, a reconnection after a failed connection, a step completed successfully with
errors after it) up to its exit-status line. Each error line is a block with its stack-trace or
detail lines, and every catalogue finding in a block scores for its class by its strength
(resync/joblog/catalogues), weighted by:
- the later blocks naming another cause at least as strongly: each one divides its weight by
  `1 / SUPERSEDED`, so the last error before the exit that names a cause decides, a wrapper's
  `step LOAD failed` or a paraphrase does not hide a catalogue code, and an error retried until
  the last attempt failed keeps its weight, since that last attempt names it again or says the
  retries ran out (a retried attempt's errors, the error a retry announcement names among them,
  are hidden by any other later cause); and whatever their strength, a later block naming the
  class that overrules them (`OVERRULED_BY`: a prerequisite found missing over the absent file
  or the wait's time limit that showed it, refused credentials over the connection that carried
  them);
- its nesting: an exception that wraps the innermost one of its block (a chain printed outer
  to inner, `Caused by:` lines) only carried it and counts nothing;
- its line: a warning, a retry announcement or the clean-up of a file that was not there counts
  less (a warning the job did not get past counts fully), a nested `Caused by:` more;
- whether the job got past it: an error a retry was announced for (`nova tentativa em 20s`),
  after which the job went on and no later error names its class nor says the retries ran out,
  was recovered from and counts `RECOVERED`;
- its nearness to the exit, in written lines.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from resync.joblog.catalogues.entries import MEDIUM, WEAK
from resync.joblog.evidence import Finding, line_findings
from resync.joblog.signatures import (
    CLEANUP,
    CONNECTION_MADE,
    ERROR_MARK,
    EXIT_MARK,
    GENERIC_FAILURE_MARK,
    NEXT_ATTEMPT,
    RECOVERY_MARK,
    RETRIES_EXHAUSTED,
    RETRYING,
    SUCCESS_MARK,
    WARNING,
)

SUPERSEDED = 0.4
RECOVERED = 0.2
NEAR_LINES = 8
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
# PowerShell's error record: the position line (`At C:\x.ps1:6 char:1`, pt-BR `No …:6
# caractere:1`) and, after it, the `+ ` lines quoting the statement, its `~~~` underline and the
# `+ CategoryInfo` and `+ FullyQualifiedErrorId` lines.
_PS_POSITION = re.compile(r"^(At|No|Em) \S.*:\d+ (char|caractere):\d+\s*$")
_PS_RECORD = re.compile(r"^\s*\+ ")
# A Db2 message (`SQL30082N …`) is wrapped over lines up to the one ending `SQLSTATE=…`.
_DB2_MESSAGE = re.compile(r"\bSQL\d{4,5}[NC]\b")
_DB2_MESSAGE_END = re.compile(r"\bSQLSTATE=[0-9A-Z]{5}\s*$")
# TWS's own frame: the `=` bars and `= Field : value` lines around the job's output.
_FRAME = re.compile(r"^=+\s*$|^= ")
# A table's column headings (robocopy's `Total Copied Skipped Mismatch FAILED Extras`) name no
# error, whatever their words.
_HEADINGS = re.compile(r"\s*([A-Z][A-Za-z]*[ \t]{2,}){3,}[A-Z][A-Za-z]*\s*")
# Within one error block, a finding of the key's class is how the value's class showed itself:
# a connection that carried the refused credentials, the access a refused login denied (`530
# PASS command failed: Permission denied`), the absent file or the wait's time limit
# by which a check found a prerequisite missing. The value's class decides, there and in the
# blocks before it.
OVERRULED_BY = {
    "connection_failure": "credentials_expired",
    "permission_denied": "credentials_expired",
    "not_found": "dependency_not_satisfied",
    "timeout": "dependency_not_satisfied",
}


@dataclass
class Block:
    """An error with its continuation lines: line indexes, and each line's findings."""

    lines: list[int] = field(default_factory=list)
    findings: dict[int, tuple[Finding, ...]] = field(default_factory=dict)
    cause_strength: float = 0.0
    retried: bool = False
    announced: bool = False

    def classes(self) -> set[str]:
        return {f.entry.failure_class for found in self.findings.values() for f in found}


def exit_line_index(lines: list[str]) -> int | None:
    """The index of the job's last exit-status or return-code line, if it wrote one."""
    return next((i for i in range(len(lines) - 1, -1, -1) if EXIT_MARK.search(lines[i])), None)


def _line_weight(text: str) -> float:
    return next((weight for pattern, weight in LINE_WEIGHTS if pattern.search(text)), 1.0)


@dataclass(frozen=True)
class LineMarks:
    """What a line's words say, whatever its catalogue findings: an error, a success (with no
    error), a retry, TWS's frame."""

    error: bool
    success: bool
    retrying: bool
    announces_retry: bool
    frame: bool


@lru_cache(maxsize=16384)
def line_marks(text: str) -> LineMarks:
    """The marks of `text` (cached like its findings: frames and tools repeat their lines)."""
    error = bool(ERROR_MARK.search(text)) and not _HEADINGS.fullmatch(text)
    return LineMarks(
        error=error,
        success=not error and bool(SUCCESS_MARK.search(text)),
        retrying=bool(RETRYING.search(text) or NEXT_ATTEMPT.search(text)),
        announces_retry=bool(RETRYING.search(text)),
        frame=bool(_FRAME.search(text)),
    )


@lru_cache(maxsize=16384)
def cause_strength(text: str) -> float:
    """How strongly a line names a cause of its own: its strongest finding (a carrier's or a
    weak one's does not count), WEAK for an error it describes in words no catalogue knows, 0
    for a line that only says something failed, a warning, a retry or a clean-up."""
    found = line_findings(text)
    strongest = max((f.entry.strength for f in found if f.entry.strength >= MEDIUM), default=0.0)
    if strongest or found:
        return strongest
    describes = (
        line_marks(text).error
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
    db2_open = False  # a Db2 message whose `SQLSTATE=` line has not come yet
    for index in range(start, end):
        text = lines[index]
        if not text.strip():
            continue
        found, marks = line_findings(text), line_marks(text)
        is_error = bool(found) or marks.error
        if marks.frame and not is_error:
            continue
        if marks.retrying:
            for block in blocks[attempt:]:
                block.retried = True
                block.announced = block.announced or marks.announces_retry
            attempt = len(blocks) + is_error
        wrapped = db2_open and current is not None and current.lines[-1] == index - 1
        ps_record = (
            current is not None
            and bool(_PS_RECORD.search(text))
            and any(_PS_POSITION.search(lines[i]) for i in current.lines)
        )
        if current is not None and (
            _CONTINUATION.search(text) or wrapped or ps_record or _PS_POSITION.search(text)
        ):
            current.lines.append(index)
            current.announced = current.announced or marks.announces_retry
        elif is_error:
            current = Block(retried=marks.retrying, announced=marks.announces_retry)
            blocks.append(current)
            current.lines.append(index)
        else:
            current = None
            db2_open = False
            continue
        db2_open = (wrapped or bool(_DB2_MESSAGE.search(text))) and not _DB2_MESSAGE_END.search(
            text
        )
        if found:
            current.findings[index] = found
        current.cause_strength = max(current.cause_strength, cause_strength(text))
    for block in blocks:
        strong = {
            f.entry.failure_class
            for found in block.findings.values()
            for f in found
            if f.entry.strength >= MEDIUM
        }
        wrappers = _wrapping_exceptions(block)
        block.findings = {
            index: tuple(
                f
                for f in found
                if OVERRULED_BY.get(f.entry.failure_class) not in strong and f not in wrappers
            )
            for index, found in block.findings.items()
        }
    return blocks


def _wrapping_exceptions(block: Block) -> set[Finding]:
    """The exceptions of `block` that wrap its innermost one and would rival it (a carrier's
    weight stays), when that names another class: Java and .NET print a chain outer to inner
    (`SSLHandshakeException: …: CertificateExpiredException`, then `Caused by:` lines), and the
    inner cause decides."""
    chain = [
        f
        for index in sorted(block.findings)
        for f in block.findings[index]
        if f.entry.source.startswith("exception")
    ]
    if len(chain) < 2 or chain[-1].entry.strength < MEDIUM:
        return set()
    inner = chain[-1].entry.failure_class
    return {f for f in chain[:-1] if f.entry.failure_class != inner and f.entry.strength >= MEDIUM}


def _recovered(lines: list[str], block: Block, after: list[Block], end: int) -> bool:
    """Whether the job got past `block`'s error: a retry was announced for it, the job went on
    (a line follows that is no error, nor a return code or a step's failure), and no block
    `after` it names its class nor a line says the retries ran out."""
    if not block.announced:
        return False
    classes = block.classes()
    if any(classes & other.classes() for other in after):
        return False
    following = lines[block.lines[-1] + 1 : end]
    went_on = any(
        text.strip()
        and not line_marks(text).error
        and not line_marks(text).frame
        and not GENERIC_FAILURE_MARK.search(text)
        for text in following
    )
    return went_on and not any(RETRIES_EXHAUSTED.search(text) for text in following)


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
    after: list[Block] = []
    for block in reversed(blocks):
        distance = max(0, written[-1] - written[block.lines[-1] - start + 1] - NEAR_LINES)
        nearness = 1 / (1 + distance / NEARNESS_LINES)
        if _recovered(lines, block, after, end):
            nearness *= RECOVERED
        after.append(block)
        # A clean-up's continuation lines (PowerShell's `CategoryInfo`) weigh as the clean-up.
        cleanup = bool(CLEANUP.search(lines[block.lines[0]]))
        for index, found in block.findings.items():
            for finding in found:
                cls, strength = finding.entry.failure_class, finding.entry.strength
                if cls == "unknown" and strength < MEDIUM:
                    continue  # `Killed`, `Aborted`: how it ended, not why
                hidden = sum(
                    cls not in other.classes()
                    and (
                        other.cause_strength >= strength
                        or (block.retried and not RETRIES_EXHAUSTED.search(lines[other.lines[0]]))
                        or OVERRULED_BY.get(cls) in other.classes()
                    )
                    for other in later
                )
                line_weight = _line_weight(lines[block.lines[0]] if cleanup else lines[index])
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
    # Whether errors follow is asked only at a success line, of each line once: lines[read:end]
    # name no cause.
    read = end
    for index in range(end - 1, -1, -1):
        text = lines[index]
        if not line_marks(text).success:
            continue
        # A step that completed after the last error (`cleanup completed successfully`) did
        # not recover from it; a retry that succeeded or a reconnection did.
        errors_after = any(cause_strength(line) > 0 for line in lines[index + 1 : read])
        if errors_after or _recovers(lines, index):
            return index + 1, end, exit_index
        read = index + 1
    return 0, end, exit_index


def _recovers(lines: list[str], index: int) -> bool:
    """Whether lines[index] says the job got past the errors before it: a retry that succeeded,
    or a connection made after the last error named a failed connection (a tool connecting for
    its next step, `Connected to Integration Service`, gets past nothing else)."""
    marks = [match[0] for match in RECOVERY_MARK.finditer(lines[index])]
    if not marks:
        return _after_retry(lines, index)
    if not all(CONNECTION_MADE.fullmatch(mark) for mark in marks):
        return True
    cause = next((line for line in reversed(lines[:index]) if cause_strength(line) > 0), None)
    return cause is None or any(
        f.entry.failure_class == "connection_failure" for f in line_findings(cause)
    )


def _after_retry(lines: list[str], index: int) -> bool:
    """Whether the success at lines[index] ends a retry: the line announcing it comes before any
    error (`net use … retry 2` then `The command completed successfully.`)."""
    for text in reversed(lines[:index]):
        marks = line_marks(text)
        if marks.retrying:
            return True
        if marks.error or cause_strength(text) > 0:
            return False
    return False
