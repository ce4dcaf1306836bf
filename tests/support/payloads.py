"""Payload builders for tests: the DESIGN.md sample, at a time and place of the test's choosing."""

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

SEED_METRICS = {
    "cpu_percent": 45.2,
    "memory_percent": 62.8,
    "disk_percent": 78.5,
    "latency_min_ms": 2.1,
    "latency_avg_ms": 5.3,
    "latency_max_ms": 12.7,
    "packet_loss_percent": 0.5,
    "tcp_connectivity": 1,
    "disk_io_read_kbs": 1250,
    "disk_io_write_kbs": 850,
    "process_count": 245,
    "load_avg_1": 2.15,
    "load_avg_5": 1.98,
    "load_avg_15": 1.82,
    "network_rx_kbs": 125,
    "network_tx_kbs": 89,
}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def minutes_ago(minutes: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes)


def payload(
    workstation: str = "WS-PROD-01", at: datetime | None = None, **metrics: Any
) -> dict[str, Any]:
    """The seed payload for `workstation` at `at` (default: one minute ago), metrics overridden."""
    body = {
        "workstation": workstation,
        "timestamp": iso(at or minutes_ago(1)),
        "metrics": {**copy.deepcopy(SEED_METRICS), **metrics},
    }
    return body
