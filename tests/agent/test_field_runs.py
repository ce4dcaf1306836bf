"""Runs as cron starts them in the field: a full disk, stale locks, no PATH, symbolic links,
fatal errors that must reach the log, a hostile ~/.curlrc and state directories of others."""

import os
import subprocess
import time

import pytest

from resync.ingest.payload import MetricsPayload
from tests.agent.conftest import AGENT, TEST_KEY, require_tool

FILL_AND_RUN = """
set -e
mount -t tmpfs -o size=256k,mode=700 tmpfs "$RESYNC_STATE_DIR"
mkdir -p "$RESYNC_STATE_DIR/spool/rejected"
dd if=/dev/zero of="$RESYNC_STATE_DIR/filler" bs=4k >/dev/null 2>&1 || true
set +e
"$@"
echo "exit=$?"
ls -a "$RESYNC_STATE_DIR"
"""


def test_full_state_disk_skips_the_run_at_once(agent, stub_api):
    unshare = require_tool("unshare")
    agent.write_key()
    agent.env["RESYNC_API_URL"] = stub_api.url
    agent.state_dir.mkdir()
    started = time.monotonic()
    result = subprocess.run(
        [unshare, "-rm", "sh", "-c", FILL_AND_RUN, "sh", agent.shell, str(AGENT)],
        env=agent.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 20
    assert "exit=73" in result.stdout, result.stdout + result.stderr
    assert "cannot write the lock file" in result.stderr
    assert "skipping this run" in result.stderr
    assert "agent.lock" not in result.stdout, "no lock may be left behind"
    assert stub_api.requests == []


def test_lock_left_by_a_killed_run_of_the_old_agent_does_not_block(agent, stub_api):
    """Agent 1.0.0 killed while breaking an empty lock left both the lock and its guard."""
    agent.write_key()
    agent.env.update({"RESYNC_API_URL": stub_api.url, "RESYNC_LOCK_WAIT": "2"})
    agent.state_dir.mkdir()
    (agent.state_dir / "agent.lock").write_text("")
    (agent.state_dir / "agent.lock.break").mkdir()
    result = agent.run(timeout=30)
    assert result.returncode == 0, agent.log_text()
    assert "removed a stale lock left by PID  (empty)" in agent.log_text()
    assert len(stub_api.requests) == 1


def test_lock_whose_pid_now_runs_another_program_is_stale(agent, stub_api):
    agent.write_key()
    agent.env.update({"RESYNC_API_URL": stub_api.url, "RESYNC_LOCK_WAIT": "5"})
    netman = subprocess.Popen(["sleep", "30"])
    try:
        agent.state_dir.mkdir()
        (agent.state_dir / "agent.lock").write_text(
            f"{netman.pid}\n/bin/sh /opt/resync-agent/collect_metrics.sh\n"
        )
        started = time.monotonic()
        result = agent.run()
        assert time.monotonic() - started < 4
    finally:
        netman.kill()
        netman.wait()
    assert result.returncode == 0, agent.log_text()
    assert (
        f"removed a stale lock left by PID {netman.pid} (the PID now runs another program)"
        in agent.log_text()
    )


def test_lock_of_a_live_run_is_respected(agent, stub_api):
    """The lock names the holder's command line; a run that is still going keeps it."""
    agent.write_key()
    agent.env.update({"RESYNC_API_URL": stub_api.url, "RESYNC_LOCK_WAIT": "1"})
    stub_api.answers = []
    holder = agent.start(RESYNC_LATENCY_METHOD="icmp", RESYNC_PING_COUNT="6")
    try:
        lock = agent.state_dir / "agent.lock"
        for _ in range(100):
            if lock.exists() and lock.read_text().count("\n") == 2:
                break
            time.sleep(0.05)
        pid, command = lock.read_text().splitlines()
        assert (int(pid), str(AGENT) in command) == (holder.pid, True)
        assert agent.run().returncode == 75
    finally:
        holder.wait(timeout=60)
    assert f"another run (PID {holder.pid}) still holds" in agent.log_text()


def test_fatal_configuration_errors_reach_the_log(agent):
    key_file = agent.write_key(mode=0o640)
    result = agent.run(RESYNC_API_URL="http://127.0.0.1:9")
    assert result.returncode == 78
    assert f"must be readable by its owner only; run: chmod 600 {key_file}" in agent.log_text()


def test_unreadable_configuration_file_reaches_the_log(agent):
    result = agent.run("--config", str(agent.home / "missing.conf"), RESYNC_API_URL="http://x")
    assert result.returncode == 78
    assert "cannot read the configuration file" in agent.log_text()


@pytest.mark.parametrize("shell", ["ksh"], indirect=True)
def test_runs_with_path_unset(agent):
    agent.env.pop("PATH")
    assert agent.dry_run()["metrics"]["process_count"] > 0


def test_runs_through_a_symbolic_link(agent):
    link = agent.home / "bin" / "resync-collect"
    link.parent.mkdir()
    link.symlink_to(os.path.relpath(AGENT, link.parent))
    result = subprocess.run(
        [agent.shell, str(link), "--dry-run"], env=agent.env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert '"metrics"' in result.stdout


@pytest.mark.parametrize("shell", ["ksh"], indirect=True)
def test_aix_toolbox_directory_is_on_path(agent):
    """AIX Toolbox installs curl in /opt/freeware/bin, which cron's PATH lacks."""
    result = subprocess.run(
        [agent.shell, "-c", f'. "{AGENT}"; printf "%s" "$PATH"'],
        env={"RESYNC_AGENT_SOURCED": "1", "RESYNC_AGENT_LIB": str(AGENT.parent / "lib")},
        capture_output=True,
        text=True,
    )
    assert "/opt/freeware/bin" in result.stdout.split(":"), result.stderr


def test_user_curlrc_cannot_write_the_key_to_the_log(agent, listening_port):
    (agent.home / ".curlrc").write_text("verbose\n")
    agent.write_key()
    result = agent.run(RESYNC_API_URL=f"http://127.0.0.1:{listening_port}")
    assert result.returncode == 75
    log = agent.log_text()
    assert "sample spooled" in log
    assert TEST_KEY not in log
    assert "Authorization" not in log


def test_state_directory_writable_by_others_is_refused(agent):
    agent.write_key()
    agent.state_dir.mkdir()
    agent.state_dir.chmod(0o777)
    result = agent.run(RESYNC_API_URL="http://127.0.0.1:9")
    assert result.returncode == 73
    assert f"{agent.state_dir} is writable by other users; run: chmod go-w" in result.stderr
    assert not (agent.state_dir / "spool").exists()


def test_state_directory_of_another_user_is_refused(agent, tmp_path):
    agent.write_key()
    if os.geteuid() == 0:
        foreign = tmp_path / "foreign"
        foreign.mkdir(mode=0o755)
        os.chown(foreign, 65534, 65534)
    else:
        foreign = tmp_path.anchor  # "/", which root owns
    result = agent.run(RESYNC_API_URL="http://127.0.0.1:9", RESYNC_STATE_DIR=str(foreign))
    assert result.returncode == 73
    assert f"{foreign} belongs to another user" in result.stderr


@pytest.mark.parametrize("shell", ["mksh"], indirect=True)
def test_whole_run_under_a_ksh88_like_shell(agent, stub_api, listening_port):
    """AIX's /bin/sh is ksh88; mksh descends from pdksh, a ksh88 clone without ksh93's additions."""
    tws_home = agent.home / "TWS"
    (tws_home / "stdlist").mkdir(parents=True)
    (tws_home / "localopts").write_text("thiscpu = FTA88\n")
    agent.write_key()
    agent.env.update(
        {
            "RESYNC_API_URL": stub_api.url,
            "TWS_HOME": str(tws_home),
            "RESYNC_MASTER_PORT": str(listening_port),
        }
    )
    stub_api.answers = [(503, {})]
    assert agent.run().returncode == 75
    assert agent.run().returncode == 0, agent.log_text()
    replayed = stub_api.requests[-1]["body"]
    assert [sample["workstation"] for sample in replayed] == ["FTA88", "FTA88"]
    for sample in replayed:
        MetricsPayload.model_validate(sample)
        assert sample["metrics"]["tcp_connectivity"] == 1
