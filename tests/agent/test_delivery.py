"""Delivery against a scripted local endpoint: spool, replay, rejection, bounds, lock, log."""

import json
import subprocess

from resync.ingest.payload import MetricsPayload
from tests.agent.conftest import TEST_KEY, closed_port


def configure(agent, url: str, **settings: str) -> None:
    agent.write_key()
    agent.env.update({"RESYNC_API_URL": url, **settings})


def test_sample_is_posted_with_the_key_in_a_header(agent, stub_api):
    configure(agent, stub_api.url)
    result = agent.run()
    assert (result.returncode, result.stdout) == (0, "")
    [request] = stub_api.requests
    assert request["path"] == "/api/v1/metrics/workstation"
    assert request["headers"]["Authorization"] == f"Bearer {TEST_KEY}"
    MetricsPayload.model_validate(request["body"])
    assert agent.spooled() == []
    assert "sample delivered (HTTP 202)" in agent.log_text()


def test_key_never_appears_on_curl_command_line(agent, stub_api):
    arguments = agent.record_curl()
    configure(agent, stub_api.url)
    assert agent.run().returncode == 0
    recorded = arguments.read_text()
    assert "--config" in recorded.splitlines()
    assert TEST_KEY not in recorded
    assert len(stub_api.requests) == 1


def test_transient_failures_spool_the_sample(agent, stub_api):
    configure(agent, stub_api.url)
    stub_api.answers = [(503, {"detail": "busy"}), (429, {"detail": "slow down"})]
    for _ in range(2):
        assert agent.run().returncode == 75
    configure(agent, f"http://127.0.0.1:{closed_port()}")
    assert agent.run().returncode == 75
    assert len(agent.spooled()) == 3
    log = agent.log_text()
    assert "HTTP 503" in log and "HTTP 429" in log and "HTTP 000" in log
    assert "1 sample(s) waiting" in log
    assert "3 sample(s) stay spooled" in log


def test_spool_is_replayed_oldest_first_in_chunks(agent, stub_api):
    configure(agent, stub_api.url, RESYNC_BATCH_SIZE="2")
    stub_api.answers = [(503, {"detail": "down"})] * 3
    for _ in range(3):
        assert agent.run().returncode == 75
    spooled = [json.loads(path.read_text()) for path in agent.spooled()]
    assert agent.run().returncode == 0
    batches = stub_api.requests[3:]
    assert [request["path"] for request in batches] == ["/api/v1/metrics/workstation/batch"] * 2
    sent = batches[0]["body"] + batches[1]["body"]
    assert sent[:3] == spooled
    assert [item["timestamp"] for item in sent] == sorted(item["timestamp"] for item in sent)
    assert len(sent) == 4
    assert agent.spooled() == []
    assert "replayed 2 spooled sample(s) (HTTP 202)" in agent.log_text()


def test_batch_failure_mid_replay_keeps_what_was_not_acknowledged(agent, stub_api):
    configure(agent, stub_api.url, RESYNC_BATCH_SIZE="2")
    stub_api.answers = [(503, {})] * 3 + [(202, {"ids": [1, 2]}), (500, {"detail": "boom"})]
    for _ in range(3):
        agent.run()
    assert agent.run().returncode == 75
    assert len(agent.spooled()) == 2
    assert stub_api.requests[4]["body"] == [
        json.loads(path.read_text()) for path in agent.spooled()
    ]


def test_invalid_item_in_a_batch_is_rejected_alone(agent, stub_api):
    configure(agent, stub_api.url)
    stub_api.answers = [(503, {})] * 2 + [
        (422, {"detail": [{"loc": ["body", 1, "metrics", "cpu_percent"], "msg": "too big"}]}),
        (202, {"id": 1}),
        (422, {"detail": [{"loc": ["body", "metrics", "cpu_percent"], "msg": "too big"}]}),
        (202, {"id": 3}),
    ]
    agent.run()
    agent.run()
    result = agent.run()
    assert result.returncode == 0
    assert [request["path"].rsplit("/", 1)[-1] for request in stub_api.requests[2:]] == [
        "batch",
        "workstation",
        "workstation",
        "workstation",
    ]
    assert agent.spooled() == []
    [rejected] = sorted(agent.rejected_dir.glob("*.json"))
    assert json.loads(rejected.read_text()) == stub_api.requests[4]["body"]
    reason = rejected.with_suffix(".reason").read_text()
    assert reason.startswith("HTTP 422 ") and "too big" in reason


def test_refused_key_moves_the_sample_to_rejected(agent, stub_api):
    configure(agent, stub_api.url)
    stub_api.answers = [(401, {"detail": "Invalid or revoked API key"})]
    assert agent.run().returncode == 65
    [rejected] = list(agent.rejected_dir.glob("*.json"))
    assert agent.spooled() == []
    assert 'HTTP 401: {"detail": "Invalid or revoked API key"}' in agent.log_text()
    assert f"kept in {agent.rejected_dir}/" in agent.log_text()
    MetricsPayload.model_validate_json(rejected.read_text())


def test_spool_is_bounded_by_count_and_size(agent):
    configure(agent, f"http://127.0.0.1:{closed_port()}", RESYNC_SPOOL_MAX_FILES="2")
    for _ in range(3):
        assert agent.run().returncode == 75
    assert len(agent.spooled()) == 2
    assert "dropped the 1 oldest sample(s)" in agent.log_text()
    oldest_kept = agent.spooled()[0].name
    assert oldest_kept.startswith("0000000002-")
    assert agent.run(RESYNC_SPOOL_MAX_KB="1").returncode == 75
    assert len(agent.spooled()) == 1
    assert agent.spooled()[0].name.startswith("0000000004-")


def test_stale_lock_is_removed(agent, stub_api):
    configure(agent, stub_api.url)
    finished = subprocess.Popen(["true"])
    finished.wait()
    agent.state_dir.mkdir(parents=True)
    (agent.state_dir / "agent.lock").write_text(f"{finished.pid}\n")
    assert agent.run().returncode == 0
    assert f"removed a stale lock left by PID {finished.pid}" in agent.log_text()
    assert not (agent.state_dir / "agent.lock").exists()


def test_live_lock_makes_the_run_wait_then_give_up(agent, stub_api):
    configure(agent, stub_api.url, RESYNC_LOCK_WAIT="1")
    holder = subprocess.Popen(["sleep", "30"])
    try:
        agent.state_dir.mkdir(parents=True)
        (agent.state_dir / "agent.lock").write_text(f"{holder.pid}\n")
        assert agent.run().returncode == 75
    finally:
        holder.kill()
        holder.wait()
    assert f"another run (PID {holder.pid}) still holds" in agent.log_text()
    assert stub_api.requests == []


def test_log_is_rotated(agent, stub_api):
    configure(agent, stub_api.url, RESYNC_LOG_MAX_KB="1", RESYNC_LOG_KEEP="2")
    agent.state_dir.mkdir(parents=True)
    agent.log_file.write_text("old line\n" * 200)
    (agent.state_dir / "agent.log.1").write_text("older\n")
    assert agent.run().returncode == 0
    assert (agent.state_dir / "agent.log.1").read_text().startswith("old line")
    assert (agent.state_dir / "agent.log.2").read_text() == "older\n"
    assert "run started" in agent.log_text() and "old line" not in agent.log_text()


def test_state_files_are_private(agent, stub_api):
    configure(agent, stub_api.url)
    stub_api.answers = [(503, {})]
    agent.run()
    for path in (agent.log_file, agent.state_dir / "counters.state", *agent.spooled()):
        assert path.stat().st_mode & 0o077 == 0, path
