"""Job-run builders for tests: one run of a job, at a time of the test's choosing."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from tests.support.payloads import iso, minutes_ago


def job_run(
    workstation: str = "WS-PROD-01",
    started: datetime | None = None,
    minutes: float = 5,
    **fields: Any,
) -> dict[str, Any]:
    """A finished SUCC run of PAYROLL.LOAD_EMPLOYEES started at `started` (default 30 min ago)."""
    started = started or minutes_ago(30)
    body = {
        "workstation": workstation,
        "job_stream": "PAYROLL",
        "job_name": "LOAD_EMPLOYEES",
        "run_id": str(uuid.uuid4()),
        "status": "SUCC",
        "return_code": 0,
        "started_at": iso(started),
        "ended_at": iso(started + timedelta(minutes=minutes)),
    }
    body.update(fields)
    return body
