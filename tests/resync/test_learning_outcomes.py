"""Outcomes of past predictions judged on hourly levels of metrics history."""

from datetime import UTC, datetime, timedelta

import polars as pl

from resync.learning.outcomes import hourly_levels, judge_outcomes

START = datetime(2026, 3, 1, tzinfo=UTC)


def samples(workstation: str, disk: list[float]) -> pl.DataFrame:
    """One sample every 5 minutes."""
    return pl.DataFrame(
        {
            "workstation": workstation,
            "sample_time": [START + timedelta(minutes=5 * i) for i in range(len(disk))],
            "disk_percent": disk,
            "memory_percent": [50.0] * len(disk),
        }
    )


def prediction(subject: str, workstation: str, due_hours: int) -> dict:
    return {
        "subject_id": subject,
        "workstation": workstation,
        "resource": "disk_percent",
        "predicted_at": START,
        "due_at": START + timedelta(hours=due_hours),
        "threshold": 90.0,
    }


def test_hourly_levels_are_means_per_hour_long_form() -> None:
    levels = hourly_levels(samples("WS1", [80.0] * 6 + [100.0] * 6), ["disk_percent", "cpu"])
    assert levels.columns == ["workstation", "resource", "hour", "value"]
    assert levels.filter(pl.col("resource") == "disk_percent")["value"].to_list() == [90.0]
    assert set(levels["resource"]) == {"disk_percent"}
    assert hourly_levels(pl.DataFrame(), ["disk_percent"]).is_empty()


def test_a_spike_is_not_a_full_disk_a_full_hour_is() -> None:
    spike = [60.0] * 12 + [99.0] + [60.0] * 11 + [95.0] * 12
    levels = hourly_levels(
        pl.concat([samples("SPIKE", spike), samples("QUIET", [60.0] * 36)]), ["disk_percent"]
    )
    predictions = pl.DataFrame(
        [
            prediction("spike-by-2h", "SPIKE", 2),
            prediction("spike-by-3h", "SPIKE", 3),
            prediction("quiet", "QUIET", 3),
            prediction("no-samples", "ELSEWHERE", 3),
        ]
    )
    judged = {row["subject_id"]: row for row in judge_outcomes(predictions, levels).to_dicts()}
    assert set(judged) == {"spike-by-2h", "spike-by-3h", "quiet"}
    assert judged["spike-by-2h"]["happened"] is False
    assert judged["spike-by-2h"]["observed_peak"] < 65
    assert judged["spike-by-3h"]["happened"] is True
    assert judged["spike-by-3h"]["observed_peak"] == 95.0
    assert judged["quiet"]["happened"] is False


def test_nothing_due_judges_nothing() -> None:
    empty = pl.DataFrame(schema={"subject_id": pl.String, "threshold": pl.Float64})
    judged = judge_outcomes(empty, pl.DataFrame())
    assert judged.is_empty()
    assert {"observed_peak", "happened"} <= set(judged.columns)
