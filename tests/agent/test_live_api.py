"""The real script against the real API (uvicorn subprocess, PostgreSQL, the ingest flow)."""

import json
import re
import time
from datetime import datetime

import httpx
import pytest

from resync.ingest.payload import METRIC_NAMES

# The agent does not care which database sits behind the API; PostgreSQL is the production one.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]


@pytest.fixture
def live_agent(agent, live_api):
    """The agent pointed at the live API with a fresh metrics:write key."""
    _, key = live_api.create_key(["metrics:write"])
    agent.write_key(key)
    agent.env.update({"RESYNC_API_URL": live_api.url, "RESYNC_WORKSTATION": "FTA-LIVE"})
    return agent


def sent_payloads(agent) -> list[dict]:
    """Every single sample and every batch item the agent posted, in the order sent."""
    payloads = []
    for path in sorted((agent.home / "fake-state").glob("sent-*.json")):
        body = json.loads(path.read_text())
        payloads.extend(body if isinstance(body, list) else [body])
    return payloads


def as_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_sample_arrives_in_history_field_for_field(live_agent, live_api):
    live_agent.record_curl()
    tws_home = live_agent.home / "TWS"
    (tws_home / "stdlist").mkdir(parents=True)
    (tws_home / "stdlist" / "joblog").write_bytes(b"x" * 300 * 1024)
    result = live_agent.run(RESYNC_LATENCY_METHOD="icmp", TWS_HOME=str(tws_home))
    assert result.returncode == 0, live_agent.log_text()
    [sent] = sent_payloads(live_agent)
    live_api.ingest()
    [row] = live_api.history("FTA-LIVE")
    assert as_time(row["timestamp"]) == as_time(sent["timestamp"])
    for name in METRIC_NAMES:
        assert row[name] == pytest.approx(sent["metrics"][name]), name
    assert sent["metrics"]["latency_avg_ms"] is not None
    assert row["latency_method"] == sent["latency_method"] == "icmp"
    assert row["stdlist_mb"] == pytest.approx(sent["tws"]["stdlist_mb"])


def test_samples_taken_while_the_api_is_down_arrive_once_in_order(live_agent, live_api):
    live_agent.record_curl()
    live_api.stop()
    for _ in range(3):
        assert live_agent.run().returncode == 75
        # A sample is stamped to the second and a second one of the same second is the same
        # sample (cron's runs are a minute apart; these, after the first, take a fraction).
        time.sleep(1)
    spooled = [json.loads(path.read_text())["timestamp"] for path in live_agent.spooled()]
    assert len(spooled) == 3
    live_api.start()
    assert live_agent.run().returncode == 0, live_agent.log_text()
    assert live_agent.spooled() == []
    time.sleep(1)
    assert live_agent.run().returncode == 0
    live_api.ingest()
    history = live_api.history("FTA-LIVE")
    arrived = [as_time(row["timestamp"]) for row in reversed(history)]
    sent = [as_time(payload["timestamp"]) for payload in sent_payloads(live_agent)]
    assert len(arrived) == 5
    assert arrived == sorted(set(arrived))
    assert arrived[:3] == [as_time(stamp) for stamp in spooled]
    assert arrived == sent[-5:]


def test_revoked_key_ends_in_rejected_with_a_clear_log_line(agent, live_api):
    key_id, key = live_api.create_key(["metrics:write"])
    live_api.revoke_key(key_id)
    agent.write_key(key)
    agent.env.update({"RESYNC_API_URL": live_api.url, "RESYNC_WORKSTATION": "FTA-REVOKED"})
    assert agent.run().returncode == 65
    [rejected] = list(agent.rejected_dir.glob("*.json"))
    assert json.loads(rejected.read_text())["workstation"] == "FTA-REVOKED"
    assert agent.spooled() == []
    assert re.search(
        r"ERROR .*the API refused sample \S+ \(HTTP 401: .+\); kept in ", agent.log_text()
    )
    assert (rejected.with_suffix(".reason")).read_text().startswith("HTTP 401 ")


def test_two_concurrent_runs_take_turns(live_agent, live_api):
    live_agent.record_curl()
    first, second = live_agent.start(), live_agent.start()
    codes = sorted((first.wait(timeout=120), second.wait(timeout=120)))
    log = live_agent.log_text()
    assert codes in ([0, 0], [0, 75]), log
    events = re.findall(r"INFO \[(\d+)\] run (started|finished)", log)
    # Never two runs between "started" and "finished" at the same time.
    assert [kind for _, kind in events] == ["started", "finished"] * (len(events) // 2)
    assert len({pid for pid, _ in events}) == codes.count(0)
    sent = [as_time(payload["timestamp"]) for payload in sent_payloads(live_agent)]
    assert len(sent) == codes.count(0)
    live_api.ingest()
    # A sample is stamped to the second: the second run, which needs no short sample once the
    # first saved its counters, may stamp the same second, and that sample is kept once.
    assert sorted(as_time(row["timestamp"]) for row in live_api.history("FTA-LIVE")) == sorted(
        set(sent)
    )


@pytest.mark.parametrize("shell", ["dash"], indirect=True)
def test_a_reading_not_taken_arrives_in_history_as_null(live_agent, live_api, listening_port):
    live_agent.use_fakes("aix")
    result = live_agent.run(
        FAKE_SVMON_DENIED="1",
        FAKE_VMSTAT_V_DENIED="1",
        RESYNC_MASTER_PORT="31111",
        RESYNC_MASTER_HTTPS_PORT=str(listening_port),
    )
    assert result.returncode == 0, live_agent.log_text()
    assert "'svmon -G' gave no reading" in live_agent.log_text()
    live_api.ingest()
    [row] = live_api.history("FTA-LIVE")
    assert row["memory_percent"] is None
    assert row["cpu_percent"] == 41  # of the shared LPAR's entitlement
    # The latest facts per FTA: the host's (with the LPAR's entitlement) and the master link.
    _, key = live_api.create_key(["metrics:read"])
    answer = httpx.get(f"{live_api.url}/api/v1/workstations", headers={"X-API-Key": key})
    [workstation] = answer.json()["data"]
    assert workstation["host"]["cpu_entitlement"] == 1
    assert workstation["master_link"] == {
        "netman_port": 31111,
        "https_port": listening_port,
        "https_connectivity": 1,
    }
