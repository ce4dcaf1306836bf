"""The analyst against a local fake of the Messages API: the real SDK on the path, no key."""

import json
from collections.abc import Mapping
from typing import Any

import pytest
from pydantic import BaseModel, Field

from resync.analyst import DETERMINISTIC, write_insight
from resync.settings import Settings
from tests.support.fake_anthropic import FakeAnthropic

TASK = "Summarise the estate's capacity risk in one paragraph."
DATA = {"at_risk": [{"workstation": "WS-PROD-01", "resource": "disk", "days": 12.5}]}


class Summary(BaseModel):
    paragraph: str = Field(min_length=1)
    at_risk_count: int = Field(ge=0)


def fallback(data: Mapping[str, Any]) -> Summary:
    count = len(data["at_risk"])
    return Summary(paragraph=f"{count} FTA resource(s) at risk.", at_risk_count=count)


def test_no_key_uses_the_deterministic_analyst_and_says_so() -> None:
    insight = write_insight(TASK, DATA, Summary, fallback, Settings(anthropic_api_key=None))
    assert insight.analyst == DETERMINISTIC
    assert insight.value == Summary(paragraph="1 FTA resource(s) at risk.", at_risk_count=1)
    assert insight.note == "Written by the deterministic analyst: ANTHROPIC_API_KEY is not set."


def test_valid_structured_output_is_used(fake: FakeAnthropic) -> None:
    fake.reply_json({"paragraph": "WS-PROD-01 fills its disk in 12.5 days.", "at_risk_count": 1})
    insight = write_insight(TASK, DATA, Summary, fallback, fake.settings())
    assert insight.analyst == "claude-sonnet-4-6"
    assert insight.note == ""
    assert insight.value.paragraph == "WS-PROD-01 fills its disk in 12.5 days."
    [request] = fake.requests
    sent_key = fake.headers[0].get("x-api-key") or fake.headers[0]["authorization"]
    assert sent_key.removeprefix("Bearer ") == "sk-ant-test-key"
    # The data travels as JSON in the user message, never inside the instructions.
    assert json.loads(request["messages"][0]["content"]) == DATA
    assert "WS-PROD-01" not in request["system"]
    assert TASK in request["system"]
    schema = request["output_config"]["format"]
    assert schema["type"] == "json_schema"
    assert set(schema["schema"]["properties"]) == {"paragraph", "at_risk_count"}


def test_output_failing_validation_falls_back_with_the_reason(fake: FakeAnthropic) -> None:
    fake.reply_json({"paragraph": "", "at_risk_count": -3})
    insight = write_insight(TASK, DATA, Summary, fallback, fake.settings())
    assert insight.analyst == DETERMINISTIC
    assert insight.value.at_risk_count == 1
    assert "claude-sonnet-4-6 failed (ValidationError" in insight.note


def test_output_that_is_not_json_falls_back(fake: FakeAnthropic) -> None:
    fake.reply_text("Sure! Here is your summary.")
    insight = write_insight(TASK, DATA, Summary, fallback, fake.settings())
    assert insight.analyst == DETERMINISTIC
    assert "ValidationError" in insight.note


@pytest.mark.parametrize(("status", "error"), [(400, "BadRequestError"), (401, "Authentication")])
def test_api_errors_fall_back_with_the_reason(fake: FakeAnthropic, status: int, error: str) -> None:
    fake.reply_error(status, "the fake refused")
    insight = write_insight(TASK, DATA, Summary, fallback, fake.settings())
    assert insight.analyst == DETERMINISTIC
    assert insight.value == fallback(DATA)
    assert error in insight.note
    assert "the fake refused" in insight.note


def test_server_errors_are_retried_then_fall_back(fake: FakeAnthropic) -> None:
    fake.reply_error(529, "overloaded")
    insight = write_insight(TASK, DATA, Summary, fallback, fake.settings())
    assert insight.analyst == DETERMINISTIC
    assert "overloaded" in insight.note
    assert len(fake.requests) == 3  # the SDK's first try and its two retries


def test_unreachable_api_falls_back(fake: FakeAnthropic) -> None:
    settings = fake.settings().model_copy(update={"anthropic_base_url": "http://127.0.0.1:9"})
    insight = write_insight(TASK, DATA, Summary, fallback, settings)
    assert insight.analyst == DETERMINISTIC
    assert "APIConnectionError" in insight.note
