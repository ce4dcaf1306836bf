"""Series with known futures for the crossing-date benchmark: growth that wanders, and none.

Written before the crossing-date method was tuned, and not changed after. Each series is one
FTA resource as hourly values: `HISTORY_DAYS` of history and `HORIZON_DAYS` of the future that
followed, drawn by the same process, so the truth is simply what the future did. Kinds:

- `drift`: a random walk with drift, daily growth N(mu, sd) with sd 0.15 or 0.35 (issue 17);
- `wandering_slope`: the daily growth itself a random walk (growth that speeds up and stalls);
- `jumps`: steady growth with steps up at random days (a new application's files);
- `cleanup`: growth with a cleanup that drops the level in the history or in the future;
- `bursts`: growth with bursts of a few days well above the trend, which then pass;
- `stationary`: no trend, a level between 60 and 88 with a weekly peak and daily noise;
- `stationary_ar`: no trend, a mean-reverting level (AR(1) days) between 65 and 85.

Every series has a daily rhythm and hourly noise on top of its daily level. The resource is
disk (threshold 90, read as the daily mean) or CPU (threshold 95, read as the daily peak), as
the capacity flow reads them. Seeds 0-9,999 are for tuning; seeds from `HELD_OUT_SEED` on are
scored once, after tuning (1,000,000 on, 2,000,000 on and 3,000,000-3,000,299 were the held-out
ranges of earlier versions of the method, each scored once).
"""

from dataclasses import dataclass

import numpy as np

HISTORY_DAYS = 30
HORIZON_DAYS = 90
HOURS = 24
HELD_OUT_SEED = 4_000_000
GROWING = ("drift", "wandering_slope", "jumps", "cleanup", "bursts")
STATIONARY = ("stationary", "stationary_ar")
KINDS = GROWING + STATIONARY
THRESHOLDS = {"disk": 90.0, "cpu": 95.0}


@dataclass(frozen=True)
class GeneratedSeries:
    """Hourly `history` and the `future` that followed, of `resource` with its threshold."""

    kind: str
    seed: int
    resource: str
    threshold: float
    history: np.ndarray
    future: np.ndarray


def _growth_levels(kind: str, days: int, rng: np.random.Generator) -> np.ndarray:
    """Daily levels of a growing series, starting at 0 (the caller adds the start level)."""
    mu = rng.uniform(0.1, 0.7)
    if kind == "drift":
        return np.cumsum(rng.normal(mu, rng.choice([0.15, 0.35]), days))
    if kind == "wandering_slope":
        slopes = mu + np.cumsum(rng.normal(0, rng.uniform(0.01, 0.04), days))
        return np.cumsum(slopes) + np.cumsum(rng.normal(0, 0.1, days))
    steady = np.cumsum(rng.normal(mu, 0.1, days))
    if kind == "jumps":
        jumps = (rng.random(days) < 1 / 20) * rng.uniform(2, 6, days)
        return steady + np.cumsum(jumps)
    if kind == "cleanup":
        day = rng.integers(5, days - 5)
        return steady - rng.uniform(10, 25) * (np.arange(days) >= day)
    if kind == "bursts":
        bursts = np.zeros(days)
        for start in np.flatnonzero(rng.random(days) < 1 / 25):
            bursts[start : start + rng.integers(2, 5)] += rng.uniform(4, 10)
        return steady + bursts
    raise ValueError(f"unknown kind {kind!r}")


def _stationary_levels(kind: str, days: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "stationary":
        weekly = rng.uniform(0, 6) * (np.arange(days) % 7 == rng.integers(7))
        return rng.uniform(60, 84) + weekly + rng.normal(0, rng.uniform(0.3, 1.5), days)
    phi, sd = rng.uniform(0.5, 0.9), rng.uniform(0.5, 2.0)
    deviation = np.zeros(days)
    for day in range(1, days):
        deviation[day] = phi * deviation[day - 1] + rng.normal(0, sd)
    return rng.uniform(65, 85) + deviation


def generate(kind: str, seed: int) -> GeneratedSeries:
    """One series of `kind`, the same for the same seed."""
    rng = np.random.default_rng([seed, KINDS.index(kind)])
    resource = "disk" if rng.random() < 0.5 else "cpu"
    threshold = THRESHOLDS[resource]
    days = HISTORY_DAYS + HORIZON_DAYS
    if kind in GROWING:
        # Starts so that the threshold is reached anywhere from inside the horizon to never.
        levels = rng.uniform(35, 80) + _growth_levels(kind, days, rng)
    else:
        levels = _stationary_levels(kind, days, rng)
    hours = np.arange(days * HOURS)
    rhythm = rng.uniform(0, 6) * np.sin(2 * np.pi * hours / HOURS)
    if resource == "disk":
        rhythm *= 0.1
    noise = rng.normal(0, rng.uniform(0.2, 1.5 if resource == "cpu" else 0.3), hours.size)
    hourly = np.clip(np.repeat(levels, HOURS) + rhythm + noise, 0, 100)
    split = HISTORY_DAYS * HOURS
    return GeneratedSeries(kind, seed, resource, threshold, hourly[:split], hourly[split:])


def true_crossing_day(series: GeneratedSeries) -> int | None:
    """The first future day (1-based) whose daily peak (CPU) or mean (disk) reaches the
    threshold, or None when none does within the horizon."""
    days = series.future.reshape(-1, HOURS)
    daily = days.max(axis=1) if series.resource == "cpu" else days.mean(axis=1)
    crossed = np.flatnonzero(daily >= series.threshold)
    return int(crossed[0]) + 1 if crossed.size else None
