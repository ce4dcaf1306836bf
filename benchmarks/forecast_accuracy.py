"""Forecast accuracy on real server metrics: the NAB realAWSCloudwatch series, hourly.

Rolling origins one day apart from day 7 on; at each, every method sees only the history before
the origin and forecasts up to 7 days. Day-ahead scores the first 24 hours, 7 days ahead the
first 168 (where the series still has them). MASE is scaled per origin by the history's
in-sample seasonal-naive error; 80 % interval coverage is pooled over every forecast hour.
Beside Resync: seasonal-naive, naive, statsmodels ETS, statsforecast AutoTheta and AutoETS,
and Prophet (the `bench` extra).

Resync's interval correction (`MISS_RATE_CORRECTION`) is a tuned constant, so its coverage is
reported out of sample: the series are split in two halves by name (alternately), the
correction that best meets 80 % is found again on the tuning half in every run, and coverage is
reported on the held-out half with the library's constant.

    .venv/bin/python -m benchmarks.forecast_accuracy [--data DIR] [--output FILE]
"""

import argparse
import json
import logging
import time
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
from cmdstanpy.utils import get_logger
from prophet import Prophet
from scipy import stats
from statsforecast.models import AutoETS, AutoTheta
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from benchmarks.machine import describe_machine
from resync.capacity.forecasting.backtest import MISS_RATE_CORRECTION, interval_half_widths, mase
from resync.capacity.forecasting.forecaster import forecast_values
from resync.capacity.forecasting.resample import resample_hourly

ROOT = Path(__file__).resolve().parent.parent
SEASON = 24
WEEK = 7 * SEASON
FIRST_ORIGIN = 7 * SEASON
HORIZONS = {"day": SEASON, "week": WEEK}
Z_80 = float(stats.norm.ppf(0.9))
CORRECTIONS = (0.0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5)

# A method: history, horizon, time of the history's first hour -> (point, lower 80 %, upper 80 %)
Bands = tuple[np.ndarray, np.ndarray, np.ndarray]
Method = Callable[[np.ndarray, int, datetime], Bands]


def resync_method(history: np.ndarray, horizon: int, start: datetime) -> Bands:
    forecast = forecast_values(history, horizon, SEASON)
    width = forecast.half_widths[0.80]
    return forecast.point, forecast.point - width, forecast.point + width


def resync_minimum_mase_method(history: np.ndarray, horizon: int, start: datetime) -> Bands:
    """Ablation: the candidate of lowest backtest MASE, without the margin Theta must lose by."""
    forecast = forecast_values(history, horizon, SEASON, challenger_margin=1.0)
    width = forecast.half_widths[0.80]
    return forecast.point, forecast.point - width, forecast.point + width


def seasonal_naive_method(history: np.ndarray, horizon: int, start: datetime) -> Bands:
    point = np.resize(history[-SEASON:], horizon)
    sigma = np.std(history[SEASON:] - history[:-SEASON])
    width = Z_80 * sigma * np.sqrt(np.ceil(np.arange(1, horizon + 1) / SEASON))
    return point, point - width, point + width


def naive_method(history: np.ndarray, horizon: int, start: datetime) -> Bands:
    point = np.full(horizon, history[-1])
    width = Z_80 * np.std(np.diff(history)) * np.sqrt(np.arange(1, horizon + 1))
    return point, point - width, point + width


def ets_method(history: np.ndarray, horizon: int, start: datetime) -> Bands:
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


def statsforecast_method(model_class: type) -> Method:
    """A statsforecast automatic model (daily season), its own 80 % interval."""

    def method(history: np.ndarray, horizon: int, start: datetime) -> Bands:
        result = model_class(season_length=SEASON).forecast(y=history, h=horizon, level=[80])
        return tuple(np.asarray(result[key], dtype=float) for key in ("mean", "lo-80", "hi-80"))

    return method


def prophet_method(history: np.ndarray, horizon: int, start: datetime) -> Bands:
    """Prophet with its defaults (daily, and weekly from two weeks on) and an 80 % interval."""
    times = pd.date_range(start, periods=history.size + horizon, freq="h")
    model = Prophet(interval_width=0.8)
    model.fit(pd.DataFrame({"ds": times[: history.size], "y": history}))
    frame = model.predict(pd.DataFrame({"ds": times[history.size :]}))
    return tuple(
        np.asarray(frame[column], dtype=float) for column in ("yhat", "yhat_lower", "yhat_upper")
    )


METHODS: dict[str, Method] = {
    "resync": resync_method,
    "resync_minimum_mase": resync_minimum_mase_method,
    "seasonal_naive": seasonal_naive_method,
    "naive": naive_method,
    "statsmodels_ets": ets_method,
    "statsforecast_auto_theta": statsforecast_method(AutoTheta),
    "statsforecast_auto_ets": statsforecast_method(AutoETS),
    "prophet": prophet_method,
}


def load_hourly(path: Path) -> tuple[np.ndarray, datetime]:
    samples = pl.read_csv(path, try_parse_dates=True).rename({"timestamp": "sample_time"})
    hourly = resample_hourly(samples, aggregation="level")
    return hourly["value"].to_numpy(), hourly["sample_time"][0]


def _inside(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> int:
    return int(((actual >= lower) & (actual <= upper)).sum())


def evaluate_series(values: np.ndarray, start: datetime) -> dict:
    """Per method and horizon: mean MASE over origins, hours inside the 80 % band and hours
    scored; for Resync also the hours inside at each candidate interval correction."""
    tallies = {
        name: {label: {"mase": [], "inside": 0, "count": 0} for label in HORIZONS}
        for name in METHODS
    }
    seconds = dict.fromkeys(METHODS, 0.0)
    by_correction = {label: dict.fromkeys(CORRECTIONS, 0) for label in HORIZONS}
    for origin in range(FIRST_ORIGIN, values.size - SEASON + 1, SEASON):
        history = values[:origin]
        horizon = min(WEEK, values.size - origin)
        actual = values[origin : origin + horizon]
        for name, method in METHODS.items():
            started = time.perf_counter()
            point, lower, upper = method(history, horizon, start)
            seconds[name] += time.perf_counter() - started
            for label, steps in HORIZONS.items():
                if horizon < steps:
                    continue
                tally = tallies[name][label]
                tally["mase"].append(mase(actual[:steps], point[:steps], history, SEASON))
                tally["inside"] += _inside(actual[:steps], lower[:steps], upper[:steps])
                tally["count"] += steps
        forecast = forecast_values(history, horizon, SEASON)
        for correction in CORRECTIONS:
            width = interval_half_widths(forecast.backtest_errors, horizon, 0.8, SEASON, correction)
            lower, upper = forecast.point - width, forecast.point + width
            for label, steps in HORIZONS.items():
                if horizon >= steps:
                    inside = _inside(actual[:steps], lower[:steps], upper[:steps])
                    by_correction[label][correction] += inside
    result = {
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
    for label in HORIZONS:
        result["resync"][label]["inside_80_by_correction"] = by_correction[label]
    return result


def _coverage(per_series: dict[str, dict], name: str, label: str) -> float | None:
    inside = sum(s[name][label]["inside_80"] for s in per_series.values())
    count = sum(s[name][label]["count"] for s in per_series.values())
    return round(inside / count, 3) if count else None


def summarise(per_series: dict[str, dict], held_out: dict[str, dict]) -> dict[str, dict]:
    summary: dict[str, dict] = {}
    for name in METHODS:
        summary[name] = {"seconds": round(sum(s[name]["seconds"] for s in per_series.values()), 2)}
        for label in HORIZONS:
            scores = [s[name][label]["mase"] for s in per_series.values()]
            scores = [score for score in scores if score is not None]
            summary[name][label] = {
                "series": len(scores),
                "mean_mase": round(float(np.mean(scores)), 3),
                "median_mase": round(float(np.median(scores)), 3),
                "coverage_80": _coverage(per_series, name, label),
                "coverage_80_held_out": _coverage(held_out, name, label),
            }
    return summary


def tune_correction(tuning: dict[str, dict]) -> dict:
    """Resync's coverage on the tuning half at each correction, and the one nearest 80 %."""
    resync = [s["resync"] for s in tuning.values()]
    coverage = {
        correction: {
            label: round(
                sum(s[label]["inside_80_by_correction"][correction] for s in resync)
                / sum(s[label]["count"] for s in resync),
                3,
            )
            for label in HORIZONS
        }
        for correction in CORRECTIONS
    }
    best = min(
        CORRECTIONS,
        key=lambda correction: max(abs(value - 0.8) for value in coverage[correction].values()),
    )
    return {
        "tuning_series": sorted(tuning),
        "coverage_80_by_correction": {str(key): value for key, value in coverage.items()},
        "best_on_tuning_half": best,
        "library_constant": MISS_RATE_CORRECTION,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "../shared/data/nab-aws-cloudwatch")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks/results/forecast_accuracy.json"
    )
    arguments = parser.parse_args()
    get_logger().setLevel(logging.WARNING)  # cmdstanpy's, which Prophet logs every fit to
    per_series = {}
    for path in sorted(arguments.data.glob("*.csv")):
        per_series[path.stem] = evaluate_series(*load_hourly(path))
    names = sorted(per_series)
    tuning = {name: per_series[name] for name in names[0::2]}
    held_out = {name: per_series[name] for name in names[1::2]}
    summary = summarise(per_series, held_out)
    result = {
        "machine": describe_machine(),
        "data": str(arguments.data.resolve()),
        "setup": {
            "resample": "hourly mean",
            "season_length": SEASON,
            "first_origin_hours": FIRST_ORIGIN,
            "origin_spacing_hours": SEASON,
            "horizons_hours": HORIZONS,
            "held_out_series": sorted(held_out),
        },
        "interval_correction": tune_correction(tuning),
        "summary": summary,
        "per_series": per_series,
    }
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({"interval_correction": result["interval_correction"]} | summary, indent=2))


if __name__ == "__main__":
    main()
