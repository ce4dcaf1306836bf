"""Pure capacity planning on small polars frames: trends, forecast rows, dates, sizing and its
price sheet, insight."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from pydantic import ValidationError

from resync.capacity.insight import deterministic_insight
from resync.capacity.planning import assess_saturation, projected_peak, recommend, size_scaling
from resync.capacity.risk import risk_level
from resync.capacity.series import (
    daily_series,
    forecast_row,
    forecast_workstations,
    trailing_day_job_counts,
    trend_row,
)
from resync.settings import Settings

SETTINGS = Settings(anthropic_api_key=None)
START = datetime(2026, 10, 1, tzinfo=UTC)


def hourly(values: np.ndarray) -> pl.DataFrame:
    times = [START + timedelta(hours=index) for index in range(values.size)]
    return pl.DataFrame({"sample_time": times, "value": values.astype(float)})


def growing(days: int, start: float, per_day: float) -> np.ndarray:
    steps = np.arange(days * 24)
    return start + per_day * steps / 24 + 2 * np.sin(2 * np.pi * steps / 24)


def test_daily_series_takes_peaks_for_cpu_and_means_for_disk() -> None:
    frame = hourly(np.array([1.0] * 23 + [49.0]))
    assert daily_series(frame, "cpu")["value"].to_list() == [49.0]
    assert daily_series(frame, "disk")["value"].to_list() == [3.0]


def test_trend_row_fits_a_line_to_daily_values() -> None:
    row = trend_row("FTA1", "disk", hourly(growing(10, 50, 0.5)), SETTINGS)
    assert row["status"] == "forecast"
    assert row["threshold"] == 90.0
    assert row["trend_per_day"] == pytest.approx(0.5, abs=0.01)
    assert row["r_squared"] > 0.99
    assert row["current_value"] == pytest.approx(50 + 0.5 * (9 * 24 + 11.5) / 24, abs=0.05)


def test_trend_row_says_provisional_then_too_little_data() -> None:
    row = trend_row("FTA1", "cpu", hourly(growing(3, 50, 0)), SETTINGS)
    assert row["status"] == "provisional" and row["history_days"] == 3
    assert row["current_value"] is not None
    assert trend_row("FTA1", "cpu", hourly(growing(1, 50, 0)), SETTINGS)["status"] == (
        "insufficient_data"
    )
    assert trend_row("FTA1", "latency", hourly(growing(3, 5, 0)), SETTINGS)["status"] == (
        "insufficient_data"
    )


def test_forecast_row_of_a_filling_disk_has_dates_and_its_series() -> None:
    row = forecast_row("FTA1", "disk", hourly(growing(14, 70, 1.0)), SETTINGS)
    assert row["status"] == "forecast"
    assert row["model"] and row["mase"] > 0
    # 84 % at the end of the history, a point a day: 90 % in about 6 days.
    end = START + timedelta(days=14)
    assert end + timedelta(days=4) < row["saturation_date"] < end + timedelta(days=8)
    assert row["saturation_date_earliest"] <= row["saturation_date"]
    # History and forecast at the same step: the daily level the dates are read from.
    assert len(row["series"]["history"]) == pytest.approx(14, abs=1)
    assert len(row["series"]["forecast"]) == 90
    assert row["saturation_date_latest"] >= row["saturation_date"]
    assert row["crossing_probability"] == 1.0 and row["unreliable_reason"] is None
    assert row["risk"] == "likely"
    assert set(row["series"]["forecast"][0]) == {"t", "mean", "lo80", "hi80", "lo95", "hi95"}


def test_risk_levels_by_the_probability_of_a_crossing() -> None:
    # The IPCC's scale: likely from 66 %; as likely as not (33-66 %) is only possible.
    assert [risk_level(p) for p in (None, 0.0, 0.099, 0.1, 0.5, 0.659, 0.66, 1.0)] == [
        None, None, None, "possible", "possible", "possible", "likely", "likely",
    ]  # fmt: skip


def test_a_wandering_disk_is_possible_with_a_p10_date_but_no_p50_one() -> None:
    # 60 % growing 0.2 points a day with a level that wanders a point a day: 90 % is reached
    # within the 90 days in about two futures out of five.
    walk = np.repeat(np.random.default_rng(2).normal(0, 1.0, 21).cumsum(), 24)
    row = forecast_row("FTA1", "disk", hourly(growing(21, 60, 0.2) + walk), SETTINGS)
    assert 0.1 <= row["crossing_probability"] < 0.5
    assert row["risk"] == "possible"
    assert row["saturation_date"] is None and row["saturation_date_earliest"] is not None
    assert row["series"] is not None
    flat = forecast_row("FTA1", "disk", hourly(growing(21, 60, 0.0)), SETTINGS)
    assert flat["crossing_probability"] == 0.0
    assert flat["risk"] is None and flat["series"] is None


def test_forecast_row_of_latency_has_no_threshold_or_series() -> None:
    row = forecast_row("FTA1", "latency", hourly(5 + growing(10, 0, 0.1)), SETTINGS)
    assert row["status"] == "forecast"
    assert row["saturation_date"] is None and row["series"] is None


def test_forecast_workstations_covers_every_fta_and_resource_present() -> None:
    one = hourly(growing(8, 40, 0)).rename({"value": "cpu"}).with_columns(workstation=pl.lit("A"))
    two = one.with_columns(workstation=pl.lit("B"), disk=pl.lit(None, pl.Float64))
    rows = forecast_workstations(pl.concat([one, two], how="diagonal"), ["cpu", "disk"], SETTINGS)
    assert sorted((row["workstation"], row["resource"]) for row in rows) == [
        ("A", "cpu"),
        ("B", "cpu"),
    ]


def test_workload_is_jobs_in_the_trailing_day() -> None:
    hours = [START + timedelta(hours=index) for index in range(48)]
    starts = pl.DataFrame(
        {"workstation": "A", "hour": hours[::2], "jobs": [3] * 24},
        schema={"workstation": pl.String, "hour": pl.Datetime("us", "UTC"), "jobs": pl.Int64},
    )
    workload = trailing_day_job_counts(starts, hours[-1])
    assert workload["sample_time"].min() == hours[23]
    assert workload["workload"].to_list() == [36.0] * 25
    assert trailing_day_job_counts(starts.clear(), hours[-1]).is_empty()


def test_days_to_saturation_and_order_by_date_from_the_p50_date() -> None:
    now = START
    assert assess_saturation(now + timedelta(days=40), now, 30) == {
        "days_to_saturation": 40.0,
        "order_by_date": now + timedelta(days=10),
    }
    assert assess_saturation(None, now, 30) == {"days_to_saturation": None, "order_by_date": None}


def test_projected_peak_is_not_capped_by_the_clipped_forecast() -> None:
    assert projected_peak(100.0, 80.0, 1.0, 90) == 170.0
    assert projected_peak(92.0, 80.0, 0.0, 90) == 92.0
    assert projected_peak(None, None, None, 90) is None


@pytest.mark.parametrize(
    ("resource", "peak", "host", "amount", "unit", "cost"),
    [
        # 8 vCPU at a 120 % peak is 9.6 vCPU of demand; at most 85 % busy: 11.3 → add 4.
        ("cpu", 120.0, {"cpu_count": 8}, 4, "vCPU", 16.0),
        # 32 GB at 100 % is 32 GB; at most 85 %: 37.6 GB → add 6 GB.
        ("memory", 100.0, {"memory_total_mb": 32768}, 6, "GB", 12.0),
        # 500 GB at 95 % is 475 GB; disk at most 80 %: 594 GB → add 100 GB (10 GB steps).
        ("disk", 95.0, {"disk_total_gb": 500}, 100, "GB", 11.0),
    ],
)
def test_size_scaling_from_host_facts(resource, peak, host, amount, unit, cost) -> None:
    threshold = {"cpu": 95.0, "memory": 95.0, "disk": 90.0}[resource]
    advice = size_scaling(resource, peak, host, threshold, SETTINGS)
    assert advice["action"] == "add"
    assert (advice["amount"], advice["unit"], advice["monthly_cost"]) == (amount, unit, cost)
    assert advice["currency"] == "USD"
    # The default prices are an on-premises VM rate card, named with its source.
    assert advice["cost_source"].startswith("price sheet on-premises-vm (the default sheet), USD")
    assert "KB0011737" in advice["cost_source"]
    capacity_after = advice["recommended_capacity"]
    assert peak / 100 * advice["current_capacity"] / capacity_after <= (threshold - 10) / 100


def test_a_price_sheet_is_chosen_by_name_or_read_from_a_file(tmp_path: Path) -> None:
    fargate = SETTINGS.model_copy(update={"capacity_price_sheet": "aws-fargate"})
    advice = size_scaling("cpu", 120.0, {"cpu_count": 8}, 95.0, fargate)
    assert advice["monthly_cost"] == 118.2
    assert "set by RESYNC_CAPACITY_PRICE_SHEET" in advice["cost_source"]
    assert "aws.amazon.com/fargate/pricing" in advice["cost_source"]
    sheet = tmp_path / "rates.json"
    sheet.write_text(
        '{"name": "datacentre-2027", "currency": "EUR", "vcpu_month": 6.5, '
        '"memory_gb_month": 1.25, "disk_gb_month": 0.05, "source": "finance rate card 2027"}'
    )
    own = Settings(capacity_price_sheet=str(sheet))
    advice = size_scaling("memory", 100.0, {"memory_total_mb": 32768}, 95.0, own)
    assert (advice["monthly_cost"], advice["currency"]) == (7.5, "EUR")
    assert advice["cost_source"] == (
        "price sheet datacentre-2027 (set by RESYNC_CAPACITY_PRICE_SHEET), EUR a month: 6.5 per "
        "vCPU, 1.25 per GB of memory, 0.05 per GB of disk; source: finance rate card 2027"
    )


def test_a_price_sheet_that_cannot_be_read_is_refused_with_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="neither a built-in sheet .on-premises-vm, aws-far"):
        Settings(capacity_price_sheet="gcp")
    sheet = tmp_path / "rates.json"
    sheet.write_text('{"name": "dc", "currency": "euro", "vcpu_month": -1}')
    with pytest.raises(ValidationError) as refused:
        Settings(capacity_price_sheet=str(sheet))
    message = str(refused.value)
    assert f"price sheet {sheet} is not a valid sheet" in message
    assert "currency: String should have at most 3 characters" in message
    assert "vcpu_month: Input should be greater than or equal to 0" in message
    assert "memory_gb_month: Field required" in message


@pytest.mark.parametrize("host", [None, {}, {"disk_total_gb": 0}, {"disk_total_gb": "big"},
                                  {"disk_total_gb": True}])  # fmt: skip
def test_no_size_is_invented_without_host_facts(host) -> None:
    advice = size_scaling("disk", 95.0, host, 90.0, SETTINGS)
    assert advice == {
        "action": "none",
        "resource": "disk",
        "reason": "the FTA has not reported its disk_total_gb (host facts), so no size is given",
    }


def test_recommend_sizes_likely_saturations_and_watches_possible_ones() -> None:
    row = {
        "resource": "disk",
        "threshold": 90.0,
        "current_value": 80.0,
        "trend_per_day": 0.1,
        "saturation_date": START,
        "saturation_date_earliest": START,
        "crossing_probability": 0.62,
        "risk": "likely",
        "series": {"forecast": [{"hi80": 93.0}, {"hi80": 96.0}]},
    }
    advice = recommend(row, {"disk_total_gb": 100}, SETTINGS)
    assert advice["action"] == "add" and advice["projected_peak_percent"] == 96.0
    possible = {**row, "saturation_date": None, "crossing_probability": 0.3, "risk": "possible"}
    assert recommend(possible, {"disk_total_gb": 100}, SETTINGS) == {
        "action": "watch",
        "resource": "disk",
        "reason": "possible saturation (30% chance within the horizon): watched, capacity is "
        "proposed once it is likely",
    }
    assert recommend({**row, "risk": None}, {}, SETTINGS) is None
    assert recommend({**row, "resource": "latency", "threshold": None}, {}, SETTINGS) is None
    leak = {**possible, "resource": "memory", "trend_per_day": 0.4, "r_squared": 0.95}
    assert recommend(leak, {"memory_total_mb": 8192}, SETTINGS)["action"] == "investigate"


def test_deterministic_insight_states_the_facts() -> None:
    data = {
        "series": 10, "forecast": 8, "workstations": 3, "horizon_days": 90, "likely": 1,
        "possible": 1, "insufficient": 2,
        "at_risk": [
            {"workstation": "FTA1", "resource": "disk", "risk": "likely",
             "saturation_date": "2026-12-24",
             "saturation_date_earliest": "2026-12-20", "saturation_date_latest": "2026-12-30",
             "crossing_probability": 0.75, "order_by_date": "2026-11-24", "amount": 100,
             "unit": "GB", "monthly_cost": 8.0, "currency": "USD"},
            {"workstation": "FTA2", "resource": "memory", "risk": "possible",
             "saturation_date": None, "saturation_date_earliest": "2027-01-30",
             "order_by_date": None, "crossing_probability": 0.2, "monthly_cost": None,
             "action": "watch"},
        ],
    }  # fmt: skip
    paragraph = deterministic_insight(data).paragraph
    assert paragraph == (
        "8 of 10 series of 3 FTAs were forecast 90 days ahead; 1 are likely to saturate "
        "within the horizon (a chance of 66% or more) and 1 more possibly (10% to 66%: "
        "watched, nothing proposed to buy). FTA1 disk (likely): order by 2026-11-24; crossing "
        "between 2026-12-20 (P10) and 2026-12-30 (P90), a 75% chance within the horizon; "
        "adding 100 GB costs 8.0 USD a month. FTA2 memory (possible): no order date yet; "
        "crossing between 2027-01-30 (P10) and unknown (P90), a 20% chance within the horizon; "
        "a watch item. 2 series had too little history to forecast and are listed as "
        "insufficient data."
    )
    quiet = deterministic_insight({**data, "likely": 0, "possible": 0, "at_risk": []}).paragraph
    assert quiet.endswith(
        "No forecast FTA resource is likely or possibly saturating within the horizon "
        "(a chance of 10% or more)."
    )
    nothing = deterministic_insight({**data, "forecast": 0, "at_risk": []}).paragraph
    assert nothing == (
        "Nothing was forecast: 2 of 10 series of 3 FTAs had too little history, so this run "
        "says nothing about saturation."
    )
    assert "likely" not in nothing
