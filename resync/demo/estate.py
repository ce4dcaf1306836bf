"""A demo estate: FTA samples with a disk filling, a memory leak, a flaky link, healthy ones."""

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

Scenario = Literal["healthy", "disk_filling", "memory_leak", "flaky_link"]


@dataclass(frozen=True)
class FtaProfile:
    """How one demo FTA behaves: its baseline and what goes wrong with it."""

    name: str
    scenario: Scenario
    cpu_count: int
    memory_total_mb: int
    disk_total_gb: int
    cpu_base: float  # mean CPU % outside the nightly batch window
    memory_base: float
    disk_start: float  # disk % at the start of the history
    disk_growth_per_day: float
    latency_ms: float


def demo_estate(count: int = 20, seed: int = 7) -> list[FtaProfile]:
    """`count` FTAs: a disk filling, a memory leak, a flaky link, the rest healthy.

    The disk reaches 84 % at the end of 30 days of history and grows 0.6 %/day; the leak
    pushes memory past 95 % in the nightly batch window; the link drops in its last hour.
    """
    rng = random.Random(seed)
    scenarios: list[Scenario] = ["disk_filling", "memory_leak", "flaky_link"]
    profiles = []
    for index in range(count):
        scenario = scenarios[index] if index < len(scenarios) else "healthy"
        profiles.append(
            FtaProfile(
                name=f"FTA-{['PAY', 'HR', 'ERP', 'CRM', 'DWH'][index % 5]}-{index + 1:02d}",
                scenario=scenario,
                cpu_count=rng.choice([4, 8, 16]),
                memory_total_mb=rng.choice([16384, 32768, 65536]),
                disk_total_gb=rng.choice([200, 500, 1000]),
                cpu_base=rng.uniform(15, 40),
                memory_base=rng.uniform(35, 60),
                disk_start=66.0 if scenario == "disk_filling" else rng.uniform(30, 70),
                disk_growth_per_day=0.6 if scenario == "disk_filling" else rng.uniform(0, 0.05),
                latency_ms=rng.uniform(0.5, 8),
            )
        )
    return profiles


def sample(
    profile: FtaProfile, at: datetime, start: datetime, rng: random.Random
) -> dict[str, Any]:
    """One payload of `profile` at `at` (history began at `start`)."""
    hour = at.hour + at.minute / 60
    days = (at - start).total_seconds() / 86400
    # TWS plans run their heaviest batch around 01:00 (hours from it, on the 24-hour circle).
    from_peak = (hour - 1 + 12) % 24 - 12
    batch_window = math.exp(-(from_peak**2) / 8)
    cpu = profile.cpu_base + 40 * batch_window + rng.gauss(0, 4)
    memory = profile.memory_base + 10 * batch_window + rng.gauss(0, 1.5)
    if profile.scenario == "memory_leak":
        memory += 1.7 * days  # a leaking listener, restarted never
    disk = profile.disk_start + profile.disk_growth_per_day * days + rng.gauss(0, 0.05)
    latency = profile.latency_ms * (1 + 0.3 * batch_window)
    loss = 0.0 if rng.random() > 0.05 else rng.choice([1.0, 5.0])
    connected = 1
    if profile.scenario == "flaky_link":
        latency *= 1 + days / 10
        loss = rng.choice([0, 0, 5, 10, 25, 40])
        if at > start + timedelta(days=29, hours=23) or rng.random() < 0.03:
            connected = 0
    minimum = max(0.1, latency * rng.uniform(0.4, 0.8))
    maximum = latency * rng.uniform(1.5, 4)
    metrics: dict[str, Any] = {
        "cpu_percent": _clamp(cpu),
        "memory_percent": _clamp(memory),
        "disk_percent": _clamp(disk),
        "latency_min_ms": round(minimum, 2),
        "latency_avg_ms": round(latency, 2),
        "latency_max_ms": round(maximum, 2),
        "packet_loss_percent": float(loss),
        "tcp_connectivity": connected,
        "disk_io_read_kbs": round(max(0.0, 800 + 3000 * batch_window + rng.gauss(0, 200)), 1),
        "disk_io_write_kbs": round(max(0.0, 500 + 2500 * batch_window + rng.gauss(0, 150)), 1),
        "process_count": int(180 + 120 * batch_window + rng.gauss(0, 8)),
        "load_avg_1": round(max(0.0, profile.cpu_count * cpu / 100 + rng.gauss(0, 0.2)), 2),
        "load_avg_5": round(max(0.0, profile.cpu_count * cpu / 100), 2),
        "load_avg_15": round(max(0.0, profile.cpu_count * (cpu - 3) / 100), 2),
        "network_rx_kbs": round(max(0.0, 100 + 400 * batch_window + rng.gauss(0, 20)), 1),
        "network_tx_kbs": round(max(0.0, 80 + 300 * batch_window + rng.gauss(0, 15)), 1),
    }
    return {
        "workstation": profile.name,
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "metrics": metrics,
        "latency_method": "icmp",
        "host": {
            "cpu_count": profile.cpu_count,
            "memory_total_mb": profile.memory_total_mb,
            "disk_total_gb": profile.disk_total_gb,
            "os_type": "Linux",
            "os_version": "5.14",
            "agent_version": "1.0.0",
        },
        "tws": {
            "stdlist_mb": round(200 + 40 * days, 1),
            "message_files": {"Mailbox.msg": round(min(100.0, 2 + 3 * batch_window), 1)},
        },
    }


def history(
    profiles: list[FtaProfile], days: int, interval: timedelta, end: datetime, seed: int = 11
) -> Iterator[dict[str, Any]]:
    """Samples for every profile, every `interval`, over the `days` before `end`."""
    rng = random.Random(seed)
    start = end - timedelta(days=days)
    moment = start
    while moment < end:
        for profile in profiles:
            yield sample(profile, moment, start, rng)
        moment += interval


def _clamp(value: float) -> float:
    return round(min(100.0, max(0.0, value)), 2)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
