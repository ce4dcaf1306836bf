"""The API as a real uvicorn process on a real port, for tests that cross process boundaries."""

import os
import signal
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx

from resync.db.engine import session_scope
from resync.keys.admin import Actor, create_key, revoke_key
from resync.stack import api_command
from tests.support.postgres import free_port, wait_for_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class LiveApi:
    """`uvicorn api.main:app` on 127.0.0.1 with RESYNC_DATABASE_URL set; restartable on its port."""

    def __init__(self, database_url: str, environment: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.environment = {
            **os.environ,
            "RESYNC_DATABASE_URL": database_url,
            **(environment or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"resync-api-{self.port}.log"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            api_command(self.port),
            cwd=PROJECT_ROOT,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port, timeout=60, process=self.process)
        except RuntimeError as error:
            log_end = "\n".join(self.log_path.read_text(errors="replace").splitlines()[-15:])
            raise RuntimeError(f"{error}; the end of {self.log_path}:\n{log_end}") from error

    def stop(self) -> None:
        """Graceful stop (SIGTERM): in-flight writes finish before the process exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        self.process = None

    def kill(self) -> None:
        """kill -9: no shutdown code runs."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None

    def create_key(self, scopes: list[str]) -> tuple[str, str]:
        with session_scope() as session:
            record, plaintext = create_key(
                session, Actor("tests"), name=f"live-{uuid.uuid4().hex[:8]}", scopes=scopes
            )
        return str(record.id), plaintext

    def revoke_key(self, key_id: str) -> None:
        with session_scope() as session:
            revoke_key(session, uuid.UUID(key_id), Actor("tests"), "test", keep_an_admin=False)

    def ingest(self) -> dict[str, int]:
        """Run the ingest-batching flow (in this process, against the session's Prefect API)."""
        from flows.ingest_batching import ingest_batching

        return ingest_batching()

    def history(self, workstation: str, limit: int = 10_000) -> list[dict[str, Any]]:
        _, key = self.create_key(["metrics:read"])
        response = httpx.get(
            f"{self.url}/api/v1/metrics/workstation/{workstation}",
            params={"limit": limit},
            headers={"X-API-Key": key},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["data"]
