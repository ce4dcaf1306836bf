"""Synthetic `capacity_forecasts` rows (contract 2) for the report's tests and benchmark.

A growing series gets an hourly history with a daily rhythm, a forecast with widening 80 % and
95 % intervals, saturation dates where its mean and upper bound cross the threshold, and the
risk level of its chance of ending the horizon above it: likely (sized, with its cost) or
possible (watched).
"""

import math
import random
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from resync.capacity.risk import risk_level

THRESHOLDS = {"cpu": 95.0, "memory": 95.0, "disk": 90.0}
RESOURCES = ("cpu", "memory", "disk")
Z80, Z95 = 1.2816, 1.96


def _crossing(start: datetime, values: np.ndarray, threshold: float) -> datetime | None:
    above = np.flatnonzero(values >= threshold)
    return start + timedelta(hours=int(above[0])) if above.size else None


def _recommendation(resource: str, risk: str) -> dict[str, Any]:
    """Shaped like `resync.capacity.planning.recommend`'s answer for a host of 4 vCPU, 16 GB of
    memory and 200 GB of disk: sized when likely, watched when possible."""
    if risk == "possible":
        return {"action": "watch", "resource": resource, "reason": "possible saturation: watched"}
    amount, unit, capacity, cost = {
        "cpu": (2, "vCPU", 4, 58.4),
        "memory": (16, "GB", 16, 40.3),
        "disk": (100, "GB", 200, 8.0),
    }[resource]
    return {
        "action": "add",
        "resource": resource,
        "amount": amount,
        "unit": unit,
        "current_capacity": capacity,
        "recommended_capacity": capacity + amount,
        "monthly_cost": cost,
        "currency": "USD",
        "cost_source": "AWS on-demand list prices, us-east-1, as of 2026-06",
    }


def forecast_row(
    workstation: str,
    resource: str,
    *,
    now: datetime,
    current: float,
    trend_per_day: float,
    history_days: int = 30,
    horizon_days: int = 90,
    lead_time_days: int = 30,
    seed: int = 0,
) -> dict[str, Any]:
    """A forecast row; `series` is kept only when saturation is likely or possible."""
    rng = np.random.default_rng(seed)
    threshold = THRESHOLDS[resource]
    ahead = np.arange(1, horizon_days * 24 + 1)
    means = current + trend_per_day * ahead / 24
    spread = 1.0 + 0.35 * np.sqrt(ahead / 24)
    first = now + timedelta(hours=1)
    expected = _crossing(first, means, threshold)
    # The P10 date where the upper 80 % bound crosses, the P50 date where the mean does.
    earliest = _crossing(first, means + Z80 * spread, threshold)
    # The chance of ending the horizon above the threshold, and its level: likely from 0.66
    # (the mean crosses well within the horizon), possible from 0.1 (the upper 80 % bound does).
    probability = 0.5 * math.erfc((threshold - means[-1]) / (spread[-1] * math.sqrt(2)))
    risk = risk_level(probability)
    at_risk = risk is not None
    series = None
    if at_risk:
        back = np.arange(history_days * 24, 0, -1)
        values = (
            current
            - trend_per_day * back / 24
            + 2.0 * np.sin(2 * np.pi * back / 24)
            + rng.normal(0, 0.8, back.size)
        )
        history = [
            {"t": (now - timedelta(hours=int(hours))).isoformat(), "v": float(value)}
            for hours, value in zip(back, values, strict=True)
        ]
        forecast = [
            {
                "t": (now + timedelta(hours=int(hour))).isoformat(),
                "mean": float(mean),
                "lo80": float(mean - Z80 * width),
                "hi80": float(mean + Z80 * width),
                "lo95": float(mean - Z95 * width),
                "hi95": float(mean + Z95 * width),
            }
            for hour, mean, width in zip(ahead, means, spread, strict=True)
        ]
        series = {"history": history, "forecast": forecast}
    return {
        "workstation": workstation,
        "resource": resource,
        "status": "forecast",
        "threshold": threshold,
        "current_value": current,
        "trend_per_day": trend_per_day,
        "r_squared": 0.9 if trend_per_day else 0.05,
        "model": "theta",
        "mase": round(0.6 + float(rng.random()) * 0.6, 3),
        "saturation_date": expected,
        "saturation_date_earliest": earliest,
        "crossing_probability": round(probability, 3),
        "risk": risk,
        "order_by_date": (
            expected - timedelta(days=lead_time_days) if risk == "likely" and expected else None
        ),
        "days_to_saturation": (expected - now).total_seconds() / 86400 if expected else None,
        "recommendation": _recommendation(resource, risk) if at_risk else None,
        "series": series,
    }


def insufficient_row(workstation: str, resource: str) -> dict[str, Any]:
    return {"workstation": workstation, "resource": resource, "status": "insufficient_data"}


def synthetic_estate(
    workstations: int, *, now: datetime, share_at_risk: float = 0.07, seed: int = 1
) -> list[dict[str, Any]]:
    """Rows for `workstations` FTAs × CPU, memory, disk; `share_at_risk` of FTAs have a
    resource saturating within the horizon, and one FTA in fifty is too new to forecast."""
    rng = random.Random(seed)
    rows = []
    for number in range(workstations):
        name = f"WS-{number:05d}"
        if number % 50 == 49:
            rows.extend(insufficient_row(name, resource) for resource in RESOURCES)
            continue
        risky = rng.choice(RESOURCES) if rng.random() < share_at_risk else None
        for resource in RESOURCES:
            current = rng.uniform(35, 70)
            trend = rng.uniform(0.25, 1.2) if resource == risky else rng.uniform(-0.05, 0.1)
            rows.append(
                forecast_row(
                    name,
                    resource,
                    now=now,
                    current=current,
                    trend_per_day=trend,
                    seed=rng.randrange(1 << 30),
                )
            )
    return rows
