"""The fake master set up to run maintenance actions, and samples that show their effect."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select

from resync.db.engine import get_engine, session_scope
from resync.db.models import WorkstationMetrics
from resync.demo.master import FakeHwa
from resync.settings import get_settings

SUBMIT_PATH = "/twsd/api/v2/plan/job/submit-ad-hoc-job"


@contextmanager
def master_running_actions(monkeypatch: pytest.MonkeyPatch, **options: Any) -> Iterator[FakeHwa]:
    """A fake master whose ad hoc jobs end within a second, with Resync pointed at it and
    actions executed for real; the effect is not waited for (RESYNC_MAINTENANCE_EFFECT_WAIT_SECONDS
    0) unless the test sets it."""
    with FakeHwa(**options) as master:
        master.adhoc.start_after, master.adhoc.run_seconds = 0.2, 0.3
        monkeypatch.setenv("RESYNC_HWA_URL", master.url)
        monkeypatch.setenv("RESYNC_HWA_USER", master.user)
        monkeypatch.setenv("RESYNC_HWA_PASSWORD", master.password)
        monkeypatch.setenv("RESYNC_MAINTENANCE_EXECUTE_ACTIONS", "true")
        monkeypatch.setenv("RESYNC_MAINTENANCE_ACTION_POLL_SECONDS", "0.1")
        monkeypatch.setenv("RESYNC_MAINTENANCE_EFFECT_WAIT_SECONDS", "0")
        get_settings.cache_clear()
        yield master


def submissions(master: FakeHwa) -> int:
    return sum(request.path == SUBMIT_PATH for request in master.requests)


def add_sample(workstation: str, **changes: Any) -> dict[str, Any]:
    """A new sample of `workstation`, taken now: its latest one with `changes`."""
    with session_scope() as session:
        latest = session.scalars(
            select(WorkstationMetrics)
            .where(WorkstationMetrics.workstation == workstation)
            .order_by(WorkstationMetrics.sample_time.desc())
            .limit(1)
        ).one()
        row = {c.key: getattr(latest, c.key) for c in WorkstationMetrics.__mapper__.columns}
    row |= {"sample_time": datetime.now(UTC), "inbox_id": row["inbox_id"] + 1, **changes}
    with get_engine().begin() as connection:
        connection.execute(insert(WorkstationMetrics), [row])
    return row
