"""The failure class of a redacted joblog: the catalogue, then the text model, then the LLM.

The catalogue's evidence decides when it is strong enough (resync/joblog/classification.py).
Where it is weak or silent, the text model (resync/joblog/text_model.py) reads the decisive
error's lines and answers only above its calibrated threshold. Otherwise Claude is asked, with
the redacted failing tail as numbered data in the user message and the catalogue's candidate
classes; its structured answer counts only if it cites a line of the decisive error (an
earlier, recovered error proves nothing), and its confidence is capped below the human-review
threshold: the catalogue proves, the analyst only suggests. Without a key (or on any failure)
the deterministic analyst answers `unknown`.
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
from resync.joblog.tail import tail_bounds
from resync.joblog.text_model import TextModel, catalogue_model
from resync.settings import Settings

CONTEXT_LINES = 30
ANALYST_MAX_CONFIDENCE = 0.6
ANALYST_MIN_CONFIDENCE = 0.3
TASK = (
    "Classify the root cause of this failed TWS job from the numbered joblog lines in the data "
    "(any language). `decisive_lines` are the last error before the job's exit; "
    "`catalogue_candidates` are the classes weak catalogue evidence suggested, with their "
    "scores (3 is an exact match). An error the job recovered from (a retry that succeeded) is "
    "not the cause. Use one of `classes`, cite the numbers of the lines that prove it, and "
    "answer `unknown` with confidence 0 unless those lines show the cause."
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
        failure_class="unknown",
        confidence=0.0,
        explanation="Neither the catalogue nor the text model names a cause.",
    )


def analyst_data(
    lines: list[str], classification: Classification, return_code: int | None
) -> dict[str, Any]:
    """The numbered lines the analyst sees (the failing tail up to `CONTEXT_LINES` before the
    decisive error, and the end) with the catalogue's candidates."""
    decisive = classification.decisive_lines
    start, _, _ = tail_bounds(lines)
    first = max(start, decisive[0] - 1 - CONTEXT_LINES)
    shown = sorted(set(range(first, decisive[-1])) | set(range(max(0, len(lines) - 5), len(lines))))
    return {
        "return_code": return_code,
        "decisive_lines": decisive,
        "catalogue_candidates": classification.candidates,
        "lines": [{"n": i + 1, "text": lines[i][:MAX_LINE_CHARS]} for i in shown],
        "classes": CLASS_MEANINGS,
    }


def model_classification(
    lines: list[str], classification: Classification, model: TextModel
) -> Classification | None:
    """The text model's class for the decisive error's lines, when it is sure enough."""
    numbers = classification.decisive_lines
    decided = model.decide([lines[n - 1] for n in numbers])
    if decided is None:
        return None
    index, failure_class, probability = decided
    number = numbers[index]
    source = f"text model ({model.resolutions} resolutions), p={probability:.2f}"
    return Classification(
        failure_class=failure_class,
        confidence=round(probability, 2),
        method="model",
        evidence=[
            EvidenceLine(
                line=number, text=lines[number - 1].strip()[:MAX_LINE_CHARS], source=source
            )
        ],
        explanation=f"The text model reads {failure_class} in line {number} "
        f"(probability {probability:.2f}, threshold {model.threshold:.2f}); "
        f"the catalogue could not decide.",
        decisive_lines=numbers,
        candidates=classification.candidates,
    )


def classify_failure(
    joblog: str,
    return_code: int | None,
    settings: Settings | None = None,
    model: TextModel | None = None,
) -> tuple[Classification, Insight[AnalystClassification] | None]:
    """The catalogue first; the text model (`model`, by default the catalogue's own) and then
    the analyst only for a decisive error the catalogue cannot decide.

    `joblog` must already be redacted. Returns the classification and the analyst's insight
    when it was asked (None when the catalogue or the model decided, or there was no error).
    """
    classification = classify_joblog(joblog)
    if classification.method != "none" or not classification.decisive_lines:
        return classification, None
    lines = joblog.splitlines()
    learned = model_classification(lines, classification, model or catalogue_model())
    if learned is not None:
        return learned, None
    data = analyst_data(lines, classification, return_code)
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
    evidence = [
        EvidenceLine(
            line=n, text=lines[n - 1].strip()[:MAX_LINE_CHARS], source=f"analyst {insight.analyst}"
        )
        for n in cited
    ]
    return (
        Classification(
            failure_class=answer.failure_class,
            confidence=min(answer.confidence, ANALYST_MAX_CONFIDENCE),
            method="analyst",
            evidence=evidence,
            explanation=f"Suggested by {insight.analyst} (the catalogue could not decide): "
            f"{answer.explanation}",
            decisive_lines=classification.decisive_lines,
        ),
        insight,
    )
