"""The master link measured honestly, the workstation's TWS name, and what operators expect in
the payload beyond node_exporter: TWS file systems and processes, swap, the agent's backlog."""

import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from resync.ingest.payload import MetricsPayload
from tests.agent.conftest import closed_port


@pytest.fixture
def silent_master():
    """A port that accepts connections, never answers and records what it receives."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    received: list[bytes] = []

    def serve(connection: socket.socket) -> None:
        connection.settimeout(10)
        data = b""
        try:
            while chunk := connection.recv(4096):
                data += chunk
        except OSError:
            pass
        received.append(data)
        connection.close()

    def accept() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1], received
    server.close()


@pytest.mark.parametrize("shell", ["dash"], indirect=True)
def test_tcp_probes_send_nothing_and_end_in_one_timeout(agent, silent_master):
    port, received = silent_master
    started = time.monotonic()
    payload = agent.dry_run(
        RESYNC_LATENCY_METHOD="tcp", RESYNC_PING_COUNT="5", RESYNC_MASTER_PORT=str(port)
    )
    elapsed = time.monotonic() - started
    metrics = payload["metrics"]
    assert (metrics["packet_loss_percent"], metrics["tcp_connectivity"]) == (0, 1)
    assert payload["master_link"] == {"netman_port": port}
    # Five probes and the connectivity check against a master that never answers.
    assert elapsed < 9, elapsed
    for _ in range(50):
        if len(received) >= 5:
            break
        time.sleep(0.1)
    assert len(received) >= 5 and set(received) == {b""}


def test_netman_port_comes_from_localopts_and_https_is_checked_when_set(agent, listening_port):
    tws_home = agent.home / "TWS"
    tws_home.mkdir()
    (tws_home / "localopts").write_text(f"thiscpu = FTA01\nnm port ={listening_port}\n")
    agent.env.pop("RESYNC_MASTER_PORT")
    https = closed_port()
    payload = agent.dry_run(TWS_HOME=str(tws_home), RESYNC_MASTER_HTTPS_PORT=str(https))
    assert payload["metrics"]["tcp_connectivity"] == 1
    assert payload["master_link"] == {
        "netman_port": listening_port,
        "https_port": https,
        "https_connectivity": 0,
    }
    MetricsPayload.model_validate(payload)


def test_a_workstation_name_too_long_for_tws_is_refused_not_cut(agent):
    tws_home = agent.home / "TWS"
    tws_home.mkdir()
    (tws_home / "localopts").write_text("thiscpu = FTA-PRODUCTION-LONDON\n")
    result = agent.run("--dry-run", TWS_HOME=str(tws_home))
    assert result.returncode == 78
    assert "RESYNC_WORKSTATION 'FTA-PRODUCTION-LONDON' is not a TWS workstation name" in (
        result.stderr
    )


@pytest.mark.parametrize("shell", ["ksh"], indirect=True)
def test_tws_file_systems_processes_swap_and_backlog(agent, stub_api):
    tws_home = agent.home / "TWS"
    (tws_home / "stdlist").mkdir(parents=True)
    agent.write_key()
    agent.env.update({"RESYNC_API_URL": stub_api.url, "TWS_HOME": str(tws_home)})
    stub_api.answers = [(503, {}), (422, {"detail": "bad"})]
    assert agent.run().returncode == 75
    assert agent.run().returncode == 0
    first, second = (request["body"] for request in stub_api.requests[-2:])
    assert (first["host"]["spool_files"], first["host"]["rejected_files"]) == (0, 0)
    # The replay was refused one by one: the second run's sample saw one sample spooled.
    assert (second["host"]["spool_files"], second["host"]["rejected_files"]) == (1, 0)

    usage = os.statvfs(tws_home)
    used = (usage.f_blocks - usage.f_bfree) * usage.f_frsize
    percent = 100 * used / (used + usage.f_bavail * usage.f_frsize)
    tws = first["tws"]
    mounts = tws["file_systems"]
    assert len(mounts) in (1, 2)  # TWS_HOME's, and /tmp's when separate
    assert any(value == pytest.approx(percent, abs=0.5) for value in mounts.values())
    inodes = 100 * (usage.f_files - usage.f_ffree) / usage.f_files
    assert tws["stdlist_inodes_percent"] == pytest.approx(inodes, abs=1)
    assert tws["processes"] == {"netman": 0, "mailman": 0, "batchman": 0, "jobman": 0}
    meminfo = {
        line.split(":")[0]: int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
    }
    if meminfo["SwapTotal"]:
        swap = 100 * (meminfo["SwapTotal"] - meminfo["SwapFree"]) / meminfo["SwapTotal"]
        assert first["host"]["swap_percent"] == pytest.approx(swap, abs=1)
    else:
        assert "swap_percent" not in first["host"]
    assert 0 <= first["host"]["cpu_iowait_percent"] <= 100
    MetricsPayload.model_validate(first)


def test_rejected_samples_are_bounded_like_the_spool(agent, stub_api):
    agent.write_key()
    agent.env.update({"RESYNC_API_URL": stub_api.url, "RESYNC_SPOOL_MAX_FILES": "2"})
    stub_api.answers = [(422, {"detail": "bad"})] * 3
    for _ in range(3):
        assert agent.run().returncode == 65
    kept = sorted(path.name for path in agent.rejected_dir.iterdir())
    assert [name[:10] for name in kept] == ["0000000002"] * 2 + ["0000000003"] * 2
    assert "rejected/ full (2 files / 10240 kB): dropped the 1 oldest sample(s)" in (
        agent.log_text()
    )


def test_sizing_a_full_spool_forks_no_process_per_file(agent, tmp_path):
    counter = tmp_path / "wc-calls"
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "wc").write_text(f'#!/bin/sh\necho >>"{counter}"\nexec /usr/bin/wc "$@"\n')
    (fake_bin / "wc").chmod(0o755)
    agent.write_key()
    agent.env.update(
        {"RESYNC_API_URL": f"http://127.0.0.1:{closed_port()}", "PATH": f"{fake_bin}:/usr/bin:/bin"}
    )
    agent.spool_dir.mkdir(parents=True)
    sample = json.dumps({"workstation": "X"})
    for index in range(300):
        (agent.spool_dir / f"{index + 1:010d}-20261207T000000Z.json").write_text(sample)
    assert agent.run(RESYNC_SPOOL_MAX_FILES="250").returncode == 75
    assert len(agent.spooled()) == 250
    calls = len(counter.read_text().splitlines()) if counter.exists() else 0
    assert calls <= 3, calls


def test_start_delay_is_bounded_and_checked(agent, stub_api):
    agent.write_key()
    agent.env["RESYNC_API_URL"] = stub_api.url
    refused = agent.run(RESYNC_START_DELAY_MAX="241")
    assert refused.returncode == 78
    assert "RESYNC_START_DELAY_MAX must be a whole number from 0 to 240" in refused.stderr
    # A run draws 0 s (and says nothing) one time in three: eight in a row are 1 in 6,561.
    for _ in range(8):
        started = time.monotonic()
        assert agent.run(RESYNC_START_DELAY_MAX="2").returncode == 0
        elapsed = time.monotonic() - started
        waits = [
            int(line.split("waiting a random ")[1].split()[0])
            for line in agent.log_text().splitlines()
            if "waiting a random" in line
        ]
        if waits:
            break
    [wait] = waits
    assert 0 < wait <= 2
    assert elapsed >= wait
