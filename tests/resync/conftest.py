"""Fixtures of the kernel's tests: the local Messages API stand-in."""

from collections.abc import Iterator

import pytest

from tests.support.fake_anthropic import FakeAnthropic


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        yield server
