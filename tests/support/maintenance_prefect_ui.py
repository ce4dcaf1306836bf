"""Prefect's web UI over the test session's Prefect server, for a browser to review a paused run.

Prefect's test harness serves the API without the UI. This starts a second Prefect webserver
(no background services) whose UI talks to the harness's API, as a reviewer's browser would.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from prefect.settings import get_current_settings

from tests.support.postgres import free_port


@contextmanager
def prefect_ui(log_path: Path) -> Iterator[str]:
    """The UI's address while the block runs; the webserver's output goes to `log_path`."""
    settings = get_current_settings()
    port = free_port()
    environment = {
        **os.environ,
        **settings.to_environment_variables(exclude_unset=True),
        "PREFECT_UI_ENABLED": "true",
        "PREFECT_UI_API_URL": str(settings.api.url),
        "PREFECT__SERVER_WEBSERVER_ONLY": "1",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"Prefect's webserver exited: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prefect's webserver not up in 90 s: {log_path.read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
