"""The capacity forecast with an FTA whose trends fail and one whose forecast fails: each is that
FTA's error (an alert), the others are forecast, and the run says it is partial."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

import tasks.capacity
from flows.capacity_forecast import capacity_forecast
from resync.db.engine import session_scope
from resync.db.models import Alert, CapacityForecast
from tests.support.capacity_data import history_frame, now_hour, store_history

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture
def estate(database_url: str) -> None:
    end = now_hour() - timedelta(minutes=5)
    store_history(history_frame("FTA-FILL", 14, end, disk_start=60, disk_per_day=1.0))
    store_history(history_frame("FTA-TREND", 14, end, seed=1))
    store_history(history_frame("FTA-MODEL", 14, end, seed=2))


def test_failing_ftas_are_left_out_and_named(estate: None, monkeypatch) -> None:
    trend_row, forecast = tasks.capacity.trend_row, tasks.capacity.forecast_workstations

    def trend_failing_on_one_fta(workstation, *arguments):
        if workstation == "FTA-TREND":
            raise ZeroDivisionError("float division by zero")
        return trend_row(workstation, *arguments)

    def forecast_failing_on_one_fta(hourly, *arguments):
        if "FTA-MODEL" in set(hourly["workstation"]):
            raise MemoryError("forecast of FTA-MODEL")
        return forecast(hourly, *arguments)

    monkeypatch.setattr(tasks.capacity, "trend_row", trend_failing_on_one_fta)
    monkeypatch.setattr(tasks.capacity, "forecast_workstations", forecast_failing_on_one_fta)

    result = capacity_forecast(resources=["disk"])

    assert result["partial"] is True
    assert result["fta_errors"] == {
        "FTA-TREND": "ZeroDivisionError: float division by zero",
        "FTA-MODEL": "MemoryError: forecast of FTA-MODEL",
    }
    with session_scope() as session:
        rows = {
            row.workstation: row
            for row in session.scalars(
                select(CapacityForecast).where(
                    CapacityForecast.run_id == uuid.UUID(result["run_id"])
                )
            )
        }
        alerts = {
            alert.workstation: alert.rule
            for alert in session.scalars(select(Alert).where(Alert.resolved_at.is_(None)))
        }
    assert set(rows) == {"FTA-FILL", "FTA-MODEL"}
    assert rows["FTA-FILL"].model is not None and rows["FTA-FILL"].saturation_date is not None
    assert rows["FTA-MODEL"].model is None
    assert alerts == {
        "FTA-TREND": "capacity_forecast_failed",
        "FTA-MODEL": "capacity_forecast_failed",
    }
