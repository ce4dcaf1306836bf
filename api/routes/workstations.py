"""The estate at a glance: every FTA with its last sample, status and open alerts."""

from datetime import UTC, datetime, timedelta
from typing import Literal

from fastapi import APIRouter, Request

from api.deps import MetricsReadKey, SessionDep
from resync.alerts.schemas import OpenAlertPublic
from resync.alerts.store import open_alerts_by_workstation
from resync.db.models import Alert
from resync.ingest.estate import workstations_with_last_sample
from resync.ingest.schemas import MetricsSample, WorkstationPublic, WorkstationsPublic

router = APIRouter(prefix="/api/v1/workstations", tags=["workstations"])


def workstation_status(
    last_sample_at: datetime, alerts: list[Alert], now: datetime, silent_after: timedelta
) -> Literal["ok", "warning", "critical", "silent"]:
    if now - last_sample_at > silent_after:
        return "silent"
    severities = {alert.severity for alert in alerts}
    if "critical" in severities:
        return "critical"
    return "warning" if severities else "ok"


@router.get("")
def read_workstations(
    session: SessionDep, _key: MetricsReadKey, request: Request
) -> WorkstationsPublic:
    """Every FTA that has reported, with its last sample, status and open alerts."""
    settings = request.app.state.settings
    silent_after = timedelta(
        seconds=settings.collector_interval_seconds * settings.silent_after_intervals
    )
    rows = workstations_with_last_sample(session)
    alerts_by_workstation = open_alerts_by_workstation(session)
    now = datetime.now(UTC)
    data = []
    for workstation, last in rows:
        alerts = alerts_by_workstation.get(workstation.name, [])
        data.append(
            WorkstationPublic(
                name=workstation.name,
                status=workstation_status(workstation.last_sample_at, alerts, now, silent_after),
                first_seen_at=workstation.first_seen_at,
                last_sample_at=workstation.last_sample_at,
                last_sample=MetricsSample.of(last) if last is not None else None,
                host=workstation.host,
                tws=workstation.tws,
                master_link=workstation.master_link,
                open_alerts=[
                    OpenAlertPublic.model_validate(a, from_attributes=True) for a in alerts
                ],
            )
        )
    return WorkstationsPublic(data=data, count=len(data))
