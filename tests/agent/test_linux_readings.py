"""The real script on this Linux host: a valid payload, each reading close to an independent one."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from resync.ingest.payload import METRIC_NAMES, MetricsPayload


def physical_disks() -> set[str]:
    return {path.name for path in Path("/sys/block").iterdir() if (path / "device").exists()}


def proc_counters() -> dict[str, float]:
    """Disk kB over physical disks and network kB over non-loopback interfaces, from /proc."""
    disks = physical_disks()
    read_kb = write_kb = rx_kb = tx_kb = 0.0
    for line in Path("/proc/diskstats").read_text().splitlines():
        fields = line.split()
        if fields[2] in disks:
            read_kb += int(fields[5]) / 2
            write_kb += int(fields[9]) / 2
    for line in Path("/proc/net/dev").read_text().splitlines()[2:]:
        name, data = line.split(":", 1)
        if name.strip() != "lo":
            values = data.split()
            rx_kb += int(values[0]) / 1024
            tx_kb += int(values[8]) / 1024
    clock = float(Path("/proc/uptime").read_text().split()[0])
    return {
        "clock": clock,
        "disk_read_kb": read_kb,
        "disk_write_kb": write_kb,
        "net_rx_kb": rx_kb,
        "net_tx_kb": tx_kb,
    }


def test_dry_run_payload_is_valid_for_the_api(agent, listening_port):
    tws_home = agent.home / "TWS"
    (tws_home / "stdlist" / "2024.12.25").mkdir(parents=True)
    (tws_home / "stdlist" / "2024.12.25" / "O1234.1030").write_bytes(b"x" * 2 * 1024 * 1024)
    result = agent.run("--dry-run", TWS_HOME=str(tws_home), RESYNC_MASTER_PORT=str(listening_port))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1, "stdout must carry the JSON payload alone"
    payload = MetricsPayload.model_validate_json(result.stdout)
    raw = json.loads(result.stdout)
    assert list(raw["metrics"]) == list(METRIC_NAMES)
    assert payload.ignored_fields() == []
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", raw["timestamp"])
    assert payload.host.os_type == "Linux"
    assert payload.host.os_version == os.uname().release
    assert payload.host.agent_version == "1.1.0"
    assert 1.9 <= payload.tws.stdlist_mb <= 2.2


def test_readings_match_psutil_and_proc(agent):
    psutil.cpu_percent()
    before_processes, load_before = len(psutil.pids()), os.getloadavg()
    payload = agent.dry_run(RESYNC_SAMPLE_SECONDS="2")
    cpu_reference = psutil.cpu_percent()
    after_processes, load_after = len(psutil.pids()), os.getloadavg()
    metrics, host = payload["metrics"], payload["host"]

    lines = Path("/proc/meminfo").read_text().splitlines()
    meminfo = {line.split(":")[0]: int(line.split()[1]) for line in lines}
    memory = 100 * (meminfo["MemTotal"] - meminfo["MemAvailable"]) / meminfo["MemTotal"]
    assert metrics["memory_percent"] == pytest.approx(memory, abs=2)

    usage = os.statvfs("/")
    used = (usage.f_blocks - usage.f_bfree) * usage.f_frsize
    available = usage.f_bavail * usage.f_frsize
    assert metrics["disk_percent"] == pytest.approx(100 * used / (used + available), abs=0.5)
    assert host["disk_total_gb"] == pytest.approx(usage.f_blocks * usage.f_frsize / 2**30, abs=0.1)

    # The kernel moves its averages every 5 s, by a second or more on a busy machine: the
    # reading lies between those taken before and after the run.
    names = ("load_avg_1", "load_avg_5", "load_avg_15")
    for name, before, after in zip(names, load_before, load_after, strict=True):
        assert min(before, after) - 0.05 <= metrics[name] <= max(before, after) + 0.05
    low, high = sorted((before_processes, after_processes))
    assert low - 15 <= metrics["process_count"] <= high + 15
    # Both cover about the same two seconds on a machine others share: a loose but real bound.
    assert metrics["cpu_percent"] == pytest.approx(cpu_reference, abs=25)
    assert host["cpu_count"] == psutil.cpu_count()
    assert host["memory_total_mb"] == pytest.approx(psutil.virtual_memory().total / 2**20, abs=1)


def test_cpu_reading_sees_busy_cores(agent):
    """One spinning process per core: the busy share must come out high, not user time alone."""
    spin = "import time\nend = time.monotonic() + 4\nwhile time.monotonic() < end: pass"
    spinners = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(psutil.cpu_count())]
    try:
        busy = agent.dry_run(RESYNC_SAMPLE_SECONDS="2")["metrics"]["cpu_percent"]
    finally:
        for spinner in spinners:
            spinner.wait()
    assert busy >= 80


def test_rates_cover_the_interval_since_the_previous_run(agent):
    agent.state_dir.mkdir(parents=True)
    start = proc_counters()
    (agent.state_dir / "counters.state").write_text(
        "".join(f"{name}={value}\n" for name, value in start.items())
    )
    scratch = agent.home / "scratch.bin"
    with open(scratch, "wb") as handle:
        handle.write(os.urandom(16 * 1024 * 1024))
        handle.flush()
        os.fsync(handle.fileno())
    before_run = proc_counters()
    result = agent.run("--dry-run")
    after_run = proc_counters()
    assert result.returncode == 0, result.stderr
    elapsed = float(re.search(r"rates from the interval sample over ([\d.]+) s", result.stderr)[1])
    assert (
        before_run["clock"] - start["clock"] <= elapsed <= after_run["clock"] - start["clock"] + 0.1
    )
    metrics = json.loads(result.stdout)["metrics"]
    for metric, counter in (
        ("disk_io_read_kbs", "disk_read_kb"),
        ("disk_io_write_kbs", "disk_write_kb"),
        ("network_rx_kbs", "net_rx_kb"),
        ("network_tx_kbs", "net_tx_kb"),
    ):
        # The reported rate times the interval is what the counters moved during it.
        moved = metrics[metric] * elapsed
        low = before_run[counter] - start[counter]
        high = after_run[counter] - start[counter]
        assert low * 0.99 - 1 <= moved <= high * 1.01 + 1, metric
    assert metrics["disk_io_write_kbs"] * elapsed >= 16 * 1024 * 0.9


def test_a_run_the_previous_one_covers_does_not_pause(agent):
    # The previous run saved every counter, CPU time included, a minute ago: the interval since
    # is the sample, so a run asked for a 60 s short sample ends without taking one.
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = ticks
    busy = user + nice + system + irq + softirq + steal
    previous = {
        **proc_counters(),
        "cpu_busy": busy - 100,
        "cpu_total": busy + idle + iowait - 400,
        "cpu_iowait": iowait,
        "cpu_steal": steal,
    }
    previous["clock"] -= 60
    agent.state_dir.mkdir(parents=True)
    (agent.state_dir / "counters.state").write_text(
        "".join(f"{name}={value}\n" for name, value in previous.items())
    )
    result = agent.run("--dry-run", RESYNC_SAMPLE_SECONDS="60", timeout=30)
    assert result.returncode == 0, result.stderr
    assert re.search(r"rates from the interval sample over 60\.\d\d s", result.stderr), (
        result.stderr
    )
    assert 0 < json.loads(result.stdout)["metrics"]["cpu_percent"] <= 100


def test_first_run_and_stale_state_use_a_short_sample(agent):
    result = agent.run("--dry-run", RESYNC_SAMPLE_SECONDS="1")
    assert re.search(r"rates from the short sample over (0\.9\d|1\.\d\d) s", result.stderr), (
        result.stderr
    )
    agent.state_dir.mkdir(parents=True)
    stale = proc_counters()
    stale["clock"] -= 3600
    (agent.state_dir / "counters.state").write_text(
        "".join(f"{name}={value}\n" for name, value in stale.items())
    )
    assert "short sample" in agent.run("--dry-run").stderr


def test_counter_reset_falls_back_to_a_short_sample(agent):
    agent.state_dir.mkdir(parents=True)
    after_reboot = proc_counters()
    after_reboot["disk_read_kb"] += 10**9
    after_reboot["clock"] -= 300
    (agent.state_dir / "counters.state").write_text(
        "".join(f"{name}={value}\n" for name, value in after_reboot.items())
    )
    result = agent.run("--dry-run")
    assert "short sample" in result.stderr
    assert json.loads(result.stdout)["metrics"]["disk_io_read_kbs"] >= 0


def test_icmp_latency_to_loopback(agent):
    payload = agent.dry_run(RESYNC_LATENCY_METHOD="icmp")
    metrics = payload["metrics"]
    assert payload["latency_method"] == "icmp"
    assert metrics["packet_loss_percent"] == 0
    assert (
        0 < metrics["latency_min_ms"] <= metrics["latency_avg_ms"] <= metrics["latency_max_ms"] < 50
    )


def test_tcp_latency_and_connectivity_to_a_listening_port(agent, listening_port):
    payload = agent.dry_run(RESYNC_LATENCY_METHOD="tcp", RESYNC_MASTER_PORT=str(listening_port))
    metrics = payload["metrics"]
    assert payload["latency_method"] == "tcp"
    assert (metrics["packet_loss_percent"], metrics["tcp_connectivity"]) == (0, 1)
    assert (
        0
        < metrics["latency_min_ms"]
        <= metrics["latency_avg_ms"]
        <= metrics["latency_max_ms"]
        < 100
    )


def test_closed_port_means_full_loss_null_latency_and_no_connectivity(agent):
    payload = agent.dry_run(RESYNC_LATENCY_METHOD="tcp")
    metrics = payload["metrics"]
    assert (metrics["packet_loss_percent"], metrics["tcp_connectivity"]) == (100, 0)
    assert [metrics[f"latency_{kind}_ms"] for kind in ("min", "avg", "max")] == [None, None, None]
    MetricsPayload.model_validate(payload)


def test_icmp_reachable_master_with_closed_port_has_no_tcp_connectivity(agent):
    payload = agent.dry_run(RESYNC_LATENCY_METHOD="auto")
    assert payload["latency_method"] == "icmp"
    assert payload["metrics"]["tcp_connectivity"] == 0
