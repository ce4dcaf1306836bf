"""Crossing dates from simulated paths: flat series stay flat, growth that wanders spreads out,
and the band is backtested on the series' own last week."""

import numpy as np

from resync.capacity.forecasting.backtest import band_coverage
from resync.capacity.forecasting.crossing import crossing_distribution, hourly_crossing


def test_a_flat_host_with_weekly_peaks_under_the_threshold_is_not_likely() -> None:
    rng = np.random.default_rng(1)
    days = np.arange(30)
    # ~80 % daily peaks, 91 % every seventh day: never 95 % in 30 days.
    peaks = 80 + 11 * (days % 7 == 3) + rng.normal(0, 1, 30)
    result = crossing_distribution(peaks, threshold=95.0, horizon=90)
    assert result.probability < 0.1 and result.p10 is None
    assert abs(result.slope_per_step) < 0.1
    # No trend: the band is as wide at the horizon's end as in its second week.
    width = result.bands["hi95"] - result.bands["lo95"]
    assert width[-7:].mean() <= 1.2 * width[7:14].mean()
    assert result.bands["hi95"].max() < 95


def test_growth_that_wanders_gets_a_spread_of_dates_and_a_widening_band() -> None:
    rng = np.random.default_rng(2)
    level = 55 + np.cumsum(rng.normal(0.3, 0.35, 30))
    result = crossing_distribution(level, threshold=90.0, horizon=90)
    assert result.slope_per_step > 0.1
    # About 84 days to go at 0.3 a day: a walk that far out may well not get there in 90.
    assert 0.5 < result.probability < 0.9 and result.p90 is None
    assert result.p50 - result.p10 >= 7
    width = result.bands["hi80"] - result.bands["lo80"]
    assert width[-1] > 2 * width[6]
    assert result.share_before(result.p10) < 0.1 <= result.share_by(result.p10)


def test_growth_that_sped_up_and_stalled_again_is_not_read_as_a_steady_slope() -> None:
    # Two weeks at 0.1 a day around two at 0.5: the history's two halves have the same slope,
    # its weeks do not, and its next weeks may not keep the average.
    weekly = np.repeat([0.1, 0.1, 0.5, 0.5, 0.1], [2, 7, 7, 7, 7])
    level = 60 + np.cumsum(weekly) + np.random.default_rng(3).normal(0, 0.2, 30)
    result = crossing_distribution(level, threshold=90.0, horizon=90)
    assert result.slope_per_step > 0.3
    assert 0.1 <= result.probability < 0.66 and result.p90 is None


def test_a_short_history_reads_the_trend_over_trailing_days_not_its_daily_rhythm() -> None:
    hours = np.arange(3 * 24)
    rhythm = 15 * np.sin(2 * np.pi * hours / 24)
    flat = hourly_crossing(50 + rhythm, "peak", 95.0, 90, steps_per_day=4)
    assert flat.probability == 0.0
    filling = hourly_crossing(85 + 0.85 * hours / 24, "level", 90.0, 90, steps_per_day=4)
    # 87.5 % now, 0.85 points a day: about 3 days to go.
    assert 1 <= filling.p50 <= 5 and filling.probability == 1.0


def test_the_band_is_backtested_on_a_week_held_back() -> None:
    hours = np.arange(30 * 24)
    rhythm = 3 * np.sin(2 * np.pi * hours / 24)
    hosts = [
        np.repeat(70 + np.random.default_rng(seed).normal(0, 1, 30), 24) + rhythm
        for seed in range(12)
    ]
    # Flat hosts with day-to-day noise: most days inside their P10-P90 band.
    coverage = np.mean([band_coverage(host, "peak", (0.0, 100.0)) for host in hosts])
    assert 0.6 <= coverage <= 0.95
    # The last week jumps 20 points: none of it was inside the band the month before drew.
    jumped = hosts[0] + 20 * (hours >= 23 * 24)
    assert band_coverage(jumped, "peak", (0.0, 100.0)) == 0.0
    # Under two weeks there is not enough left before a held-back week to simulate from.
    assert band_coverage(hosts[0][: 13 * 24], "peak", (0.0, 100.0)) is None
