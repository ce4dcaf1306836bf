"""Forecast accuracy on real server metrics: the NAB realAWSCloudwatch series, hourly.

Rolling origins one day apart from day 7 on; at each, every method sees only the history before
the origin and forecasts up to 7 days. Day-ahead scores the first 24 hours, 7 days ahead the
first 168 (where the series still has them). MASE is scaled per origin by the history's
in-sample seasonal-naive error; 80 % interval coverage is pooled over every forecast hour.

    .venv/bin/python -m benchmarks.forecast_accuracy [--data DIR] [--output FILE]
"""

import argparse
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
from scipy import stats
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from benchmarks.machine import describe_machine
from resync.forecasting.backtest import mase
from resync.forecasting.forecaster import forecast_values
from resync.forecasting.resample import resample_hourly

ROOT = Path(__file__).resolve().parent.parent
SEASON = 24
WEEK = 7 * SEASON
FIRST_ORIGIN = 7 * SEASON
Z_80 = float(stats.norm.ppf(0.9))

# A method: history, horizon -> (point forecast, lower 80 %, upper 80 %)
Method = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray, np.ndarray]]


def resync_method(history: np.ndarray, horizon: int) -> tuple[np.ndarray, ...]:
    forecast = forecast_values(history, horizon, SEASON)
    width = forecast.half_widths[0.80]
    return forecast.point, forecast.point - width, forecast.point + width


def resync_minimum_mase_method(history: np.ndarray, horizon: int) -> tuple[np.ndarray, ...]:
    """Ablation: the candidate of lowest backtest MASE, without the margin Theta must lose by."""
    forecast = forecast_values(history, horizon, SEASON, challenger_margin=1.0)
    width = forecast.half_widths[0.80]
    return forecast.point, forecast.point - width, forecast.point + width


def seasonal_naive_method(history: np.ndarray, horizon: int) -> tuple[np.ndarray, ...]:
    point = np.resize(history[-SEASON:], horizon)
    sigma = np.std(history[SEASON:] - history[:-SEASON])
    width = Z_80 * sigma * np.sqrt(np.ceil(np.arange(1, horizon + 1) / SEASON))
    return point, point - width, point + width


def naive_method(history: np.ndarray, horizon: int) -> tuple[np.ndarray, ...]:
    point = np.full(horizon, history[-1])
    width = Z_80 * np.std(np.diff(history)) * np.sqrt(np.arange(1, horizon + 1))
    return point, point - width, point + width


def ets_method(history: np.ndarray, horizon: int) -> tuple[np.ndarray, ...]:
    """statsmodels ETS (additive error, damped additive trend, additive daily season)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel(
            pd.Series(history),
            error="add",
            trend="add",
            damped_trend=True,
            seasonal="add",
            seasonal_periods=SEASON,
        )
        fitted = model.fit(disp=False, maxiter=200)
        frame = fitted.get_prediction(
            start=history.size, end=history.size + horizon - 1
        ).summary_frame(alpha=0.2)
    return tuple(
        np.asarray(frame[column], dtype=float) for column in ("mean", "pi_lower", "pi_upper")
    )


METHODS: dict[str, Method] = {
    "resync": resync_method,
    "resync_minimum_mase": resync_minimum_mase_method,
    "seasonal_naive": seasonal_naive_method,
    "naive": naive_method,
    "statsmodels_ets": ets_method,
}


def load_hourly(path: Path) -> np.ndarray:
    samples = pl.read_csv(path, try_parse_dates=True).rename({"timestamp": "sample_time"})
    return resample_hourly(samples, aggregation="level")["value"].to_numpy()


def evaluate_series(values: np.ndarray) -> dict[str, dict[str, dict[str, float]]]:
    """Per method and horizon: mean MASE over origins, hits and count inside the 80 % band."""
    tallies = {
        name: {label: {"mase": [], "inside": 0, "count": 0} for label in ("day", "week")}
        for name in METHODS
    }
    seconds = dict.fromkeys(METHODS, 0.0)
    for origin in range(FIRST_ORIGIN, values.size - SEASON + 1, SEASON):
        history = values[:origin]
        horizon = min(WEEK, values.size - origin)
        actual = values[origin : origin + horizon]
        for name, method in METHODS.items():
            started = time.perf_counter()
            point, lower, upper = method(history, horizon)
            seconds[name] += time.perf_counter() - started
            for label, steps in (("day", SEASON), ("week", WEEK)):
                if horizon < steps:
                    continue
                tally = tallies[name][label]
                tally["mase"].append(mase(actual[:steps], point[:steps], history, SEASON))
                inside = (actual[:steps] >= lower[:steps]) & (actual[:steps] <= upper[:steps])
                tally["inside"] += int(inside.sum())
                tally["count"] += steps
    return {
        name: {
            label: {
                "mase": float(np.mean(tally["mase"])) if tally["mase"] else None,
                "origins": len(tally["mase"]),
                "inside_80": tally["inside"],
                "count": tally["count"],
            }
            for label, tally in by_horizon.items()
        }
        | {"seconds": seconds[name]}
        for name, by_horizon in tallies.items()
    }


def summarise(per_series: dict[str, dict]) -> dict[str, dict]:
    summary: dict[str, dict] = {}
    for name in METHODS:
        summary[name] = {"seconds": round(sum(s[name]["seconds"] for s in per_series.values()), 2)}
        for label in ("day", "week"):
            scores = [s[name][label]["mase"] for s in per_series.values()]
            scores = [score for score in scores if score is not None]
            inside = sum(s[name][label]["inside_80"] for s in per_series.values())
            count = sum(s[name][label]["count"] for s in per_series.values())
            summary[name][label] = {
                "series": len(scores),
                "mean_mase": round(float(np.mean(scores)), 3),
                "median_mase": round(float(np.median(scores)), 3),
                "coverage_80": round(inside / count, 3) if count else None,
            }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "../shared/data/nab-aws-cloudwatch")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks/results/forecast_accuracy.json"
    )
    arguments = parser.parse_args()
    per_series = {}
    for path in sorted(arguments.data.glob("*.csv")):
        per_series[path.stem] = evaluate_series(load_hourly(path))
    summary = summarise(per_series)
    result = {
        "machine": describe_machine(),
        "data": str(arguments.data.resolve()),
        "setup": {
            "resample": "hourly mean",
            "season_length": SEASON,
            "first_origin_hours": FIRST_ORIGIN,
            "origin_spacing_hours": SEASON,
            "horizons_hours": {"day": SEASON, "week": WEEK},
        },
        "summary": summary,
        "per_series": per_series,
    }
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
