"""Forecast accuracy with and without a history longer than the 30-day model window.

The capacity forecaster fits its models to the last `forecast_history_days` (30) and learns the
month's-turn effects (`resync.capacity.forecasting.calendar`) from the longer history read
before them. Rolling origins two days apart (`--spacing-hours`), each method seeing only what
came before the origin:

- `window_30d`: the models on the last 30 days, nothing older (the forecaster without the
  longer window);
- `long_window`: the same models and window, with the month calendar learned from the whole
  history before the origin (the forecaster as the capacity flow runs it);
- `all_history_models`: the models fitted to the whole history (the other way to use it);
- `seasonal_naive`: the last day repeated, the baseline.

MASE is scaled, per origin, by the seasonal-naive error of the 30 days before it (the same scale
for every method); day-ahead scores the first 24 hours, week-ahead the first 168, and
`month_turn` the week-ahead origins whose week holds a month's last or first day.

Sets: the NAB realAWSCloudwatch series (about 14 days: no history beyond the window, so the
methods must agree there) and three months of 30 Bitbrains VMs (`data/bitbrains_rnd_hourly.csv`,
CPU and memory peaks), split by VM into a tuning half and a held-out half; the method was fixed
on NAB and the tuning half, and `--split heldout` was scored once.

    .venv/bin/python -m benchmarks.long_window_accuracy --split tuning
    .venv/bin/python -m benchmarks.long_window_accuracy --split heldout   # once, last
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.machine import describe_machine
from resync.capacity.forecasting.backtest import mase
from resync.capacity.forecasting.calendar import calendar_days, learn_calendar
from resync.capacity.forecasting.forecaster import forecast_values
from resync.capacity.forecasting.resample import fill_gaps, resample_hourly

ROOT = Path(__file__).resolve().parent.parent
SEASON = 24
WEEK = 7 * SEASON
WINDOW = 30 * SEASON
HORIZONS = {"day": SEASON, "week": WEEK}
NAB = ROOT / "../shared/data/nab-aws-cloudwatch"
BITBRAINS = ROOT / "benchmarks/data/bitbrains_rnd_hourly.csv"

METHODS = ("window_30d", "long_window", "all_history_models", "seasonal_naive")


def forecasts(values: np.ndarray, times: pl.Series, horizon: int) -> tuple[dict, bool, dict]:
    """Every method's point forecast from this history, whether a month calendar effect was
    learned, and the seconds each method took."""
    seconds = {}
    started = time.perf_counter()
    window = forecast_values(values[-WINDOW:], horizon, SEASON).point
    seconds["window_30d"] = time.perf_counter() - started
    started = time.perf_counter()
    calendar = learn_calendar(times, values)
    long = window
    if calendar.effects:
        step = times[1] - times[0]
        future = pl.datetime_range(
            times[-1] + step, times[-1] + step * horizon, step, eager=True, time_zone="UTC"
        )
        offsets = calendar.offsets(pl.concat([times[-WINDOW:], future]))
        long = forecast_values(values[-WINDOW:], horizon, SEASON, calendar=offsets).point
    # Without an effect the long window's forecast is the 30-day one: only the learning counts.
    seconds["long_window"] = time.perf_counter() - started + seconds["window_30d"]
    started = time.perf_counter()
    everything = window if values.size <= WINDOW else forecast_values(values, horizon, SEASON).point
    seconds["all_history_models"] = time.perf_counter() - started
    naive = np.resize(values[-SEASON:], horizon).astype(float)
    seconds["seasonal_naive"] = 0.0
    points = {
        "window_30d": window,
        "long_window": long,
        "all_history_models": everything,
        "seasonal_naive": naive,
    }
    return points, bool(calendar.effects), seconds


def nab_series() -> dict[str, pl.DataFrame]:
    series = {}
    for path in sorted(NAB.glob("*.csv")):
        samples = pl.read_csv(path, try_parse_dates=True).rename({"timestamp": "sample_time"})
        hourly = resample_hourly(samples, aggregation="level")
        series[path.stem] = hourly.with_columns(pl.col("sample_time").dt.replace_time_zone("UTC"))
    return series


def bitbrains_series(split: str) -> dict[str, pl.DataFrame]:
    """CPU and memory of every other VM: the first, third, … for tuning, the others held out."""
    frame = pl.read_csv(BITBRAINS, try_parse_dates=True)
    vms = sorted(frame["vm"].unique())
    chosen = vms[0::2] if split == "tuning" else vms[1::2]
    series = {}
    for vm in chosen:
        rows = frame.filter(pl.col("vm") == vm)
        for resource in ("cpu", "memory"):
            hourly = rows.select("sample_time", pl.col(resource).alias("value")).drop_nulls()
            if hourly["sample_time"].dt.date().n_unique() >= 60:
                filled = fill_gaps(hourly, "1h")
                series[f"vm{vm}_{resource}"] = filled.with_columns(
                    pl.col("sample_time").dt.replace_time_zone("UTC")
                )
    return series


def evaluate(hourly: pl.DataFrame, first_origin: int, spacing: int) -> dict:
    """Per method and horizon, the MASE at every origin; the seconds each method took; the
    origins at which a month calendar effect was learned."""
    values, times = hourly["value"].to_numpy(), hourly["sample_time"]
    codes = calendar_days(times)
    scores = {name: {label: [] for label in [*HORIZONS, "month_turn"]} for name in METHODS}
    seconds = dict.fromkeys(METHODS, 0.0)
    with_calendar = 0
    for origin in range(first_origin, values.size - SEASON + 1, spacing):
        horizon = min(WEEK, values.size - origin)
        actual = values[origin : origin + horizon]
        scale_history = values[max(0, origin - WINDOW) : origin]
        turn = horizon == WEEK and bool(np.any(codes[origin : origin + WEEK]))
        points, learned, took = forecasts(values[:origin], times[:origin], horizon)
        with_calendar += learned
        for name, point in points.items():
            seconds[name] += took[name]
            for label, steps in HORIZONS.items():
                if horizon >= steps:
                    score = mase(actual[:steps], point[:steps], scale_history, SEASON)
                    scores[name][label].append(score)
                    if label == "week" and turn:
                        scores[name]["month_turn"].append(score)
    return {"scores": scores, "seconds": seconds, "origins_with_calendar": with_calendar}


def summarise(per_series: dict[str, dict]) -> dict:
    summary = {}
    for name in METHODS:
        summary[name] = {"seconds": round(sum(s["seconds"][name] for s in per_series.values()), 1)}
        for label in [*HORIZONS, "month_turn"]:
            means = [
                float(np.mean(s["scores"][name][label]))
                for s in per_series.values()
                if s["scores"][name][label]
            ]
            summary[name][label] = {
                "series": len(means),
                "mean_mase": round(float(np.mean(means)), 3) if means else None,
                "median_mase": round(float(np.median(means)), 3) if means else None,
            }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tuning", "heldout"), required=True)
    parser.add_argument("--spacing-hours", type=int, default=2 * SEASON)
    parser.add_argument("--output", type=Path)
    arguments = parser.parse_args()
    output = arguments.output or ROOT / f"benchmarks/results/long_window_{arguments.split}.json"
    sets = {"bitbrains_" + arguments.split: (bitbrains_series(arguments.split), 35 * SEASON)}
    if arguments.split == "tuning":
        sets["nab"] = (nab_series(), 7 * SEASON)
    result: dict = {"machine": describe_machine(), "split": arguments.split, "sets": {}}
    for name, (series, first_origin) in sets.items():
        per_series = {
            key: evaluate(hourly, first_origin, arguments.spacing_hours)
            for key, hourly in series.items()
        }
        result["sets"][name] = {
            "first_origin_days": first_origin // SEASON,
            "origin_spacing_hours": arguments.spacing_hours,
            "series": sorted(per_series),
            "origins_with_calendar": {
                key: s["origins_with_calendar"] for key, s in per_series.items()
            },
            "summary": summarise(per_series),
            "per_series_week_mase": {
                key: {
                    method: round(float(np.mean(s["scores"][method]["week"])), 3)
                    for method in METHODS
                }
                for key, s in per_series.items()
                if s["scores"]["window_30d"]["week"]
            },
        }
    output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({name: s["summary"] for name, s in result["sets"].items()}, indent=2))


if __name__ == "__main__":
    main()
