"""Fixtures for the FTA collector tests: shells, an isolated agent home, fakes, local servers."""

import json
import os
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
AGENT = REPO / "agent" / "collect_metrics.sh"
FAKES = Path(__file__).resolve().parent / "fakes"
SHELLS = ("bash", "dash", "ksh")
TEST_KEY = "rsk_TestKey0123456789abcdefghijklmnopqrstuvwxyzABCD"


def require_tool(name: str) -> str:
    """The tool's path; in CI a missing tool fails the test, elsewhere it skips it."""
    path = shutil.which(name)
    if path is None:
        message = f"'{name}' is not installed; run: apt-get install -y $(cat packages.apt)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(params=SHELLS)
def shell(request) -> str:
    """Each test that takes this fixture runs once under bash, dash and ksh."""
    return require_tool(request.param)


@dataclass
class Agent:
    """An isolated agent installation: its own HOME, state, spool, key file and environment."""

    shell: str
    home: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def state_dir(self) -> Path:
        return self.home / "state"

    @property
    def spool_dir(self) -> Path:
        return self.state_dir / "spool"

    @property
    def rejected_dir(self) -> Path:
        return self.spool_dir / "rejected"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "agent.log"

    def log_text(self) -> str:
        return self.log_file.read_text() if self.log_file.exists() else ""

    def spooled(self) -> list[Path]:
        return sorted(self.spool_dir.glob("*.json")) if self.spool_dir.exists() else []

    def use_fakes(self, os_name: str) -> None:
        """Put the fake commands of macOS ('darwin') or AIX ('aix') first on PATH."""
        fake_state = self.home / "fake-state"
        fake_state.mkdir(exist_ok=True)
        self.env["PATH"] = f"{FAKES / os_name}:{FAKES / 'common'}:{self.env['PATH']}"
        self.env["FAKE_STATE"] = str(fake_state)
        self.env["FAKE_OS"] = os_name

    def record_curl(self) -> Path:
        """Route curl through a recorder of its arguments; returns the file they land in."""
        fake_state = self.home / "fake-state"
        fake_state.mkdir(exist_ok=True)
        recorder = self.home / "recorder"
        recorder.mkdir(exist_ok=True)
        (recorder / "curl").symlink_to(FAKES / "common" / "curl")
        self.env["PATH"] = f"{recorder}:{self.env['PATH']}"
        self.env["FAKE_STATE"] = str(fake_state)
        return fake_state / "curl.args"

    def write_key(self, key: str = TEST_KEY, mode: int = 0o600) -> Path:
        key_file = self.home / "agent.key"
        key_file.write_text(key + "\n")
        key_file.chmod(mode)
        self.env["RESYNC_API_KEY_FILE"] = str(key_file)
        return key_file

    def run(
        self, *args: str, timeout: float = 120, **extra_env: str
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self.shell, str(AGENT), *args],
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, *args: str, **extra_env: str) -> subprocess.Popen:
        return subprocess.Popen(
            [self.shell, str(AGENT), *args],
            env={**self.env, **extra_env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def dry_run(self, **extra_env: str) -> dict:
        result = self.run("--dry-run", **extra_env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture
def agent(shell, tmp_path) -> Agent:
    """An agent on loopback only: master 127.0.0.1 (closed port), short samples, few probes."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C",
        "RESYNC_STATE_DIR": str(home / "state"),
        "RESYNC_MASTER_HOST": "127.0.0.1",
        "RESYNC_MASTER_PORT": str(closed_port()),
        "RESYNC_PING_COUNT": "3",
        # Timed connects to a closed port fail at once; latency tests choose their own method.
        "RESYNC_LATENCY_METHOD": "tcp",
        "RESYNC_SAMPLE_SECONDS": "1",
        "RESYNC_LOCK_WAIT": "30",
        "RESYNC_HTTP_TIMEOUT": "10",
        # Cron runs wait a random 0-60 s first; tests take their samples at once.
        "RESYNC_START_DELAY_MAX": "0",
    }
    return Agent(shell=shell, home=home, env=env)


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def listening_port():
    """A loopback port that accepts connections and closes them: the master's port."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    stopping = threading.Event()

    def accept_and_close() -> None:
        while not stopping.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                return
            connection.close()

    thread = threading.Thread(target=accept_and_close, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stopping.set()
    server.close()


@dataclass
class StubApi:
    """A scripted HTTP endpoint on loopback: answers with queued (status, body) pairs."""

    url: str
    answers: list[tuple[int, dict | list]] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)


@pytest.fixture
def stub_api():
    """For status-code handling the real API cannot be made to produce on demand (429, 503)."""
    stub = StubApi(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            stub.requests.append(
                {"path": self.path, "headers": dict(self.headers), "body": json.loads(body)}
            )
            status, answer = stub.answers.pop(0) if stub.answers else (202, {"id": 1})
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stub
    server.shutdown()
    server.server_close()
