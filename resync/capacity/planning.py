"""Capacity planning from forecasts: saturation outlook per series and scaling sized to the host.

Pure functions: `assess_saturation` turns the P50 crossing date into days to saturation and an
order-by date; `size_scaling` says how much CPU, memory or disk an FTA needs so that its
projected peak stays `capacity_headroom_percent` points under the threshold for the whole
horizon, from the host facts the agent sent, and what that costs a month on the price sheet in
force (`resync.capacity.prices`). Without host facts it says so instead of inventing a size.
Capacity is proposed for a likely saturation only; a possible one is a watch item
(`resync.capacity.risk`).
"""

import math
from datetime import datetime, timedelta
from typing import Any

from resync.capacity.prices import DEFAULT_SHEET, load_price_sheet
from resync.settings import Settings

LEAK_R_SQUARED = 0.8

# Per resource: the host fact giving its capacity, how to turn it into the unit sold, the unit,
# the step scaling is bought in, and the price sheet's field of the unit's monthly cost.
CAPACITY_UNITS: dict[str, tuple[str, float, str, float, str]] = {
    "cpu": ("cpu_count", 1.0, "vCPU", 1.0, "vcpu_month"),
    "memory": ("memory_total_mb", 1 / 1024, "GB", 1.0, "memory_gb_month"),
    "disk": ("disk_total_gb", 1.0, "GB", 10.0, "disk_gb_month"),
}


def assess_saturation(
    saturation_date: datetime | None, as_of: datetime, lead_time_days: int
) -> dict[str, Any]:
    """Days to the P50 crossing and the order-by date before it (None without a P50 date
    within the horizon: nothing to order yet)."""
    if saturation_date is None:
        return {"days_to_saturation": None, "order_by_date": None}
    return {
        "days_to_saturation": round((saturation_date - as_of) / timedelta(days=1), 2),
        "order_by_date": saturation_date - timedelta(days=lead_time_days),
    }


def projected_peak(
    forecast_peak: float | None,
    current_value: float | None,
    trend_per_day: float | None,
    horizon_days: int,
) -> float | None:
    """The highest utilisation expected within the horizon, in percent of today's capacity.

    The forecast is clipped at 100 %, which says nothing about how far past it demand goes; the
    trend extrapolated to the horizon's end does, so the larger of the two is used.
    """
    candidates = [value for value in (forecast_peak,) if value is not None]
    if current_value is not None and trend_per_day is not None:
        candidates.append(current_value + trend_per_day * horizon_days)
    return max(candidates) if candidates else None


def size_scaling(
    resource: str,
    peak_percent: float,
    host: dict[str, Any] | None,
    threshold: float,
    settings: Settings,
) -> dict[str, Any]:
    """What to add so `peak_percent` of today's capacity sits `headroom` points under threshold."""
    fact, to_unit, unit, step, cost_field = CAPACITY_UNITS[resource]
    size = (host or {}).get(fact)
    if not isinstance(size, int | float) or isinstance(size, bool) or size <= 0:
        return {
            "action": "none",
            "resource": resource,
            "reason": f"the FTA has not reported its {fact} (host facts), so no size is given",
        }
    capacity = size * to_unit
    target = threshold - settings.capacity_headroom_percent
    needed = capacity * peak_percent / target
    add = max(step, math.ceil((needed - capacity) / step) * step)
    sheet = load_price_sheet(settings.capacity_price_sheet)
    unit_cost = getattr(sheet, cost_field)
    return {
        "action": "add",
        "resource": resource,
        "amount": add,
        "unit": unit,
        "current_capacity": round(capacity, 2),
        "recommended_capacity": round(capacity + add, 2),
        "projected_peak_percent": round(peak_percent, 1),
        "target_percent": target,
        "monthly_cost": round(add * unit_cost, 2),
        "currency": sheet.currency,
        "cost_source": sheet.describe(settings.capacity_price_sheet == DEFAULT_SHEET),
    }


def looks_like_a_leak(row: dict[str, Any]) -> bool:
    """Memory climbing steadily (a straight line explains most of its daily peaks): a process
    that does not give memory back, which more memory only postpones."""
    trend, fit = row.get("trend_per_day"), row.get("r_squared")
    return (
        row["resource"] == "memory"
        and trend is not None
        and trend > 0
        and fit is not None
        and fit >= LEAK_R_SQUARED
    )


def watch_item(row: dict[str, Any]) -> dict[str, Any]:
    """A possible saturation: watched, with its chance, nothing proposed to buy."""
    probability = row.get("crossing_probability")
    chance = "" if probability is None else f" ({probability:.0%} chance within the horizon)"
    return {
        "action": "watch",
        "resource": row["resource"],
        "reason": f"possible saturation{chance}: watched, capacity is proposed once it is likely",
    }


def recommend(row: dict[str, Any], host: dict[str, Any] | None, settings: Settings) -> dict | None:
    """The recommendation for one forecast row with a risk level (None without one): sizing
    and its cost for a likely saturation, a watch item for a possible one, and for a leak
    (either level) to investigate before buying."""
    if row["resource"] not in CAPACITY_UNITS or row.get("threshold") is None:
        return None
    if row.get("risk") is None:
        return None
    if looks_like_a_leak(row):
        return {
            "action": "investigate",
            "resource": row["resource"],
            "reason": (
                f"memory grows steadily ({row['trend_per_day']:+.2f} points a day, R² "
                f"{row['r_squared']:.2f}): likely a leak; find the process and restart it "
                "before buying memory"
            ),
        }
    if row["risk"] == "possible":
        return watch_item(row)
    series = row.get("series") or {"forecast": []}
    upper = [point["hi80"] for point in series["forecast"]]
    peak = projected_peak(
        max(upper) if upper else None,
        row.get("current_value"),
        row.get("trend_per_day"),
        settings.forecast_horizon_days,
    )
    if peak is None:
        return None
    return size_scaling(row["resource"], peak, host, row["threshold"], settings)
