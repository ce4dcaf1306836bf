"""The LLM analyst for uncovered failures, against the local Messages API fake (real SDK)."""

import json

import pytest

from resync.joblog.analyst import ANALYST_MAX_CONFIDENCE, classify_failure
from resync.joblog.redaction import redact_joblog
from resync.settings import Settings
from tests.support.fake_anthropic import FakeAnthropic

UNCOVERED = (
    "Starting LOAD_RATES\n"
    "Using rates feed with api_key=abc123\n"
    "ERROR: rates feed returned HTTP 503 from the exchange service\n"
    "Exit Status : 4\n"
)


def test_a_signature_decides_without_asking_the_analyst(fake: FakeAnthropic) -> None:
    classification, insight = classify_failure(
        "ORA-28001: the password has expired\nExit Status : 1\n", 1, fake.settings()
    )
    assert classification.failure_class == "credentials_expired"
    assert insight is None
    assert fake.requests == []


def test_without_a_key_an_uncovered_failure_stays_unknown() -> None:
    classification, insight = classify_failure(UNCOVERED, 4, Settings(anthropic_api_key=None))
    assert (classification.failure_class, classification.method) == ("unknown", "none")
    assert insight is not None and insight.analyst == "deterministic"
    assert insight.note == "Written by the deterministic analyst: ANTHROPIC_API_KEY is not set."


def test_the_analyst_gets_redacted_numbered_lines_as_data(fake: FakeAnthropic) -> None:
    fake.reply_json(
        {
            "failure_class": "connection_failure",
            "evidence_lines": [3],
            "confidence": 0.9,
            "explanation": "The exchange service was unavailable (HTTP 503).",
        }
    )
    joblog = redact_joblog(UNCOVERED, 4096)
    classification, insight = classify_failure(joblog, 4, fake.settings())
    assert classification.failure_class == "connection_failure"
    assert classification.method == "analyst"
    assert classification.confidence == ANALYST_MAX_CONFIDENCE
    assert [e.model_dump() for e in classification.evidence] == [
        {
            "line": 3,
            "text": "ERROR: rates feed returned HTTP 503 from the exchange service",
            "source": "analyst claude-sonnet-4-6",
        }
    ]
    assert classification.explanation.startswith(
        "Suggested by claude-sonnet-4-6 (the catalogue could not decide)"
    )
    assert insight.analyst == "claude-sonnet-4-6"
    [request] = fake.requests
    data = json.loads(request["messages"][0]["content"])
    assert data["decisive_lines"] == [3]
    assert data["catalogue_candidates"] == {}
    assert data["lines"][1] == {"n": 2, "text": "Using rates feed with api_key=[REDACTED]"}
    assert "abc123" not in json.dumps(request)
    assert "HTTP 503" not in request["system"]


@pytest.mark.parametrize(
    "reply",
    [
        {
            "failure_class": "disk_full",
            "evidence_lines": [99],
            "confidence": 0.9,
            "explanation": "x",
        },
        {"failure_class": "disk_full", "evidence_lines": [], "confidence": 0.9, "explanation": "x"},
        {
            "failure_class": "disk_full",
            "evidence_lines": [2],
            "confidence": 0.9,
            "explanation": "x",
        },
        {
            "failure_class": "disk_full",
            "evidence_lines": [3],
            "confidence": 0.1,
            "explanation": "x",
        },
        {"failure_class": "unknown", "evidence_lines": [3], "confidence": 0.0, "explanation": "x"},
        {"failure_class": "made_up_class", "evidence_lines": [3], "confidence": 0.9},
    ],
)
def test_an_unproven_or_invalid_answer_is_unknown(fake: FakeAnthropic, reply: dict) -> None:
    fake.reply_json(reply)
    classification, _ = classify_failure(UNCOVERED, 4, fake.settings())
    assert (classification.failure_class, classification.method) == ("unknown", "none")
    assert classification.confidence == 0.0


def test_weak_catalogue_evidence_goes_to_the_analyst_with_its_candidates(
    fake: FakeAnthropic,
) -> None:
    joblog = "Starting PRICES\nprices.sh: line 9: 4242 Alarm clock   ./fetch\nExit Status : 142\n"
    fake.reply_json(
        {
            "failure_class": "timeout",
            "evidence_lines": [2],
            "confidence": 0.9,
            "explanation": "The script's own alarm stopped the fetch.",
        }
    )
    classification, insight = classify_failure(joblog, 142, fake.settings())
    [request] = fake.requests
    data = json.loads(request["messages"][0]["content"])
    assert data["catalogue_candidates"] == {"timeout": 1.0}
    assert data["decisive_lines"] == [2]
    assert (classification.failure_class, classification.method) == ("timeout", "analyst")
    assert classification.confidence == ANALYST_MAX_CONFIDENCE
    assert classification.evidence[0].source == "analyst claude-sonnet-4-6"
    assert insight is not None and insight.analyst == "claude-sonnet-4-6"


def test_a_cause_the_catalogue_places_outside_the_classes_is_not_sent_to_the_analyst(
    fake: FakeAnthropic,
) -> None:
    classification, insight = classify_failure(
        "Running\nHost key verification failed.\nlost connection\nExit Status : 255\n",
        255,
        fake.settings(),
    )
    assert (classification.failure_class, classification.method) == ("unknown", "catalogue")
    assert insight is None
    assert fake.requests == []
