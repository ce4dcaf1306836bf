"""Readings as FTAs in the field give them: comma-decimal locales, refused commands, stacked
network interfaces, and CPU averaged over the whole interval."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from resync.ingest.payload import MetricsPayload
from tests.agent.conftest import AGENT, require_tool
from tests.agent.test_linux_readings import proc_counters


@pytest.fixture(scope="module")
def comma_locales(tmp_path_factory) -> Path:
    """pt_BR.UTF-8 and de_DE.UTF-8 compiled into a directory of their own (LOCPATH)."""
    localedef = require_tool("localedef")
    directory = tmp_path_factory.mktemp("locales")
    for name in ("pt_BR", "de_DE"):
        result = subprocess.run(
            [localedef, "-i", name, "-f", "UTF-8", str(directory / f"{name}.UTF-8")],
            capture_output=True,
            text=True,
        )
        assert (directory / f"{name}.UTF-8").is_dir(), (
            f"localedef could not build {name}.UTF-8 (is the 'locales' package installed?): "
            + result.stderr
        )
    return directory


@pytest.mark.parametrize(
    ("shell", "language"), [("ksh", "pt_BR.UTF-8"), ("dash", "de_DE.UTF-8")], indirect=["shell"]
)
def test_whole_run_under_a_comma_decimal_locale(
    agent, stub_api, listening_port, comma_locales, language
):
    probe = subprocess.run(
        ["awk", 'BEGIN { printf "%.2f", 100 }'],
        env={"LOCPATH": str(comma_locales), "LANG": language, "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
    )
    assert probe.stdout == "100,00", "the locale must really print a decimal comma"
    agent.write_key()
    agent.env.update(
        {
            "LOCPATH": str(comma_locales),
            "LANG": language,
            "LC_ALL": language,
            "RESYNC_API_URL": stub_api.url,
            "RESYNC_MASTER_PORT": str(listening_port),
        }
    )
    result = agent.run()
    assert result.returncode == 0, agent.log_text()
    [request] = stub_api.requests
    payload = MetricsPayload.model_validate(request["body"])
    assert payload.metrics.tcp_connectivity == 1
    assert 0 < payload.metrics.latency_min_ms <= payload.metrics.latency_max_ms
    assert payload.metrics.memory_percent is not None and payload.metrics.memory_percent > 0


def test_refused_svmon_falls_back_to_vmstat_pages(agent):
    agent.use_fakes("aix")
    metrics = agent.dry_run(FAKE_SVMON_DENIED="1")["metrics"]
    # vmstat -v: 4194304 pages, 1048576 free, 1048576 file (cache) pages.
    assert metrics["memory_percent"] == 50


def test_readings_that_cannot_be_taken_are_null_with_a_warning(agent):
    agent.use_fakes("aix")
    result = agent.run(
        "--dry-run",
        FAKE_SVMON_DENIED="1",
        FAKE_VMSTAT_V_DENIED="1",
        FAKE_IOSTAT_HISTORY_OFF="1",
        RESYNC_SAMPLE_SECONDS="2",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    metrics = payload["metrics"]
    assert metrics["memory_percent"] is None
    assert (metrics["disk_io_read_kbs"], metrics["disk_io_write_kbs"]) == (None, None)
    assert metrics["cpu_percent"] == 41 and metrics["network_rx_kbs"] == 400
    MetricsPayload.model_validate(payload)
    warnings = [line for line in result.stderr.splitlines() if " WARN " in line]
    assert (
        "'svmon -G' gave no reading (svmon: 3004-318 You must have root authority or "
        "aix.system.stat to run this command.); sending null" in result.stderr
    )
    assert "'vmstat -v' gave no reading (vmstat: 0551-101 Cannot open /dev/kmem.)" in result.stderr
    assert (
        "'iostat -d' gave no reading (\" Disk history since boot not available. \"); "
        "enable disk history with: chdev -l sys0 -a iostat=true; sending null" in result.stderr
    )
    assert len(warnings) == 3, warnings


def test_vmstat_columns_run_together_are_read_from_the_right(agent):
    agent.use_fakes("aix")
    assert agent.dry_run(FAKE_VMSTAT_RUN_TOGETHER="1")["metrics"]["cpu_percent"] == 41


def test_dedicated_lpar_cpu_is_user_plus_system(agent):
    agent.use_fakes("aix")
    payload = agent.dry_run(FAKE_LPAR="dedicated")
    assert payload["metrics"]["cpu_percent"] == 30
    assert "cpu_entitlement" not in payload["host"]
    assert payload["host"]["cpu_iowait_percent"] == 4
    assert "cpu_steal_percent" not in payload["host"]


NAMESPACE_SETUP = """
set -e
mount -t sysfs sysfs /sys
ip link set lo up
ip link add v0 type veth peer name v1
ip link add br0 type bridge
ip link set v1 master br0
for link in v0 v1 br0; do ip link set "$link" up; done
ip addr add 10.9.0.1/24 dev v0
ip route add default via 10.9.0.254 dev v0
ping -q -b -c 20 -i 0.01 -w 1 -s 1400 10.9.0.255 >/dev/null 2>&1 || true
"$@" >"$RUN_OUTPUT.default" 2>&1
RESYNC_NETWORK_INTERFACES=v1 "$@" >"$RUN_OUTPUT.v1" 2>&1
cat /proc/net/dev >"$RUN_OUTPUT.dev"
"""


@pytest.mark.parametrize("shell", ["dash"], indirect=True)
def test_network_counts_no_interface_stacked_on_another(agent):
    """A bridge over a veth carries the same bytes twice; only the default route's is counted
    when no interface has a device (as in this network namespace)."""
    unshare = require_tool("unshare")
    require_tool("ip")
    agent.state_dir.mkdir(parents=True)
    # Counters from zero 0.5 s before the run: the rates are the namespace's whole traffic.
    clock = float(Path("/proc/uptime").read_text().split()[0]) - 0.5
    disks = proc_counters()
    (agent.state_dir / "counters.state").write_text(
        f"clock={clock}\ndisk_read_kb={disks['disk_read_kb']}\n"
        f"disk_write_kb={disks['disk_write_kb']}\nnet_rx_kb=0\nnet_tx_kb=0\n"
    )
    output = agent.home / "run"
    result = subprocess.run(
        [unshare, "-rnm", "sh", "-c", NAMESPACE_SETUP, "sh", agent.shell, str(AGENT), "--dry-run"],
        env={**agent.env, "RUN_OUTPUT": str(output), "RESYNC_LATENCY_METHOD": "tcp"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    counters = {}
    for line in Path(f"{output}.dev").read_text().splitlines()[2:]:
        name, values = line.split(":", 1)
        counters[name.strip()] = [int(value) / 1024 for value in values.split()]
    assert counters["v0"][8] > 20 * 1400 / 1024, "the broadcast pings must have left v0"
    for run, interface in (("default", "v0"), ("v1", "v1")):
        text = Path(f"{output}.{run}").read_text()
        elapsed = float(re.search(r"rates from the interval sample over ([\d.]+) s", text)[1])
        metrics = json.loads(text[text.index("{") : text.rindex("}") + 1])["metrics"]
        # Rates are rounded to 0.1 kB/s; IPv6 chatter adds a few hundred bytes after the run.
        tolerance = 0.1 * elapsed + 2
        for metric, column in (("network_rx_kbs", 0), ("network_tx_kbs", 8)):
            moved = metrics[metric] * elapsed
            assert moved == pytest.approx(counters[interface][column], abs=tolerance), metric


def cpu_times() -> tuple[int, int]:
    """Busy and total CPU ticks as /proc/stat counts them."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait


@pytest.mark.parametrize("shell", ["dash"], indirect=True)
def test_cpu_is_the_average_over_the_interval(agent):
    """Busy cores during the interval count though they are idle when the run starts."""
    agent.state_dir.mkdir(parents=True)
    start_busy, start_total = cpu_times()
    clock = Path("/proc/uptime").read_text().split()[0]
    (agent.state_dir / "counters.state").write_text(
        f"clock={clock}\ncpu_busy={start_busy}\ncpu_total={start_total}\n"
        "cpu_iowait=0\ncpu_steal=0\n"
    )
    spin = "import time\nend = time.monotonic() + 2\nwhile time.monotonic() < end: pass"
    spinners = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(psutil.cpu_count())]
    for spinner in spinners:
        spinner.wait()
    before = cpu_times()
    result = agent.run("--dry-run")
    after = cpu_times()
    assert result.returncode == 0, result.stderr
    assert "rates from the interval sample" in result.stderr
    reported = json.loads(result.stdout)["metrics"]["cpu_percent"]
    shares = [100 * (busy - start_busy) / (total - start_total) for busy, total in (before, after)]
    assert min(shares) - 1 <= reported <= max(shares) + 1
    assert reported >= 40


def test_first_run_cpu_is_a_short_sample_and_state_keeps_the_counters(agent, stub_api):
    agent.write_key()
    agent.env["RESYNC_API_URL"] = stub_api.url
    assert agent.run().returncode == 0
    assert stub_api.requests[0]["body"]["metrics"]["cpu_percent"] is not None
    state = dict(
        line.split("=", 1) for line in (agent.state_dir / "counters.state").read_text().split()
    )
    assert int(state["cpu_total"]) > int(state["cpu_busy"]) > 0
