"""The signals of one simulated FTA: noise-free curves, the noise on them and its job runs.

Curves are functions of days since the start of the history, so they continue past `now`
(the truth of a scenario is read from that continuation). See `resync.demo.simulation`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from resync.db.frames import UTC_TIME

Curve = Callable[[np.ndarray], np.ndarray]
THRESHOLDS = {"memory_percent": 100.0, "packet_loss_percent": 100.0, "message_file": 100.0}
FUTURE_DAYS = 120
# Trends do not continue exactly: past `now`, a growth rate is multiplied by a log-normal factor.
FUTURE_DRIFT = 0.2
# Noise of the injected scenarios, as a factor on the healthy FTAs' noise (uniform range).
SCENARIO_NOISE = {
    label: (0.5, 2.5)
    for label in ("disk_filling", "memory_leak", "degrading_link", "message_file_filling")
}
PINGS = 20
# (job stream, job name, hours between runs, typical duration in seconds)
JOBS = (
    ("ETL", "EXTRACT_ORDERS", 1, 300.0),
    ("BILLING", "RUN_INVOICES", 4, 900.0),
    ("BACKUP", "ARCHIVE_LOGS", 12, 600.0),
    ("REPORTS", "DAILY_SUMMARY", 24, 1200.0),
)


def _line(start: float, slope: float, onset: float = 0.0, now: float = np.inf, factor=1.0) -> Curve:
    """`start`, then growing by `slope` a day from `onset`, by `slope * factor` after `now`."""
    return lambda t: (
        start
        + slope * np.maximum(np.minimum(t, now) - onset, 0.0)
        + slope * factor * np.maximum(t - max(now, onset), 0.0)
    )


def _daily(base: Curve, amplitude: float) -> Curve:
    return lambda t: base(t) + amplitude * np.sin(2 * np.pi * (t % 1.0 - 0.25))


@dataclass
class Signals:
    """Noise-free curves of one FTA, the noise levels, and the scenario's truth."""

    disk: Curve
    memory: Curve
    loss: Curve
    mailbox: Curve
    disk_total_gb: int
    noise: float = 1.0
    resource: str | None = None
    failure_days: float | None = None
    abend_rate: float = 0.02
    creep: Curve | None = None  # factor on the hourly job's duration, from the disk level
    failing_job_from: float | None = None  # day the 4-hourly job starts failing often
    extras: dict[str, float] = field(default_factory=dict)

    def truth(self, curve: Curve, threshold: float, days: int) -> None:
        """Set `failure_days`: when `curve`, continued past day `days`, reaches `threshold`."""
        future = days + np.arange(0, FUTURE_DAYS * 24) / 24
        crossed = np.flatnonzero(curve(future) >= threshold)
        self.failure_days = float(future[crossed[0]] - days) if crossed.size else None

    def metrics_frame(
        self, workstation: str, times: pl.Series, rng: np.random.Generator
    ) -> pl.DataFrame:
        """5-minute samples at `times`: every `workstation_metrics_history` column."""
        size = times.len()
        t = (times - times[0]).dt.total_seconds().to_numpy() / 86_400 + 1 / 288
        noise = self.noise

        def noisy(curve: Curve, sd: float, low: float = 0.0, high: float = 100.0) -> np.ndarray:
            return np.clip(curve(t) + rng.normal(0, sd * noise, size), low, high)

        loss_probability = np.clip(self.loss(t), 0, 100) / 100
        if noise > 1:
            bursts = rng.random(size) < 0.02
            loss_probability[bursts] = rng.uniform(0.1, 0.4, bursts.sum())
        loss = rng.binomial(PINGS, loss_probability) / PINGS * 100
        latency = self.extras["latency_ms"] * (1 + 4 * loss_probability)
        latency *= rng.lognormal(0, 0.1 * noise, size)
        disk = noisy(self.disk, 0.15)
        if noise > 1:
            spikes = rng.random(size) < 0.01
            disk[spikes] = np.minimum(disk[spikes] + rng.uniform(3, 10, spikes.sum()), 100)
        cpu = noisy(_daily(lambda x: np.full_like(x, self.extras["cpu"]), 12), 4)
        stdlist = self.extras["stdlist_mb"] + np.maximum(
            (self.disk(t) - self.disk(np.zeros(1))) / 100 * self.disk_total_gb * 1024 * 0.4, 0
        )
        return pl.DataFrame(
            {
                "workstation": workstation,
                "sample_time": times,
                "cpu_percent": cpu,
                "memory_percent": noisy(self.memory, 1.5),
                "disk_percent": disk,
                "latency_min_ms": latency * 0.6,
                "latency_avg_ms": latency,
                "latency_max_ms": latency * 2.2,
                "packet_loss_percent": loss,
                "tcp_connectivity": (loss < 100).astype(np.int16),
                "disk_io_read_kbs": rng.gamma(2.0, 600, size),
                "disk_io_write_kbs": rng.gamma(2.0, 400, size),
                "process_count": rng.integers(180, 320, size),
                "load_avg_1": cpu / 25,
                "load_avg_5": cpu / 27,
                "load_avg_15": cpu / 30,
                "network_rx_kbs": rng.gamma(2.0, 60, size),
                "network_tx_kbs": rng.gamma(2.0, 45, size),
                "latency_method": "icmp",
                "stdlist_mb": stdlist + rng.normal(0, 2, size),
                "message_files": pl.DataFrame(
                    {
                        "Mailbox.msg": noisy(self.mailbox, 0.3),
                        "Intercom.msg": noisy(lambda x: np.full_like(x, 0.5), 0.2),
                    }
                ).to_struct(),
            }
        )


def scenario_signals(
    label: str, rng: np.random.Generator, days: int, disk_threshold: float
) -> Signals:
    """The curves of a scenario, with its truth computed from their continuation."""
    u = rng.uniform
    failure_in, leak_days = u(4, 25), u(4, 16)
    drift = {"now": float(days), "factor": float(rng.lognormal(0.0, FUTURE_DRIFT))}
    onset = days - leak_days
    memory_base, memory_amplitude = u(30, 55), u(3, 8)
    signals = Signals(
        disk=_line(u(20, 60), u(-0.02, 0.06)),
        memory=_daily(_line(memory_base, 0.0), memory_amplitude),
        loss=_line(0.0, 0.0),
        mailbox=_line(u(0, 3), 0.0),
        disk_total_gb=int(rng.choice([50, 100, 200, 500])),
        abend_rate=u(0.005, 0.03),
        extras={"latency_ms": u(2, 15), "cpu": u(10, 40), "stdlist_mb": u(200, 1500)},
    )
    if SCENARIO_NOISE.get(label):
        signals.noise = u(*SCENARIO_NOISE[label])
    if label == "noisy_healthy":
        signals.noise, signals.abend_rate = u(2.5, 4), u(0.05, 0.1)
        signals.memory = _daily(_line(u(30, 45), 0.0), u(10, 18))
    elif label == "disk_cleanup":
        cleaned, level, fast = days - u(5, 12), u(30, 45), u(0.8, 1.5)
        drop, slow = u(25, 35), u(0.0, 0.15)
        signals.disk = lambda t: np.where(
            t < cleaned, level + fast * t, level + fast * cleaned - drop + slow * (t - cleaned)
        )
    elif label == "slow_disk_growth":
        start, failure_in = u(30, 60), u(45, 100)
        signals.disk = _line(start, (disk_threshold - start) / (days + failure_in), **drift)
        signals.truth(signals.disk, disk_threshold, days)
    elif label == "weekend_batch":
        base, bump, phase = u(40, 65), u(6, 12), u(0, 7)
        signals.disk = lambda t: base + bump * (np.floor(t + phase) % 7 >= 5)
    elif label == "disk_filling":
        start = u(20, 50)
        slope = (disk_threshold - start) / (days + failure_in)
        signals.disk = _line(start, slope, **drift)
        signals.creep = lambda t: 1 + 1.5 * (signals.disk(t) - start) / (disk_threshold - start)
        signals.resource = "disk_percent"
        signals.truth(signals.disk, disk_threshold, days)
    elif label == "memory_leak":
        slope = (100 - memory_base - memory_amplitude) / (leak_days + failure_in)
        signals.memory = _daily(_line(memory_base, slope, onset, **drift), memory_amplitude)
        signals.resource = "memory_percent"
        signals.truth(signals.memory, THRESHOLDS["memory_percent"], days)
    elif label == "degrading_link":
        signals.loss = _line(0.0, 100 / (leak_days + failure_in), onset, **drift)
        signals.resource = "packet_loss_percent"
        signals.truth(signals.loss, THRESHOLDS["packet_loss_percent"], days)
    elif label == "message_file_filling":
        base = u(0, 3)
        signals.mailbox = _line(base, (100 - base) / (leak_days + failure_in), onset, **drift)
        signals.resource = "message_file:Mailbox.msg"
        signals.truth(signals.mailbox, THRESHOLDS["message_file"], days)
    elif label == "job_failures":
        signals.failing_job_from = days - 7
        signals.resource = "job:BILLING.RUN_INVOICES"
    return signals


def job_runs_frame(
    workstation: str,
    label: str,
    signals: Signals,
    start: datetime,
    days: int,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """The job runs of one FTA over the history (`job_execution_history` columns)."""
    frames = []
    for number, (stream, job, every_hours, typical) in enumerate(JOBS):
        offsets = np.arange(every_hours / 24 * rng.uniform(0.1, 0.9), days, every_hours / 24)
        duration = typical * rng.lognormal(0, 0.15 * signals.noise**0.5, offsets.size)
        if number == 0 and signals.creep is not None:
            duration *= signals.creep(offsets)
        abend = signals.abend_rate
        if number == 1 and signals.failing_job_from is not None:
            abend = np.where(offsets >= signals.failing_job_from, 0.4, 0.02)
        failed = rng.random(offsets.size) < abend
        started = [start + timedelta(days=float(offset)) for offset in offsets]
        frames.append(
            pl.DataFrame(
                {
                    "workstation": workstation,
                    "job_stream": stream,
                    "job_name": job,
                    "run_id": [f"{workstation}-{job}-{index}" for index in range(offsets.size)],
                    "status": np.where(failed, "ABEND", "SUCC"),
                    "return_code": np.where(failed, 12, 0),
                    "started_at": pl.Series(started, dtype=UTC_TIME),
                    "duration": np.where(failed, duration * 0.3, duration),
                }
            )
        )
    runs = pl.concat(frames).filter(
        pl.col("started_at") + pl.duration(seconds=pl.col("duration"))
        <= start + timedelta(days=days)
    )
    return runs.with_columns(
        ended_at=pl.col("started_at") + pl.duration(milliseconds=pl.col("duration") * 1000),
        joblog=pl.lit(None, pl.String),
        received_at=pl.col("started_at") + pl.duration(milliseconds=pl.col("duration") * 1000),
    )
