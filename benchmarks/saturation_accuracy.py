"""Saturation-date accuracy with known truth: synthetic disk series whose crossing date is known.

A seeded generator makes series of six kinds (linear growth, accelerating growth of two shapes:
quadratic, the shape of one of the forecaster's candidates, and compounding, which none of them
has; flat; linear growth with a cleanup; linear growth with weekend batch runs), each 30 days of
5-minute samples with a daily cycle and noise of random size. The truth is the first hour the
noiseless level reaches the disk threshold within the 90-day horizon, or none. Scored: the
absolute error of the expected saturation date (a missed crossing counts as the whole horizon),
missed crossings, and false saturations: on every series that does not reach the threshold
within the horizon (some of them just after it), and on the flat ones alone. The cost per
series is CPU time.

    .venv/bin/python -m benchmarks.saturation_accuracy [--series 240] [--output FILE]
"""

import argparse
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.machine import describe_machine
from resync.capacity.forecasting.capacity import forecast_resource
from resync.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 10, 1)
HISTORY_DAYS = 30
SAMPLES_PER_DAY = 288
KINDS = ("linear", "accelerating", "compounding", "flat", "cleanup", "weekly")
Level = Callable[[np.ndarray], np.ndarray]


def make_level(kind: str, rng: np.random.Generator) -> Level:
    """The noiseless level (percent) at day `t` for a series of `kind`."""
    base, slope, amplitude = rng.uniform(30, 60), rng.uniform(0.2, 1.0), rng.uniform(0, 8)
    cleanup_day, cleanup_size = rng.uniform(5, 25), rng.uniform(10, 25)

    def level(day: np.ndarray) -> np.ndarray:
        cycle = amplitude * np.sin(2 * np.pi * day)
        if kind == "linear":
            return base + slope * day + cycle
        if kind == "accelerating":
            return base + 0.3 * slope * day + 0.01 * slope * day**2 + cycle
        if kind == "compounding":
            return base * np.exp(slope / 40 * day) + cycle
        if kind == "flat":
            return base + cycle
        if kind == "cleanup":
            return base + slope * day - cleanup_size * (day >= cleanup_day) + cycle
        return base + slope * day + 5 * (np.floor(day) % 7 >= 5) + cycle

    return level


def score_series(kind: str, rng: np.random.Generator, settings: Settings) -> dict:
    level = make_level(kind, rng)
    day = np.arange(HISTORY_DAYS * SAMPLES_PER_DAY) / SAMPLES_PER_DAY
    values = level(day) + rng.normal(0, rng.uniform(0.3, 3.0), day.size)
    samples = pl.DataFrame(
        {
            "sample_time": pl.datetime_range(
                START, START + timedelta(days=HISTORY_DAYS), "5m", closed="left", eager=True
            ),
            "disk_percent": values,
        }
    )
    future_hours = np.arange(
        HISTORY_DAYS * 24, (HISTORY_DAYS + settings.forecast_horizon_days) * 24
    )
    crossed = np.flatnonzero(level(future_hours / 24) >= settings.disk_saturation_percent)
    truth = None if crossed.size == 0 else START + timedelta(hours=int(future_hours[crossed[0]]))
    started = time.process_time()
    result = forecast_resource(samples, "disk", settings=settings)
    seconds = time.process_time() - started
    expected = result.saturation.expected_at
    error_days = None
    if truth is not None:
        found = expected if expected is not None else START + timedelta(days=HISTORY_DAYS * 4)
        error_days = abs((found - truth) / timedelta(days=1))
    return {
        "kind": kind,
        "model": result.forecast.model,
        "saturates": truth is not None,
        "forecast_saturates": expected is not None,
        "error_days": error_days,
        "seconds": seconds,
    }


def summarise(rows: list[dict]) -> dict:
    crossing = [row for row in rows if row["saturates"]]
    never = [row for row in rows if not row["saturates"]]
    errors = np.array([row["error_days"] for row in crossing])
    summary = {
        "series": len(rows),
        "saturating": len(crossing),
        "saturation_date_median_absolute_error_days": round(float(np.median(errors)), 2),
        "saturation_date_p90_absolute_error_days": round(float(np.percentile(errors, 90)), 2),
        "missed_crossings": sum(not row["forecast_saturates"] for row in crossing),
        "never_saturating": len(never),
        "false_saturation_rate": round(
            sum(row["forecast_saturates"] for row in never) / max(1, len(never)), 3
        ),
        "false_saturation_rate_flat_series": round(
            sum(row["forecast_saturates"] for row in never if row["kind"] == "flat")
            / max(1, sum(row["kind"] == "flat" for row in never)),
            3,
        ),
        "cpu_seconds_per_series": round(float(np.mean([row["seconds"] for row in rows])), 4),
        "by_kind": {},
    }
    for kind in KINDS:
        of_kind = [row for row in crossing if row["kind"] == kind]
        summary["by_kind"][kind] = {
            "saturating": len(of_kind),
            "median_absolute_error_days": (
                round(float(np.median([row["error_days"] for row in of_kind])), 2)
                if of_kind
                else None
            ),
            "false_saturations": sum(
                row["forecast_saturates"] for row in never if row["kind"] == kind
            ),
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=240)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks/results/saturation_accuracy.json"
    )
    arguments = parser.parse_args()
    settings = Settings(_env_file=None)
    rng = np.random.default_rng(arguments.seed)
    rows = [
        score_series(KINDS[index % len(KINDS)], rng, settings) for index in range(arguments.series)
    ]
    summary = summarise(rows)
    result = {
        "machine": describe_machine(),
        "setup": {
            "seed": arguments.seed,
            "history_days": HISTORY_DAYS,
            "horizon_days": settings.forecast_horizon_days,
            "threshold_percent": settings.disk_saturation_percent,
            "kinds": list(KINDS),
        },
        "summary": summary,
        "series": rows,
    }
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
