"""Payload builders for tests: the DESIGN.md sample, at a time and place of the test's choosing."""

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from resync.ingest.payload import EXAMPLE_PAYLOAD

SEED_METRICS = EXAMPLE_PAYLOAD["metrics"]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def minutes_ago(minutes: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes)


def payload(
    workstation: str = "WS-PROD-01", at: datetime | None = None, **metrics: Any
) -> dict[str, Any]:
    """The seed payload for `workstation` at `at` (default: one minute ago), metrics overridden."""
    body = {
        "workstation": workstation,
        "timestamp": iso(at or minutes_ago(1)),
        "metrics": {**copy.deepcopy(SEED_METRICS), **metrics},
    }
    return body
