"""What a benchmark ran on, recorded next to its figures."""

import os
import platform
import subprocess
from datetime import UTC, datetime
from typing import Any

# The benchmarks' PostgreSQL is configured as a server of this size would be in production
# (the defaults are sized for a laptop: 128 MB of buffers, a checkpoint every 1 GB of WAL).
POSTGRES_SETTINGS = {"shared_buffers": "2GB", "max_wal_size": "8GB", "wal_buffers": "64MB"}


def describe_machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(
                line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    postgres = subprocess.run(
        ["postgres", "--version"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib, 1),
        "python": platform.python_version(),
        "postgres": postgres,
        "postgres_settings": POSTGRES_SETTINGS,
        "kernel": platform.release(),
    }
