"""The LLM analyst for a decisive failure no signature covers, validated against the joblog.

Only the redacted lines around the decisive error go to Claude, as numbered data in the user
message. Its answer counts only if it cites a line of the decisive error (an earlier, recovered
error proves nothing), and its confidence is capped
below the human-review threshold: a signature proves, the analyst only suggests. Without a key
(or on any failure) the deterministic analyst answers `unknown`.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from resync.analyst import Insight, write_insight
from resync.joblog.classification import (
    MAX_LINE_CHARS,
    Classification,
    EvidenceLine,
    FailureClass,
    classify_joblog,
)
from resync.settings import Settings

CONTEXT_LINES = 30
ANALYST_MAX_CONFIDENCE = 0.6
ANALYST_MIN_CONFIDENCE = 0.3
TASK = (
    "Classify the root cause of this failed TWS job from the numbered joblog lines in the data "
    "(English or Portuguese). `decisive_lines` are the last error before the job's exit. Use "
    "one of `classes`, cite the numbers of the lines that prove it, and answer `unknown` with "
    "confidence 0 unless those lines show the cause."
)
CLASS_MEANINGS = {
    "disk_full": "a file system or quota ran out of space",
    "permission_denied": "the job's user lacked a permission or privilege",
    "not_found": "a file, directory, program or command did not exist",
    "connection_failure": "a host, port, service or database could not be reached",
    "database_error": "a database reported an error (ORA-, SQLCODE, psql, SQLSTATE)",
    "out_of_memory": "the process ran out of memory",
    "timeout": "the job exceeded its own maximum run time and was stopped",
    "credentials_expired": "a password, token, certificate or account had expired",
    "dependency_not_satisfied": "an input file or predecessor job was not there",
    "unknown": "none of the above is proven by the lines",
}


class AnalystClassification(BaseModel):
    """What the analyst answers: a class, the lines proving it, how sure, why."""

    failure_class: FailureClass
    evidence_lines: list[int] = Field(default_factory=list, max_length=10)
    confidence: float = Field(ge=0.0, le=1.0)
    explanation: str = Field(max_length=600)


def _unknown(_data: Mapping[str, Any]) -> AnalystClassification:
    return AnalystClassification(
        failure_class="unknown", confidence=0.0, explanation="No signature covers this failure."
    )


def analyst_data(lines: list[str], decisive: list[int], return_code: int | None) -> dict[str, Any]:
    """The numbered lines the analyst sees: the decisive block, what precedes it, the end."""
    first = max(0, decisive[0] - 1 - CONTEXT_LINES)
    shown = sorted(set(range(first, decisive[-1])) | set(range(max(0, len(lines) - 5), len(lines))))
    return {
        "return_code": return_code,
        "decisive_lines": decisive,
        "lines": [{"n": i + 1, "text": lines[i][:MAX_LINE_CHARS]} for i in shown],
        "classes": CLASS_MEANINGS,
    }


def classify_failure(
    joblog: str, return_code: int | None, settings: Settings | None = None
) -> tuple[Classification, Insight[AnalystClassification] | None]:
    """Signatures first; the analyst only for a decisive error no signature covers.

    `joblog` must already be redacted. Returns the classification and the analyst's insight
    when it was asked (None when a signature decided or there was no decisive error).
    """
    classification = classify_joblog(joblog)
    if classification.method != "none" or not classification.decisive_lines:
        return classification, None
    lines = joblog.splitlines()
    data = analyst_data(lines, classification.decisive_lines, return_code)
    insight = write_insight(TASK, data, AnalystClassification, _unknown, settings)
    answer = insight.value
    shown = {line["n"] for line in data["lines"]}
    cited = [n for n in answer.evidence_lines if n in shown]
    if (
        answer.failure_class == "unknown"
        or not set(cited) & set(classification.decisive_lines)
        or answer.confidence < ANALYST_MIN_CONFIDENCE
    ):
        explanation = classification.explanation
        if insight.analyst != "deterministic":
            explanation += f" The analyst could not prove a cause: {answer.explanation}"
        return classification.model_copy(update={"explanation": explanation}), insight
    evidence = [EvidenceLine(line=n, text=lines[n - 1].strip()[:MAX_LINE_CHARS]) for n in cited]
    return (
        Classification(
            failure_class=answer.failure_class,
            confidence=min(answer.confidence, ANALYST_MAX_CONFIDENCE),
            method="analyst",
            evidence=evidence,
            explanation=f"Suggested by {insight.analyst} (no signature): {answer.explanation}",
            decisive_lines=classification.decisive_lines,
        ),
        insight,
    )
