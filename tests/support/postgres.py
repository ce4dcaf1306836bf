"""A throw-away PostgreSQL server in a temporary directory, for tests and benchmarks."""

import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

# The test session's cluster lives for minutes in a temporary directory: durability against an
# operating-system crash buys nothing there, and every commit's flush costs ≈ 1 ms. (Killing the
# API, as the crash test does, still loses nothing: PostgreSQL itself keeps running.)
TEST_CLUSTER_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """initdb + pg_ctl into a fresh directory; as root, both run as user `postgres`."""

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        for binary in ("initdb", "pg_ctl"):
            if shutil.which(binary) is None:
                raise RuntimeError(
                    f"{binary} is not on PATH: install the PostgreSQL server binaries "
                    "(Debian: apt-get install postgresql) to run the PostgreSQL tests"
                )
        self.directory = Path(tempfile.mkdtemp(prefix="resync-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.database = "resync"
        self.settings = settings or {}
        self._watchdog: subprocess.Popen | None = None

    @staticmethod
    def _as_postgres(*command: str) -> tuple[str, ...]:
        return ("runuser", "-u", "postgres", "--", *command) if os.geteuid() == 0 else command

    def _run(self, *command: str) -> None:
        subprocess.run(
            self._as_postgres(*command), check=True, capture_output=True, cwd=self.directory
        )

    def _watch_owner(self) -> subprocess.Popen:
        """A process that stops the server and removes its directory once this process is gone
        without `stop()` (a killed pytest worker, an interrupted benchmark): no cluster is left
        running after its owner. Its own session, so the Ctrl-C that ends the owner spares it."""
        stop = shlex.join(
            self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        )
        script = (
            f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 1; done; "
            f"{stop} >/dev/null 2>&1; rm -rf {shlex.quote(str(self.directory))}"
        )
        return subprocess.Popen(
            ["sh", "-c", script],
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> "PostgresServer":
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        options = (
            f"-p {self.port} -k {self.directory} "
            "-c listen_addresses=127.0.0.1 -c max_connections=200"
        ) + "".join(f" -c {name}={value}" for name, value in self.settings.items())
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.directory / "log"),
            "-w",
            "start",
        )
        self._watchdog = self._watch_owner()
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {self.database}")
        return self

    @property
    def admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"

    def create_database(self, name: str, template: str = "template1") -> str:
        """A new database on this server (a copy of `template`); returns its SQLAlchemy URL."""
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def wait_for_port(
    port: int, timeout: float = 30.0, process: subprocess.Popen | None = None
) -> None:
    """Until something listens on the port; a `process` that exits first fails at once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"the process exited with {process.returncode} before 127.0.0.1:{port} listened"
            )
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")
