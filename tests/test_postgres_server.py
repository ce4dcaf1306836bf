"""The tests' throw-away PostgreSQL server does not outlive its owner: a pytest worker or a
benchmark killed without its teardown leaves no cluster running and no directory behind."""

import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
OWNER = """
import time
from tests.support.postgres import PostgresServer
server = PostgresServer().start()
print(server.port, server.directory, flush=True)
time.sleep(600)
"""


def _connect(port: str) -> psycopg.Connection:
    return psycopg.connect(
        f"host=127.0.0.1 port={port} user=postgres dbname=postgres", connect_timeout=2
    )


def test_a_killed_owner_leaves_no_server_running() -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    port, directory = owner.stdout.readline().split()
    with _connect(port) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)

    owner.kill()
    owner.wait()
    deadline = time.monotonic() + 30
    while Path(directory).exists() and time.monotonic() < deadline:
        time.sleep(0.2)

    assert not Path(directory).exists()
    with pytest.raises(psycopg.OperationalError):
        _connect(port)
