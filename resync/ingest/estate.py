"""The estate as the API reads it: one FTA's history, and every FTA with its last sample."""

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from resync.db.models import Workstation, WorkstationMetrics


def read_samples(
    session: Session,
    workstation: str,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> tuple[list[WorkstationMetrics], int]:
    """Up to `limit` samples of `workstation`, newest first, and how many are in the range."""
    conditions = [WorkstationMetrics.workstation == workstation]
    if since is not None:
        conditions.append(WorkstationMetrics.sample_time >= since)
    if until is not None:
        conditions.append(WorkstationMetrics.sample_time <= until)
    count = session.scalar(select(func.count()).select_from(WorkstationMetrics).where(*conditions))
    rows = session.scalars(
        select(WorkstationMetrics)
        .where(*conditions)
        .order_by(WorkstationMetrics.sample_time.desc())
        .limit(limit)
    )
    return list(rows), count or 0


def workstations_with_last_sample(
    session: Session,
) -> list[tuple[Workstation, WorkstationMetrics | None]]:
    """Every FTA that has reported, by name, with its last sample (None if history lost it)."""
    rows = session.execute(
        select(Workstation, WorkstationMetrics)
        .outerjoin(
            WorkstationMetrics,
            and_(
                WorkstationMetrics.workstation == Workstation.name,
                WorkstationMetrics.sample_time == Workstation.last_sample_at,
            ),
        )
        .order_by(Workstation.name)
    ).all()
    return [(workstation, last) for workstation, last in rows]
