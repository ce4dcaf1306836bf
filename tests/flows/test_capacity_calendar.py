"""The capacity flow reads more than its 30-day window to learn month-end peaks, on both
backends: a CPU that peaks at every month end beside the FTA's month-end job stream."""

import uuid
from datetime import timedelta

import polars as pl
from sqlalchemy import insert, select

from flows.capacity_forecast import capacity_forecast
from resync.capacity.forecasting.calendar import calendar_days
from resync.db.engine import get_engine, session_scope
from resync.db.models import CapacityForecast, JobExecution, Report
from tests.support.capacity_data import history_frame, now_hour, store_history

DAYS = 75


def month_end_jobs(workstation: str, end) -> list[dict]:
    """A daily job all along, and a month-end stream of ten jobs on each month's last day."""
    rows = []
    for day in range(DAYS):
        started = (end - timedelta(days=day)).replace(hour=2, minute=0)
        last_day = calendar_days(pl.Series([started]))[0] == 1
        for number in range(10 if last_day else 1):
            rows.append(
                {
                    "workstation": workstation,
                    "job_stream": "MONTHEND" if last_day else "DAILY",
                    "job_name": f"JOB{number}",
                    "run_id": f"{workstation}-{day}-{number}",
                    "status": "SUCC",
                    "return_code": 0,
                    "started_at": started,
                    "ended_at": started + timedelta(minutes=5),
                    "duration": 300.0,
                }
            )
    return rows


def test_month_end_peaks_are_learned_from_the_longer_history(
    database_url: str, prefect_api: None
) -> None:
    end = now_hour() - timedelta(minutes=5)
    frame = history_frame("FTA-MONTH", DAYS, end, seed=3)
    month_end = pl.Series(calendar_days(frame["sample_time"]) == 1)
    store_history(
        frame.with_columns(
            cpu_percent=pl.when(month_end)
            .then((pl.col("cpu_percent") + 50).clip(0, 100))
            .otherwise(pl.col("cpu_percent"))
        )
    )
    store_history(history_frame("FTA-FLAT", 14, end, seed=1))
    with get_engine().begin() as connection:
        connection.execute(insert(JobExecution), month_end_jobs("FTA-MONTH", end))

    result = capacity_forecast(resources=["cpu", "memory"])

    with session_scope() as session:
        rows = {
            (row.workstation, row.resource): row
            for row in session.scalars(
                select(CapacityForecast).where(
                    CapacityForecast.run_id == uuid.UUID(result["run_id"])
                )
            )
        }
        html = session.get(Report, uuid.UUID(result["report_id"])).html
    month = rows["FTA-MONTH", "cpu"]
    assert month.history_days <= 30  # the models fit the run's window
    assert month.calendar["days"] == ["last day of the month"]
    assert month.calendar["history_days"] > 70
    assert rows["FTA-MONTH", "memory"].calendar is None
    assert rows["FTA-FLAT", "cpu"].calendar is None
    assert "every model is fitted to the last 30 days of its series" in html
    assert "FTA-MONTH · CPU: last day of the month, learned from" in html
