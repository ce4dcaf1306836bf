"""The capacity-forecast flow end to end on both backends, with a real Prefect API."""

import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from prefect.exceptions import ParameterTypeError
from prefect.utilities.templating import apply_values
from sqlalchemy import select

from flows.capacity_forecast import capacity_forecast
from flows.report_generation import report_generation
from resync.capacity.scope import ImpossibleForecastRequest
from resync.db.engine import session_scope
from resync.db.models import CapacityForecast, CapacityForecastRun, Report
from resync.settings import get_settings
from resync.stack import deployment_settings
from tests.support.capacity_data import history_frame, now_hour, store_history, store_hourly_jobs
from tests.support.fake_anthropic import FakeAnthropic

HOST = {"cpu_count": 8, "memory_total_mb": 32768, "disk_total_gb": 500}
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def estate(database_url: str) -> None:
    end = now_hour() - timedelta(minutes=5)
    # Disk from 60 % growing a point a day: 74 % now, so 90 % in about 16 days.
    store_history(history_frame("FTA-FILL", 14, end, disk_start=60, disk_per_day=1.0), HOST)
    store_history(history_frame("FTA-FLAT", 14, end, seed=1))
    store_history(history_frame("FTA-NEW", 3, end, seed=2))
    store_hourly_jobs("FTA-FLAT", 14, end)


def run_rows(run_id: str) -> tuple[CapacityForecastRun, dict[tuple[str, str], CapacityForecast]]:
    with session_scope() as session:
        run = session.get(CapacityForecastRun, uuid.UUID(run_id))
        rows = session.scalars(select(CapacityForecast).where(CapacityForecast.run_id == run.id))
        return run, {(row.workstation, row.resource): row for row in rows}


def artifacts(flow_run_id: uuid.UUID) -> dict[str, object]:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {artifact.key: artifact.data for artifact in found}


def test_flow_forecasts_dates_and_sizes_every_fta(estate: None, prefect_api: None) -> None:
    state = capacity_forecast(return_state=True)
    result = state.result()

    assert result["workstations"] == 3
    assert result["analyst"] == "deterministic"
    run, rows = run_rows(result["run_id"])
    assert run.flow_run_id == state.state_details.flow_run_id
    assert run.finished_at is not None
    assert run.analyst == "deterministic"
    assert run.analyst_note == "Written by the deterministic analyst: ANTHROPIC_API_KEY is not set."
    assert "FTA-FILL disk (likely): order by " in run.insight
    assert {resource for (name, resource) in rows if name == "FTA-FLAT"} == {
        "cpu", "memory", "disk", "latency", "workload"
    }  # fmt: skip
    assert rows["FTA-FLAT", "workload"].current_value == pytest.approx(24, abs=1)
    # Three days of seven: provisional estimates, with when a full forecast becomes possible.
    assert all(rows["FTA-NEW", r].status == "provisional" for r in ("cpu", "disk"))
    assert rows["FTA-NEW", "disk"].full_forecast_at is not None
    assert rows["FTA-NEW", "latency"].status == "insufficient_data"
    filling = rows["FTA-FILL", "disk"]
    assert filling.status == "forecast"
    assert filling.crossing_probability >= 0.66 and filling.risk == "likely"
    assert 13 <= filling.days_to_saturation <= 19
    assert filling.order_by_date == filling.saturation_date - timedelta(days=30)
    assert filling.recommendation["unit"] == "GB"
    assert filling.series["history"] and filling.series["forecast"]
    assert rows["FTA-FLAT", "disk"].saturation_date is None
    assert rows["FTA-FLAT", "disk"].series is None
    assert rows["FTA-FLAT", "disk"].risk is None
    # The band backtested on each series' last week: a flat disk stays inside it.
    assert rows["FTA-FLAT", "disk"].band_coverage >= 5 / 7
    assert 0.0 <= filling.band_coverage <= 1.0
    assert rows["FTA-NEW", "disk"].band_coverage is None
    assert rows["FTA-FLAT", "latency"].band_coverage is None

    published = artifacts(state.state_details.flow_run_id)
    assert "FTA-FILL disk (likely): order by " in published["capacity-forecast-summary"]
    assert "Analyst: deterministic" in published["capacity-forecast-summary"]
    assert '"workstation": "FTA-FILL"' in published["capacity-at-risk"]
    assert '"risk": "likely"' in published["capacity-at-risk"]
    assert "| likely saturations | possible (watched) |" in published["capacity-forecast-summary"]
    assert "Risk levels: likely: a crossing" in published["capacity-forecast-summary"]
    with session_scope() as session:
        report = session.get(Report, uuid.UUID(result["report_id"]))
        assert report.capacity_run_id == run.id


def test_claude_writes_the_insight_when_a_key_is_set(
    estate: None, prefect_api: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeAnthropic() as fake:
        fake.reply_json({"paragraph": "FTA-FILL's disk is the estate's only risk this quarter."})
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key")
        monkeypatch.setenv("RESYNC_ANTHROPIC_BASE_URL", fake.url)
        get_settings.cache_clear()
        try:
            result = capacity_forecast(workstations=["FTA-FILL"], resources=["disk"])
        finally:
            get_settings.cache_clear()
    run, _ = run_rows(result["run_id"])
    assert (run.analyst, run.analyst_note) == ("claude-sonnet-4-6", None)
    assert run.insight == "FTA-FILL's disk is the estate's only risk this quarter."
    [request] = fake.requests
    data = json.loads(request["messages"][0]["content"])
    assert data["at_risk"][0]["workstation"] == "FTA-FILL"
    assert (data["likely"], data["at_risk"][0]["risk"]) == (1, "likely")


def test_a_narrow_run_is_kept_apart_from_the_estate_view(estate: None, prefect_api: None) -> None:
    estate_run = capacity_forecast()
    result = capacity_forecast(
        workstations=["fta-fill"], resources=["disk"], history_days=7, horizon_days=10
    )
    run, rows = run_rows(result["run_id"])
    assert (run.history_days, run.horizon_days, run.workstation_count) == (7, 10, 1)
    assert (run.scope, run.workstation_filter, run.resources) == ("partial", ["FTA-FILL"], ["disk"])
    assert list(rows) == [("FTA-FILL", "disk")]
    # 16 days away: beyond a 10-day horizon, so no expected crossing.
    assert rows["FTA-FILL", "disk"].saturation_date is None
    with session_scope() as session:
        narrow = session.get(Report, uuid.UUID(result["report_id"]))
        assert narrow.title.startswith("Capacity report ")
        assert f"partial: FTA-FILL; disk; 7-day history · run {result['run_id'][:8]}" in (
            narrow.title
        )
        assert narrow.summary["scope"].startswith("partial")
    # The daily report (no run named) still shows the estate run, not the narrow one.
    daily = report_generation()
    with session_scope() as session:
        report = session.get(Report, daily)
        assert report.capacity_run_id == uuid.UUID(estate_run["run_id"])
        assert f"· estate · run {estate_run['run_id'][:8]}" in report.title


def test_impossible_requests_are_refused_before_the_run_starts(
    estate: None, prefect_api: None
) -> None:
    with pytest.raises(ImpossibleForecastRequest, match="no samples in the last 30 days for "
                       "FTA-GONE: name FTAs that report metrics"):  # fmt: skip
        capacity_forecast(workstations=["FTA-FILL", "FTA-GONE"])
    with pytest.raises(ImpossibleForecastRequest, match="history_days=1 is below the 7 days"):
        capacity_forecast(history_days=1)
    with session_scope() as session:
        assert session.scalars(select(CapacityForecastRun)).first() is None


def test_bad_parameters_are_refused_before_anything_is_written(
    estate: None, prefect_api: None
) -> None:
    with pytest.raises(ParameterTypeError, match="history_days"):
        capacity_forecast(history_days=0)
    with pytest.raises(ParameterTypeError, match="resources"):
        capacity_forecast(resources=["gpu"])
    with session_scope() as session:
        assert session.scalars(select(CapacityForecastRun)).first() is None


def test_deployment_runs_sunday_0100_in_the_configured_time_zone(
    monkeypatch: pytest.MonkeyPatch, prefect_api: None
) -> None:
    # The build step also saves the database connection block, on the session's Prefect server.
    document = yaml.safe_load((PROJECT / "prefect.yaml").read_text())
    [deployment] = [d for d in document["deployments"] if d["name"] == "capacity-forecast"]
    assert deployment["entrypoint"] == "flows/capacity_forecast.py:capacity_forecast"
    # `prefect deploy`'s build step reads the setting; its output fills {{ resync.… }}.
    assert document["build"] == [{"resync.stack.deployment_settings": {"id": "resync"}}]
    monkeypatch.setenv("RESYNC_CAPACITY_SCHEDULE_TIMEZONE", "Europe/Paris")
    monkeypatch.chdir(PROJECT)
    get_settings.cache_clear()
    try:
        outputs = deployment_settings()
    finally:
        get_settings.cache_clear()
    [schedule] = apply_values(deployment, {"resync": outputs})["schedules"]
    assert schedule == {"cron": "0 1 * * 0", "timezone": "Europe/Paris"}
