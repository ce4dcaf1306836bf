"""macOS and AIX played by fakes on PATH that print what those systems print; exact values."""

import json

import pytest

from resync.ingest.payload import MetricsPayload

DARWIN_METRICS = {
    "cpu_percent": 20,
    # vm_stat: free, inactive and speculative pages are available.
    "memory_percent": 73.85,
    "disk_percent": 75,
    "latency_min_ms": 0.412,
    "latency_avg_ms": 0.875,
    "latency_max_ms": 1.63,
    "packet_loss_percent": 0,
    "tcp_connectivity": 0,
    # Per reading: ioreg +1000 kB read, +3000 kB written; netstat -ib en0 +2000 kB in, +1000 out.
    "disk_io_read_kbs": 500,
    "disk_io_write_kbs": 1500,
    "process_count": 412,
    "load_avg_1": 1.84,
    "load_avg_5": 1.95,
    "load_avg_15": 2.01,
    "network_rx_kbs": 1000,
    "network_tx_kbs": 500,
}
DARWIN_HOST = {
    "cpu_count": 8,
    "memory_total_mb": 16384,
    "disk_total_gb": 465.6,
    "os_type": "Darwin",
    "os_version": "14.2.1",
    "agent_version": "1.1.0",
    "swap_percent": 25,
    "spool_files": 0,
    "rejected_files": 0,
}
AIX_METRICS = {
    # A shared-processor LPAR: 41 % of its entitlement consumed (vmstat's ec).
    "cpu_percent": 41,
    "memory_percent": 37.5,
    "disk_percent": 75,
    "latency_min_ms": 1,
    "latency_avg_ms": 2,
    "latency_max_ms": 4,
    "packet_loss_percent": 0,
    "tcp_connectivity": 0,
    # Per reading: iostat hdisk0 +4000 kB read, +6000 written; ent0 +800 kB in, +400 out.
    "disk_io_read_kbs": 2000,
    "disk_io_write_kbs": 3000,
    "process_count": 57,
    "load_avg_1": 1.23,
    "load_avg_5": 1.1,
    "load_avg_15": 1.05,
    "network_rx_kbs": 400,
    "network_tx_kbs": 200,
}
AIX_HOST = {
    "cpu_count": 8,
    "memory_total_mb": 16384,
    "disk_total_gb": 4,
    "os_type": "AIX",
    "os_version": "7.2",
    "agent_version": "1.1.0",
    "cpu_entitlement": 1,
    "swap_percent": 3,
    # vmstat's wa over the CPU sample; AIX counts no steal time, so none is sent.
    "cpu_iowait_percent": 4,
    "spool_files": 0,
    "rejected_files": 0,
}


@pytest.mark.parametrize(
    ("os_name", "workstation", "metrics", "host"),
    [
        ("darwin", "MAC-FTA01", DARWIN_METRICS, DARWIN_HOST),
        ("aix", "AIXFTA01", AIX_METRICS, AIX_HOST),
    ],
)
def test_every_reading_is_exact(agent, os_name, workstation, metrics, host):
    agent.use_fakes(os_name)
    payload = agent.dry_run(RESYNC_LATENCY_METHOD="icmp", RESYNC_SAMPLE_SECONDS="2")
    MetricsPayload.model_validate(payload)
    assert payload["workstation"] == workstation
    assert payload["metrics"] == metrics
    assert payload["host"] == host
    assert payload["latency_method"] == "icmp"
    assert "tws" not in payload


def test_darwin_rates_over_the_interval(agent):
    agent.use_fakes("darwin")
    agent.state_dir.mkdir(parents=True)
    # The fakes' second reading, the one a run ends with: both drives (the internal one +1024000
    # bytes read, +3072000 written) and en0 (+2048000 in, +1024000 out).
    after = {
        "disk_read_kb": (155148128256 + 73400320 + 1024000) / 1024,
        "disk_write_kb": (157706817536 + 8388608 + 3072000) / 1024,
        "net_rx_kb": (4123456789 + 2048000) / 1024,
        "net_tx_kb": (912345678 + 1024000) / 1024,
    }
    moved = {
        "disk_read_kb": 300000,
        "disk_write_kb": 600000,
        "net_rx_kb": 30000,
        "net_tx_kb": 15000,
    }
    (agent.state_dir / "counters.state").write_text(
        "clock=1699999700\n" + "".join(f"{k}={after[k] - moved[k]:.3f}\n" for k in after)
    )
    result = agent.run("--dry-run", FAKE_EPOCH="1700000000")
    assert "rates from the interval sample over 300.00 s" in result.stderr
    metrics = json.loads(result.stdout)["metrics"]
    assert [
        metrics[name]
        for name in ("disk_io_read_kbs", "disk_io_write_kbs", "network_rx_kbs", "network_tx_kbs")
    ] == [1000, 2000, 100, 50]


def test_aix_rates_over_the_interval(agent):
    agent.use_fakes("aix")
    agent.state_dir.mkdir(parents=True)
    after = {  # second reading: iostat hdisk0+hdisk1 (+4000/+6000), ent0+ent1 (+800 kB/+400 kB)
        "disk_read_kb": 12345678 + 2345678 + 4000,
        "disk_write_kb": 9876543 + 1876543 + 6000,
        "net_rx_kb": (7947141000 + 819200 + 2048000) / 1024,
        "net_tx_kb": (81415000 + 409600 + 1024000) / 1024,
    }
    moved = {"disk_read_kb": 60000, "disk_write_kb": 90000, "net_rx_kb": 3000, "net_tx_kb": 1500}
    (agent.state_dir / "counters.state").write_text(
        "clock=1699999700\n" + "".join(f"{k}={after[k] - moved[k]:.3f}\n" for k in after)
    )
    result = agent.run("--dry-run", FAKE_EPOCH="1700000000")
    assert "rates from the interval sample over 300.00 s" in result.stderr
    metrics = json.loads(result.stdout)["metrics"]
    assert [
        metrics[name]
        for name in ("disk_io_read_kbs", "disk_io_write_kbs", "network_rx_kbs", "network_tx_kbs")
    ] == [200, 300, 10, 5]


def test_aix_network_falls_back_to_entstat(agent):
    agent.use_fakes("aix")
    metrics = agent.dry_run(FAKE_NETSTAT_DENIED="1", RESYNC_SAMPLE_SECONDS="2")["metrics"]
    assert (metrics["network_rx_kbs"], metrics["network_tx_kbs"]) == (400, 200)


@pytest.mark.parametrize("os_name", ["darwin", "aix"])
def test_partial_loss_is_parsed_from_the_summary(agent, os_name):
    agent.use_fakes(os_name)
    payload = agent.dry_run(
        RESYNC_LATENCY_METHOD="icmp", RESYNC_PING_COUNT="20", FAKE_PING_MODE="partial"
    )
    assert payload["metrics"]["packet_loss_percent"] == 5


@pytest.mark.parametrize("os_name", ["darwin", "aix"])
def test_every_ping_lost_means_full_loss_and_null_latencies(agent, os_name):
    agent.use_fakes(os_name)
    payload = agent.dry_run(RESYNC_LATENCY_METHOD="icmp", FAKE_PING_MODE="lost")
    metrics = payload["metrics"]
    assert metrics["packet_loss_percent"] == 100
    assert (metrics["latency_min_ms"], metrics["latency_avg_ms"], metrics["latency_max_ms"]) == (
        None,
        None,
        None,
    )
    assert payload["latency_method"] == "icmp"
    MetricsPayload.model_validate(payload)


@pytest.mark.parametrize("mode", ["denied", "lost"])
def test_auto_falls_back_to_timed_tcp_connects(agent, listening_port, mode):
    agent.use_fakes("darwin")
    payload = agent.dry_run(
        RESYNC_LATENCY_METHOD="auto", FAKE_PING_MODE=mode, RESYNC_MASTER_PORT=str(listening_port)
    )
    metrics = payload["metrics"]
    assert payload["latency_method"] == "tcp"
    assert (metrics["packet_loss_percent"], metrics["tcp_connectivity"]) == (0, 1)
    assert 0 < metrics["latency_min_ms"] <= metrics["latency_avg_ms"] <= metrics["latency_max_ms"]


def test_aix_ping_reading_0_ms_is_timed_by_tcp_connects(agent, listening_port):
    """AIX ping prints whole milliseconds: a master under a millisecond away reads 0/0/1."""
    agent.use_fakes("aix")
    lan = {"RESYNC_LATENCY_METHOD": "auto", "FAKE_PING_LAN": "1"}
    result = agent.run("--dry-run", **lan, RESYNC_MASTER_PORT=str(listening_port))
    payload = json.loads(result.stdout)
    metrics = payload["metrics"]
    assert payload["latency_method"] == "tcp"
    assert (metrics["packet_loss_percent"], metrics["tcp_connectivity"]) == (0, 1)
    assert 0 < metrics["latency_min_ms"] <= metrics["latency_avg_ms"] <= metrics["latency_max_ms"]
    assert "reads 0 ms (whole milliseconds); timing TCP connects to port" in result.stderr
    # Netman's port does not connect: ping's own reading is all there is.
    metrics = agent.dry_run(**lan)["metrics"]
    assert (metrics["latency_min_ms"], metrics["latency_avg_ms"], metrics["latency_max_ms"]) == (
        0,
        0,
        1,
    )
    # Whole milliseconds above the resolution are ping's to give.
    payload = agent.dry_run(RESYNC_LATENCY_METHOD="auto", RESYNC_MASTER_PORT=str(listening_port))
    assert payload["latency_method"] == "icmp"
    assert payload["metrics"]["latency_avg_ms"] == 2


def test_icmp_only_without_a_usable_ping_reports_full_loss(agent):
    agent.use_fakes("aix")
    result = agent.run("--dry-run", RESYNC_LATENCY_METHOD="icmp", FAKE_PING_MODE="denied")
    payload = json.loads(result.stdout)
    assert payload["metrics"]["packet_loss_percent"] == 100
    assert payload["metrics"]["latency_avg_ms"] is None
    assert "gave no summary (is ping installed and permitted?)" in result.stderr


def test_tws_facts_stdlist_and_message_files(agent):
    agent.use_fakes("aix")
    tws_home = agent.home / "TWS"
    (tws_home / "stdlist" / "2024.12.25").mkdir(parents=True)
    (tws_home / "stdlist" / "2024.12.25" / "O1234.1030").write_bytes(b"x" * 5 * 1024 * 1024)
    (tws_home / "pobox").mkdir()
    (tws_home / "localopts").write_text("thiscpu = AIXFTA01\n")
    for name in ("Mailbox.msg", "Intercom.msg", "Courier.msg", "pobox/FTA2.msg"):
        (tws_home / name).write_bytes(b"\0" * 1024)
    payload = agent.dry_run(TWS_HOME=str(tws_home))
    assert payload["tws"]["message_files"] == {
        "Mailbox.msg": 3.2,
        "Intercom.msg": 0.4,
        "Courier.msg": 0.1,
        "pobox/FTA2.msg": 5,
    }
    assert 5.0 <= payload["tws"]["stdlist_mb"] <= 5.1
    MetricsPayload.model_validate(payload)


def test_tws_data_directory_of_newer_releases(agent):
    """TWS 9.5 and later keep localopts, stdlist and the message files in TWSDATA."""
    agent.use_fakes("darwin")
    tws_home = agent.home / "TWA" / "TWS"
    tws_home.mkdir(parents=True)
    data = agent.home / "TWA" / "TWSDATA"
    (data / "stdlist").mkdir(parents=True)
    (data / "localopts").write_text("THISCPU=NEWFTA\n")
    (data / "Mailbox.msg").write_bytes(b"\0")
    payload = agent.dry_run(TWS_HOME=str(tws_home))
    assert payload["workstation"] == "NEWFTA"
    assert payload["tws"] == {
        "stdlist_mb": 0,
        "message_files": {"Mailbox.msg": 3.2},
        # The fake df puts every path but the data volume on "/"; the inodes from df -i.
        "file_systems": {"/": 5},
        "stdlist_inodes_percent": 12,
        "processes": {"netman": 0, "mailman": 0, "batchman": 0, "jobman": 0},
    }


def test_darwin_disk_before_the_sealed_system_volume(agent):
    agent.use_fakes("darwin")
    metrics = agent.dry_run(FAKE_DARWIN_NO_DATA_VOLUME="1")["metrics"]
    assert metrics["disk_percent"] == 5
