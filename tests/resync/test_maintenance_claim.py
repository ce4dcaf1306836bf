"""The maintenance run claim: a live owner (fresh heartbeat) keeps its run, a dead one loses it."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select, update

from resync.db.engine import session_scope
from resync.db.models import MaintenanceRun, utcnow
from resync.maintenance.claims import (
    ActiveRun,
    ClaimedRun,
    claim_run,
    record_heartbeat,
    set_run_status,
)
from resync.settings import Settings

STALE_AFTER = timedelta(seconds=60)
OWNER, NEWCOMER = uuid.uuid4(), uuid.uuid4()


def claim(flow_run_id: uuid.UUID) -> ClaimedRun | ActiveRun:
    with session_scope() as session:
        return claim_run(session, flow_run_id, STALE_AFTER)


def last_heard_of(run_id: uuid.UUID, seconds_ago: float | None) -> None:
    """Pretend the owner's last heartbeat was `seconds_ago` (None: never, as before 0011)."""
    heartbeat = None if seconds_ago is None else utcnow() - timedelta(seconds=seconds_ago)
    with session_scope() as session:
        session.execute(
            update(MaintenanceRun).where(MaintenanceRun.id == run_id).values(heartbeat_at=heartbeat)
        )


def runs() -> list[MaintenanceRun]:
    with session_scope() as session:
        return list(session.scalars(select(MaintenanceRun)))


@pytest.mark.usefixtures("database_url")
def test_a_new_run_starts_alive() -> None:
    claimed = claim(OWNER)

    assert isinstance(claimed, ClaimedRun) and claimed.previous_flow_run_id is None
    [run] = runs()
    assert (run.id, run.flow_run_id, run.status) == (claimed.run_id, OWNER, "running")
    assert utcnow() - run.heartbeat_at < timedelta(seconds=5)


@pytest.mark.usefixtures("database_url")
@pytest.mark.parametrize("status", ["running", "awaiting_review"])
def test_a_run_whose_owner_is_alive_is_left_to_it(status: str) -> None:
    owned = claim(OWNER)
    with session_scope() as session:
        set_run_status(session, owned.run_id, OWNER, status)
    last_heard_of(owned.run_id, STALE_AFTER.total_seconds() - 5)

    active = claim(NEWCOMER)

    assert isinstance(active, ActiveRun)
    assert (active.run_id, active.flow_run_id, active.status) == (owned.run_id, OWNER, status)
    [run] = runs()
    assert (run.flow_run_id, run.status) == (OWNER, status)
    with session_scope() as session:
        assert record_heartbeat(session, owned.run_id, OWNER)


@pytest.mark.usefixtures("database_url")
@pytest.mark.parametrize("seconds_ago", [STALE_AFTER.total_seconds() + 1, None])
def test_a_run_whose_owner_went_silent_is_taken_over(seconds_ago: float | None) -> None:
    owned = claim(OWNER)
    with session_scope() as session:
        set_run_status(session, owned.run_id, OWNER, "awaiting_review")
    last_heard_of(owned.run_id, seconds_ago)

    taken = claim(NEWCOMER)

    assert isinstance(taken, ClaimedRun)
    assert (taken.run_id, taken.thread_id) == (owned.run_id, owned.thread_id)
    assert taken.previous_flow_run_id == OWNER
    [run] = runs()
    assert (run.flow_run_id, run.status) == (NEWCOMER, "running")
    assert utcnow() - run.heartbeat_at < timedelta(seconds=5)
    with session_scope() as session:
        # The old owner, should it wake up, learns it lost the run.
        assert not record_heartbeat(session, owned.run_id, OWNER)


@pytest.mark.usefixtures("database_url")
def test_the_owner_claiming_again_keeps_its_run() -> None:
    """A retried claim task of the same flow run (its first answer lost) is not a takeover."""
    owned = claim(OWNER)

    again = claim(OWNER)

    assert isinstance(again, ClaimedRun)
    assert (again.run_id, again.previous_flow_run_id) == (owned.run_id, None)
    assert len(runs()) == 1


@pytest.mark.usefixtures("database_url")
def test_a_finished_run_is_not_kept_alive_and_the_next_run_is_new() -> None:
    owned = claim(OWNER)
    with session_scope() as session:
        set_run_status(session, owned.run_id, OWNER, "finished")
        assert not record_heartbeat(session, owned.run_id, OWNER)

    following = claim(NEWCOMER)

    assert isinstance(following, ClaimedRun) and following.run_id != owned.run_id


@pytest.mark.usefixtures("database_url")
def test_two_flow_runs_starting_together_start_one_run() -> None:
    """The second claim waits for the first to commit, then finds its run alive."""
    with ThreadPoolExecutor(1) as other:
        with session_scope() as session:
            first = claim_run(session, OWNER, STALE_AFTER)
            second = other.submit(claim, NEWCOMER)
            # Long enough for the second claim to reach the lock the first one holds.
            threading.Event().wait(0.5)
            assert not second.done()
        concurrent = second.result(timeout=30)

    assert isinstance(first, ClaimedRun)
    assert isinstance(concurrent, ActiveRun) and concurrent.run_id == first.run_id
    assert len(runs()) == 1


def test_staleness_shorter_than_three_heartbeats_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least three heartbeats"):
        Settings(maintenance_heartbeat_seconds=30, maintenance_heartbeat_stale_seconds=60)
