"""Fixtures shared by the flow tests."""

from datetime import UTC, datetime

import pytest

from resync.settings import get_settings
from tests.support.learning_feedback import store_learning_estate


@pytest.fixture
def learning_estate(database_url: str, monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Everything auto-learning learns from (`store_learning_estate`), stored at now; 20
    outcomes are enough to learn from."""
    monkeypatch.setenv("RESYNC_LEARNING_MIN_OUTCOMES", "20")
    get_settings.cache_clear()
    now = datetime.now(UTC).replace(microsecond=0)
    store_learning_estate(now)
    return now
