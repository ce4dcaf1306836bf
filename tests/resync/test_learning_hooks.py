"""Learned parameters act where they apply: alerts, maintenance confidence, capacity models."""

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from sqlalchemy import select

from resync.alerts.rules import evaluate_alert_rules, lookback_samples
from resync.db.engine import session_scope
from resync.db.models import Alert, CapacityForecast
from resync.learning.changes import Proposal
from resync.learning.store import record_changes, revert_change
from resync.settings import Settings
from tasks.alerts import evaluate_alerts
from tasks.capacity import analyze_metric_trends, forecast_metric_series, open_forecast_run
from tasks.maintenance import predict_failures
from tests.support.capacity_data import history_frame, store_history


def learned(change_type: str, target: str, parameters: dict) -> int:
    proposal = Proposal(change_type, target, None, parameters, "score", 1.0, 0.5, 10, True, "")
    with session_scope() as session:
        [change_id] = record_changes(session, [proposal], None)
    return change_id


def open_alerts() -> set[tuple[str, str]]:
    with session_scope() as session:
        alerts = session.scalars(select(Alert).where(Alert.resolved_at.is_(None)))
        return {(alert.workstation, alert.rule) for alert in alerts}


def cpu_frame(workstation: str, end: datetime) -> pl.DataFrame:
    """Two hours of samples, the last four with CPU at 97 %."""
    frame = history_frame(workstation, 2 / 24, end)
    cpu = [40.0] * (frame.height - 4) + [97.0] * 4
    return frame.with_columns(cpu_percent=pl.Series(cpu))


def test_rules_use_the_learned_override_for_its_fta_only() -> None:
    end = datetime(2026, 6, 1, tzinfo=UTC)
    recent = pl.concat([cpu_frame("WS-A", end), cpu_frame("WS-B", end)])
    settings = Settings()
    overrides = {("cpu_saturation", "WS-A"): {"threshold": 95.0, "samples": 5}}
    firing = {(a.workstation, a.rule) for a in evaluate_alert_rules(recent, settings)}
    assert firing == {("WS-A", "cpu_saturation"), ("WS-B", "cpu_saturation")}
    [tuned] = evaluate_alert_rules(recent, settings, overrides)
    assert (tuned.workstation, tuned.rule) == ("WS-B", "cpu_saturation")
    higher = {("cpu_saturation", "WS-A"): {"threshold": 96.0, "samples": 4}}
    [message] = [
        a.message for a in evaluate_alert_rules(recent, settings, higher) if a.workstation == "WS-A"
    ]
    assert message == "CPU above 96 % for 4 samples (now 97.0 %)"
    assert lookback_samples(settings, overrides) == 5
    assert lookback_samples(settings) == 3


def test_alert_evaluation_reads_the_override_in_force(database_url: str) -> None:
    end = datetime.now(UTC).replace(microsecond=0)
    store_history(cpu_frame("WS-A", end))
    store_history(cpu_frame("WS-B", end))
    change = learned("alert_rule", "cpu_saturation/WS-A", {"threshold": 95.0, "samples": 5})

    evaluate_alerts.fn()
    assert open_alerts() == {("WS-B", "cpu_saturation")}

    with session_scope() as session:
        revert_change(session, change)
    evaluate_alerts.fn()
    assert open_alerts() == {("WS-A", "cpu_saturation"), ("WS-B", "cpu_saturation")}


def degradation(now: datetime) -> dict:
    """A disk 2 points a day from 70 % (peak 71 %): full in about 9.5 days, near-certain."""
    return {
        "workstation": "FTA1",
        "kind": "disk_filling",
        "resource": "disk_percent",
        "statistic": "slope_per_day",
        "value": 2.0,
        "window": {"start": (now - timedelta(days=14)).isoformat(), "end": now.isoformat()},
        "detail": {
            "slope_stderr_per_day": 0.1,
            "level_now": 70.0,
            "daily_peak_excess": 1.0,
            "r_squared": 0.95,
        },
    }


@pytest.mark.usefixtures("outside_runs")
def test_maintenance_confidence_is_calibrated_by_the_calibrator_in_force(
    database_url: str,
) -> None:
    now = datetime.now(UTC)
    [raw] = predict_failures.fn(now.isoformat(), [degradation(now)], [])
    assert raw["confidence"] > 0.99
    assert "raw_confidence" not in raw["evidence"]

    learned("calibration", "disk_filling", {"x": [0.0, 1.0], "y": [0.0, 0.4]})
    learned("calibration", "memory_leak", {"x": [0.0, 1.0], "y": [0.0, 0.1]})
    [calibrated] = predict_failures.fn(now.isoformat(), [degradation(now)], [])
    assert calibrated["confidence"] == pytest.approx(0.4 * raw["confidence"], abs=1e-4)
    assert calibrated["evidence"]["raw_confidence"] == raw["confidence"]


def test_capacity_forecast_uses_the_learned_model_for_its_series(database_url: str) -> None:
    end = datetime.now(UTC).replace(microsecond=0)
    store_history(history_frame("FTA-PREF", 14, end, disk_start=60, disk_per_day=1.0))
    store_history(history_frame("FTA-OTHER", 14, end, disk_start=60, disk_per_day=1.0, seed=1))
    learned("forecast_model", "FTA-PREF/disk", {"model": "seasonal_naive"})
    run = open_forecast_run.fn(30, 90, ["FTA-PREF", "FTA-OTHER"], ["disk"])
    window = (run["run_id"], run["window_start"], run["as_of"], ["FTA-PREF", "FTA-OTHER"], ["disk"])
    analyze_metric_trends.fn(*window)
    forecast_metric_series.fn(*window, 90)

    with session_scope() as session:
        models = dict(
            session.execute(select(CapacityForecast.workstation, CapacityForecast.model)).all()
        )
    # A growing disk: left to itself the forecaster picks a trend model, not seasonal-naive.
    assert set(models) == {"FTA-PREF", "FTA-OTHER"}
    assert models["FTA-PREF"] == "seasonal_naive"
    assert models["FTA-OTHER"] != "seasonal_naive"
