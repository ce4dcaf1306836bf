"""The capacity-forecast flow end to end on both backends, with a real Prefect API."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from flows.capacity_forecast import capacity_forecast
from resync.database import session_scope
from resync.models import CapacityForecast, CapacityForecastRun
from tests.support.capacity_data import history_frame, now_hour, store_daily_jobs, store_history

HOST = {"cpu_count": 8, "memory_total_mb": 32768, "disk_total_gb": 500}


def test_flow_forecasts_dates_and_sizes_every_fta(database_url: str, prefect_api: None) -> None:
    end = now_hour() - timedelta(minutes=5)
    # Disk from 60 % growing a point a day: 74 % now, so 90 % in about 16 days.
    store_history(history_frame("FTA-FILL", 14, end, disk_start=60, disk_per_day=1.0), HOST)
    store_history(history_frame("FTA-FLAT", 14, end, seed=1))
    store_history(history_frame("FTA-NEW", 3, end, seed=2))
    store_daily_jobs("FTA-FLAT", 14, end, per_day=24)

    result = capacity_forecast()

    assert result["workstations"] == 3
    assert result["analyst"] == "deterministic"
    with session_scope() as session:
        run = session.get(CapacityForecastRun, uuid.UUID(result["run_id"]))
        rows = {
            (row.workstation, row.resource): row
            for row in session.scalars(
                select(CapacityForecast).where(CapacityForecast.run_id == run.id)
            )
        }
    assert run.finished_at is not None
    assert run.analyst == "deterministic"
    assert run.analyst_note == "Written by the deterministic analyst: ANTHROPIC_API_KEY is not set."
    assert "FTA-FILL disk saturates on" in run.insight
    assert {r for (w, r) in rows if w == "FTA-FLAT"} == {
        "cpu",
        "memory",
        "disk",
        "latency",
        "workload",
    }
    assert all(rows["FTA-NEW", r].status == "insufficient_data" for r in ("cpu", "disk"))
    filling = rows["FTA-FILL", "disk"]
    assert filling.status == "forecast"
    assert 13 <= filling.days_to_saturation <= 19
    assert filling.order_by_date == filling.saturation_date - timedelta(days=30)
    assert filling.recommendation["unit"] == "GB"
    assert filling.series["history"] and filling.series["forecast"]
    assert rows["FTA-FLAT", "disk"].saturation_date is None
    assert rows["FTA-FLAT", "disk"].series is None
