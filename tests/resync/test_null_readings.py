"""A reading an FTA could not take (null) is missing to the alert rules and the forecasts."""

from datetime import UTC, datetime, timedelta

import polars as pl

from resync.alerts.rules import evaluate_alert_rules
from resync.capacity.series import hourly_series
from resync.settings import get_settings

START = datetime(2026, 12, 1, tzinfo=UTC)


def samples(memory: list[float | None]) -> pl.DataFrame:
    """One FTA's samples, oldest first, five minutes apart; every other metric healthy."""
    count = len(memory)
    return pl.DataFrame(
        {
            "workstation": ["FTA1"] * count,
            "sample_time": [START + timedelta(minutes=5 * i) for i in range(count)],
            "cpu_percent": [10.0] * count,
            "memory_percent": memory,
            "disk_percent": [50.0] * count,
            "tcp_connectivity": [1] * count,
            "packet_loss_percent": [0.0] * count,
        }
    )


def test_null_readings_between_saturated_ones_do_not_break_the_run_of_samples():
    settings = get_settings()
    needed = settings.saturation_sustained_samples
    memory: list[float | None] = []
    for _ in range(needed):
        memory += [99.0, None]
    [alert] = evaluate_alert_rules(samples(memory[:-1] + [None]), settings)
    assert (alert.rule, alert.value) == ("memory_saturation", 99.0)
    assert "(now 99.0 %)" in alert.message


def test_null_readings_alone_fire_nothing():
    settings = get_settings()
    assert evaluate_alert_rules(samples([None] * 10), settings) == []


def test_null_readings_are_left_out_of_the_forecast_series_never_zero():
    frame = pl.DataFrame(
        {
            "sample_time": [START + timedelta(hours=i) for i in range(4)],
            "memory": [60.0, None, 62.0, None],
        }
    )
    series = hourly_series(frame, "memory")
    assert series["value"].to_list() == [60.0, 62.0]
