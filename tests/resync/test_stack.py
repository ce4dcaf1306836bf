"""`resync run`'s environment: the public API URL follows the API's port unless set, and
Prefect's client rides out a busy embedded server; read back as the child processes read it."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.settings import Settings as PrefectSettings
from typer.testing import CliRunner

from resync import stack
from resync.cli import app
from resync.settings import get_settings
from resync.stack import PREFECT_CLIENT_RETRIES, Stack

PRINT_PUBLIC_URL = "from resync.settings import get_settings; print(get_settings().public_api_url)"
# How long Prefect's server waits for its SQLite lock, as a server started by the stack sets it.
PRINT_SQLITE_LOCK_WAIT = """
import asyncio, sys
from prefect.server.database.configurations import AioSqliteConfiguration

async def lock_wait():
    engine = await AioSqliteConfiguration(f"sqlite+aiosqlite:///{sys.argv[1]}").engine()
    async with engine.connect() as connection:
        print((await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar())

asyncio.run(lock_wait())
"""


@pytest.fixture
def directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory without a .env and no RESYNC_PUBLIC_API_URL in the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RESYNC_PUBLIC_API_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def public_url_in_child(environment: dict[str, str], directory: Path) -> str:
    """What a process of the stack (the API, a flow run) takes as the public API URL."""
    child = subprocess.run(
        [sys.executable, "-c", PRINT_PUBLIC_URL],
        cwd=directory,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    return child.stdout.strip()


def test_the_public_api_url_follows_the_api_port(directory: Path) -> None:
    environment = Stack(directory, directory, api_port=8123, prefect_port=4300).environment
    assert environment["RESYNC_PUBLIC_API_URL"] == "http://127.0.0.1:8123"
    assert public_url_in_child(environment, directory) == "http://127.0.0.1:8123"


def test_a_public_api_url_set_in_the_environment_is_kept(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESYNC_PUBLIC_API_URL", "https://resync.example.com")
    environment = Stack(directory, directory, api_port=8123, prefect_port=4300).environment
    assert public_url_in_child(environment, directory) == "https://resync.example.com"


def test_a_public_api_url_set_in_dotenv_is_kept(directory: Path) -> None:
    (directory / ".env").write_text("RESYNC_PUBLIC_API_URL=https://resync.example.com:8443\n")
    environment = Stack(directory, directory, api_port=8123, prefect_port=4300).environment
    assert "RESYNC_PUBLIC_API_URL" not in environment
    assert public_url_in_child(environment, directory) == "https://resync.example.com:8443"


def test_resync_run_passes_its_api_port_to_the_stack(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = {}
    monkeypatch.setattr(stack, "run_stack", lambda *arguments: started.update(args=arguments))
    result = CliRunner().invoke(app, ["run", "--api-port", "8123", "--prefect-port", "4300"])
    assert result.exit_code == 0, result.output
    assert started["args"][2:] == (8123, 4300)


def test_prefect_reads_the_stacks_client_retries(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in PREFECT_CLIENT_RETRIES:
        monkeypatch.delenv(name, raising=False)
    environment = Stack(directory, directory, api_port=8123, prefect_port=4300).environment
    for name in PREFECT_CLIENT_RETRIES:
        monkeypatch.setenv(name, environment[name])
    prefect = PrefectSettings()
    assert prefect.client.max_retries == 8
    assert prefect.api.request_timeout == 90

    server = subprocess.run(
        [sys.executable, "-c", PRINT_SQLITE_LOCK_WAIT, str(directory / "prefect.db")],
        env={**environment, "PREFECT_HOME": str(directory)},
        check=True,
        capture_output=True,
        text=True,
    )
    lock_wait_ms = int(server.stdout.strip())
    assert lock_wait_ms == 60_000
    assert prefect.api.request_timeout * 1000 > lock_wait_ms


def test_an_operators_prefect_client_settings_win(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_CLIENT_MAX_RETRIES", "3")
    environment = Stack(directory, directory, api_port=8123, prefect_port=4300).environment
    assert environment["PREFECT_CLIENT_MAX_RETRIES"] == "3"
