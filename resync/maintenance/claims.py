"""Who drives a maintenance run: the claim, the heartbeat and the status a flow run writes.

A run is claimed by one Prefect flow run at a time, whose process keeps the run's heartbeat
fresh while it lives, paused for a review included. A new flow run leaves a run with a fresh
heartbeat to its owner and ends; a run whose heartbeat went stale (its process died) is taken
over by the next flow run, which continues its LangGraph thread from the checkpoint.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from resync.db.models import MaintenanceRun, utcnow

UNFINISHED = ("running", "awaiting_review")
# The PostgreSQL advisory lock that makes claims one at a time (SQLite's BEGIN IMMEDIATE does).
CLAIM_LOCK = 0x7265_7379_6E63_4D52


class RunTakenOver(RuntimeError):
    """Another flow run took this maintenance run over; this one must stop."""


@dataclass(frozen=True)
class ClaimedRun:
    """The maintenance run a flow run drives, and the flow run it was taken from (if any)."""

    run_id: uuid.UUID
    thread_id: str
    previous_flow_run_id: uuid.UUID | None


@dataclass(frozen=True)
class ActiveRun:
    """An unfinished run whose owner is alive: a new flow run leaves it alone and ends."""

    run_id: uuid.UUID
    flow_run_id: uuid.UUID | None
    status: str
    heartbeat_at: datetime


def claim_run(
    session: Session, flow_run_id: uuid.UUID | None, stale_after: timedelta
) -> ClaimedRun | ActiveRun:
    """Start a new run, take over one whose heartbeat is older than `stale_after`, or name the
    live run that stops this flow run."""
    if session.get_bind().dialect.name == "postgresql":
        # FOR UPDATE locks no row when there is no unfinished run: without this, two flow runs
        # starting together would both start a run.
        session.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK)))
    now = utcnow()
    run = session.scalars(
        select(MaintenanceRun)
        .where(MaintenanceRun.status.in_(UNFINISHED))
        .order_by(MaintenanceRun.started_at.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if run is None:
        run = MaintenanceRun(
            id=uuid.uuid4(),
            thread_id=f"maintenance-{uuid.uuid4()}",
            flow_run_id=flow_run_id,
            heartbeat_at=now,
        )
        session.add(run)
        session.flush()
        return ClaimedRun(run.id, run.thread_id, None)
    owner_alive = run.heartbeat_at is not None and now - run.heartbeat_at < stale_after
    if run.flow_run_id != flow_run_id and owner_alive:
        return ActiveRun(run.id, run.flow_run_id, run.status, run.heartbeat_at)
    previous = run.flow_run_id if run.flow_run_id != flow_run_id else None
    run.flow_run_id = flow_run_id
    run.status = "running"
    run.heartbeat_at = now
    return ClaimedRun(run.id, run.thread_id, previous)


def record_heartbeat(session: Session, run_id: uuid.UUID, flow_run_id: uuid.UUID | None) -> bool:
    """Mark the run alive now; False when `flow_run_id` no longer drives it (taken over)."""
    changed = session.execute(
        update(MaintenanceRun)
        .where(
            MaintenanceRun.id == run_id,
            MaintenanceRun.flow_run_id == flow_run_id,
            MaintenanceRun.status.in_(UNFINISHED),
        )
        .values(heartbeat_at=utcnow())
    ).rowcount
    return changed == 1


def set_run_status(
    session: Session, run_id: uuid.UUID, flow_run_id: uuid.UUID | None, status: str
) -> None:
    """Move the run to `status`, provided `flow_run_id` still drives it (else RunTakenOver)."""
    values: dict[str, Any] = {"status": status}
    if status in ("finished", "failed"):
        values["finished_at"] = utcnow()
    changed = session.execute(
        update(MaintenanceRun)
        .where(MaintenanceRun.id == run_id, MaintenanceRun.flow_run_id == flow_run_id)
        .values(**values)
    ).rowcount
    if changed == 0:
        raise RunTakenOver(
            f"maintenance run {run_id} is driven by another flow run now; this one stops"
        )
