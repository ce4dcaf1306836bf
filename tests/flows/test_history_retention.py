"""The history-retention flow on both backends with a real Prefect API: two daily runs forty days
apart summarise what passed the raw window, expire what passed the retention and, on
PostgreSQL, make month partitions ahead and drop the expired ones whole."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from sqlalchemy import func, insert, select

from flows.history_retention import history_retention
from resync.db.engine import get_engine
from resync.db.models import WorkstationMetrics, WorkstationMetricsHourly
from resync.ingest.partitions import month_partitions
from resync.settings import get_settings

pytestmark = pytest.mark.usefixtures("prefect_api")

PROJECT = Path(__file__).resolve().parents[2]
HOURLY = WorkstationMetricsHourly.__table__
NOW = datetime(2026, 12, 7, 12, 17, tzinfo=UTC)
FIRST = datetime(2026, 8, 20, tzinfo=UTC)


def hourly_samples() -> list[dict]:
    """One sample an hour of two FTAs from FIRST to NOW (the flow does not care how dense)."""
    hours = int((NOW - FIRST).total_seconds() // 3600)
    return [
        {
            "workstation": workstation,
            "sample_time": FIRST + timedelta(hours=hour, minutes=10),
            "inbox_id": hour,
            "cpu_percent": float(hour % 100),
            "packet_loss_percent": 0.0,
            "tcp_connectivity": 1,
        }
        for workstation in ("FTA01", "FTA02")
        for hour in range(hours)
    ]


def artifact(flow_run_id) -> str:
    with get_client(sync_client=True) as client:
        [found] = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return found.data


def test_daily_runs_summarise_then_expire_history(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = get_engine()
    samples = hourly_samples()
    with engine.begin() as connection:
        connection.execute(insert(WorkstationMetrics), samples)
    postgresql = engine.dialect.name == "postgresql"

    first = history_retention(now=NOW - timedelta(days=40))
    # Raw cutoff 2026-09-23 12:00: Aug 20 00:00 … Sep 23 11:00 summarised, 34 days and 12 hours.
    assert first["samples_summarised"] == first["hours_written"] == 2 * (34 * 24 + 12)
    assert first["summaries_deleted"] == 0
    if postgresql:
        with engine.connect() as connection:
            made = sorted(month_partitions(connection, "workstation_metrics_history"))
        assert [f"{month:%Y-%m}" for month in made[:3]] == ["2026-09", "2026-10", "2026-11"]

    monkeypatch.setenv("RESYNC_RETENTION_DAYS", "60")
    get_settings.cache_clear()
    state = history_retention(now=NOW, return_state=True)
    second = state.result()
    # Raw cutoff 2026-11-02 12:00; summaries kept from 2026-10-08 12:00.
    assert second["samples_summarised"] == 2 * (40 * 24)
    with engine.connect() as connection:
        raw_oldest = connection.scalar(select(func.min(WorkstationMetrics.sample_time)))
        summary_hours = connection.execute(
            select(func.min(HOURLY.c.hour), func.sum(HOURLY.c.samples))
        ).one()
        raw_rows = connection.scalar(select(func.count()).select_from(WorkstationMetrics))
    assert raw_oldest == datetime(2026, 11, 2, 12, 10, tzinfo=UTC)
    assert summary_hours[0] == datetime(2026, 10, 8, 12, tzinfo=UTC)
    kept = [s for s in samples if s["sample_time"] >= summary_hours[0]]
    assert summary_hours[1] + raw_rows == len(kept)
    expired_hours = 2 * int((summary_hours[0] - FIRST) / timedelta(hours=1))
    dropped_with_september = 2 * 30 * 24 if postgresql else 0
    assert second["summaries_deleted"] == expired_hours - dropped_with_september
    if postgresql:
        assert second["partitions_dropped"] == 3  # raw Sep and Oct, summaries of Sep
        with engine.connect() as connection:
            raw = month_partitions(connection, "workstation_metrics_history")
            hourly = month_partitions(connection, "workstation_metrics_hourly")
        assert min(raw) == datetime(2026, 11, 1, tzinfo=UTC)
        assert min(hourly) == datetime(2026, 10, 1, tzinfo=UTC)
    else:
        assert second["partitions_dropped"] == 0
    report = artifact(state.state_details.flow_run_id)
    assert f"| samples_summarised | {second['samples_summarised']} |" in report


def test_deployment_runs_daily_at_0030_utc() -> None:
    document = yaml.safe_load((PROJECT / "prefect.yaml").read_text())
    [deployment] = [d for d in document["deployments"] if d["name"] == "history-retention"]
    assert deployment["entrypoint"] == "flows/history_retention.py:history_retention"
    assert deployment["schedules"] == [{"cron": "30 0 * * *", "timezone": "UTC"}]
    assert deployment["concurrency_limit"] == 1
