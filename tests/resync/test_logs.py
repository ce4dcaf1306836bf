"""What the resync processes log: one configuration (Resync at INFO, the libraries' warnings),
the fake master's plan and requests, the demo sender's batches, live samples and refusals."""

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from resync.demo import sender
from resync.demo.sender import run_demo
from resync.logs import configure_logging

# The worker's settings README's "Logs" gives, so that flow runs log JSON too.
WORKER_JSON_LOGS = {
    "PREFECT_LOGGING_HANDLERS_CONSOLE_FORMATTER": "json",
    "PREFECT_LOGGING_FORMATTERS_JSON_CLASS": "resync.logs.JsonFormatter",
}
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def test_a_process_logs_resync_at_info_and_other_libraries_warnings() -> None:
    script = (
        "import logging\n"
        "from resync.logs import configure_logging\n"
        "configure_logging('INFO')\n"
        "logging.getLogger('resync.demo.sender').info('history batch 1')\n"
        "logging.getLogger('api.main').info('API started')\n"
        "logging.getLogger('httpx').info('HTTP Request: POST /')\n"
        "logging.getLogger('httpx').warning('connection reset')\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    lines = child.stderr.splitlines()
    assert len(lines) == 3, child.stderr
    assert lines[0].endswith(" INFO    resync.demo.sender: history batch 1")
    assert lines[1].endswith(" INFO    api.main: API started")
    assert lines[2].endswith(" WARNING httpx: connection reset")
    assert all(re.match(TIMESTAMP, line) for line in lines), lines


def test_json_logs_are_one_object_a_line_with_the_traceback_of_an_error() -> None:
    script = (
        "import logging\n"
        "from resync.logs import configure_logging\n"
        "configure_logging('INFO', 'json')\n"
        "logging.getLogger('api.main').info('Resync API started on %s', 'sqlite://')\n"
        "logging.getLogger('httpx').info('HTTP Request: POST /')\n"
        "try:\n"
        "    1 / 0\n"
        "except ZeroDivisionError:\n"
        "    logging.getLogger('resync.ingest').exception('load failed: \"FTA-01\"')\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    started, failed = [json.loads(line) for line in child.stderr.splitlines()]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", started.pop("time"))
    assert started == {
        "level": "INFO",
        "logger": "api.main",
        "message": "Resync API started on sqlite://",
    }
    assert failed["message"] == 'load failed: "FTA-01"'
    assert failed["level"] == "ERROR"
    assert failed["exception"].startswith("Traceback (most recent call last):")
    assert failed["exception"].endswith("ZeroDivisionError: division by zero")


def test_a_flow_run_on_a_worker_logs_json_through_prefects_console_handler(
    prefect_api: None,
) -> None:
    from prefect.settings import PREFECT_API_URL

    script = (
        "from prefect import flow, get_run_logger\n"
        "@flow(name='json-log-probe', flow_run_name='probe-run')\n"
        "def probe():\n"
        "    get_run_logger().info('checked %d FTAs', 3)\n"
        "probe()\n"
    )
    environment = {
        **os.environ,
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        **WORKER_JSON_LOGS,
    }
    child = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        timeout=120,
    )
    lines = [json.loads(line) for line in child.stderr.splitlines() if line.strip()]
    logged = [line for line in lines if line["message"] == "checked 3 FTAs"]
    assert len(logged) == 1, child.stderr
    assert logged[0]["flow_run_name"] == "probe-run"
    assert logged[0]["flow_name"] == "json-log-probe"
    assert logged[0]["logger"] == "prefect.flow_runs"
    assert any("Completed" in line["message"] for line in lines), child.stderr


def test_logging_set_up_by_someone_else_is_left_alone() -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    assert handlers, "pytest's capture handler is on the root logger"
    configure_logging("DEBUG")
    assert (root.handlers, root.level) == (handlers, level)
    assert logging.getLogger("resync").level == logging.NOTSET


def test_the_fake_master_logs_its_plan_each_request_and_its_stop(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "RESYNC_HWA_USER": "demo", "RESYNC_HWA_PASSWORD": "pw-123456"}
    log = (tmp_path / "demo-hwa.log").open("w+")
    master = subprocess.Popen(
        [sys.executable, "-m", "resync.demo.jobs", "--port", str(port), "--days", "2"],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/twsd/api/v2/plan/job"
        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx.get(url, params={"limit": 5}, auth=("demo", "pw-123456"))
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, (tmp_path / "demo-hwa.log").read_text()
                time.sleep(0.2)
        assert page.status_code == 200
        assert httpx.get(url, auth=("demo", "wrong")).status_code == 401
    finally:
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=30)
    text = (tmp_path / "demo-hwa.log").read_text()
    served = f"{page.json()['count']} job runs ("
    assert f"resync.demo.jobs: fake HWA master on http://127.0.0.1:{port}: {served}" in text
    assert "abended" in text and "of 20 FTAs over 2 days" in text
    assert 'resync.demo.master: 127.0.0.1 "GET /twsd/api/v2/plan/job?limit=5 HTTP/1.1" 200' in text
    assert '"GET /twsd/api/v2/plan/job HTTP/1.1" 401' in text
    assert text.rstrip().endswith("resync.demo.jobs: fake HWA master stopped")


class FakeApi:
    """Answers the demo's posts: 202, or `refuse` for one FTA's live samples."""

    def __init__(self, refuse_workstation: str) -> None:
        self.posts: list[tuple[str, Any]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                api.posts.append((self.path, body))
                refused = isinstance(body, dict) and body["workstation"] == refuse_workstation
                status = 503 if refused else 202
                answer = json.dumps({"detail": "The database is unavailable"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi(refuse_workstation="FTA-PAY-01")
    yield api
    api.stop()


class LiveRoundsDone(Exception):
    """Ends the demo's endless live loop in the test."""


def test_the_demo_sender_logs_its_batches_live_samples_and_refusals(
    fake_api: FakeApi, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise LiveRoundsDone

    monkeypatch.setattr(sender, "LIVE_SUMMARY_SECONDS", 0)
    monkeypatch.setattr(sender.time, "sleep", sleep)
    caplog.set_level(logging.INFO, logger="resync.demo.sender")

    with pytest.raises(LiveRoundsDone):
        run_demo(fake_api.url, "rsk_demo", workstations=4, days=2, live_interval=5)

    messages = [record.getMessage() for record in caplog.records]
    batches = [path for path, _ in fake_api.posts if path.endswith("/batch")]
    assert len(batches) == 1  # 2 days × 288 samples × 4 FTAs: one batch of 2,304
    assert messages[0].startswith("demo estate of 4 FTAs (FTA-PAY-01 disk_filling, ")
    assert messages[1].startswith("history batch 1: 2304 samples up to ")
    assert messages[1].endswith("(2304 of 2304 sent)")
    assert messages[2].startswith("history posted: 2304 samples of 4 FTAs in 1 batches, ")
    assert messages[3].startswith("live: a sample of each of 3 FTAs every 5 s; FTA-CRM-04 stays")
    refusals = [m for m in messages if m.startswith("live sample of FTA-PAY-01 refused: 503")]
    assert len(refusals) == 3
    assert messages.count("live samples in the last 0 s: 2 accepted, 1 refused 503") == 3
    assert sleeps == [5, 5, 5]
