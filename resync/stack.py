"""`resync run`: the whole system on one machine — Prefect server and worker, the API, the demo.

It deploys the flows the way an operator does, from the repository root: `prefect work-pool
create resync-local --type process`, then `prefect deploy --all`, whose build step
(`deployment_settings`, below) supplies what `prefect.yaml` cannot know by itself.
"""

import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from resync.db.connection_block import DATABASE_BLOCK, save_connection_block
from resync.settings import get_settings

logger = logging.getLogger(__name__)

WORK_POOL = "resync-local"
# Prefect's own SQLite takes one writer at a time: a request waits up to 60 s for the lock (a
# PRAGMA Prefect fixes; PREFECT_SERVER_DATABASE_TIMEOUT does not change it), then is answered
# 503. Prefect's client retries 503 (and 429, 502) with a backoff doubling from 2 s, five times
# by default (about a minute), which bursts of writes under the demo outlasted: flow runs crashed
# on submission. Eight retries ride out about eight minutes. No extra codes are retried
# (PREFECT_CLIENT_RETRY_EXTRA_CODES): a 500 may follow a write that happened. An operator's own
# values win.
PREFECT_CLIENT_RETRIES = {
    "PREFECT_CLIENT_MAX_RETRIES": "8",
    # Longer than the server's lock wait: a request that waited it out gets its 503 and is
    # retried, rather than timing out and being sent again while the first may still commit.
    "PREFECT_API_REQUEST_TIMEOUT": "90",
}


@dataclass
class Stack:
    """Child processes started in order and stopped in reverse, on Ctrl-C or on any failure."""

    project_dir: Path
    data_dir: Path
    api_port: int
    prefect_port: int
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    extra_environment: dict[str, str] = field(default_factory=dict)

    @property
    def environment(self) -> dict[str, str]:
        derived = {}
        if "public_api_url" not in get_settings().model_fields_set:
            # Links in artifacts and reviews point at the API this stack starts, on its port.
            derived["RESYNC_PUBLIC_API_URL"] = f"http://127.0.0.1:{self.api_port}"
        return {
            **PREFECT_CLIENT_RETRIES,
            **os.environ,
            **derived,
            "PREFECT_HOME": str(self.data_dir / "prefect"),
            "PREFECT_API_URL": f"http://127.0.0.1:{self.prefect_port}/api",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_API_URL": f"http://127.0.0.1:{self.prefect_port}/api",
            "RESYNC_DATA_DIR": str(self.data_dir),
            **self.extra_environment,
        }

    def command(self, *arguments: str) -> None:
        """Run a set-up command to completion; its output goes to the stack's log."""
        logger.info("%s", " ".join([Path(arguments[0]).name, *arguments[1:]]))
        with (self.data_dir / "stack.log").open("ab") as log:
            subprocess.run(
                arguments,
                cwd=self.project_dir,
                env=self.environment,
                check=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start(self, name: str, *arguments: str) -> None:
        logger.info("starting %s (log: %s)", name, self.data_dir / f"{name}.log")
        log = (self.data_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            arguments,
            cwd=self.project_dir,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((name, process))

    def wait_healthy(self, name: str, url: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process_name, process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{process_name} exited with {process.returncode}; "
                        f"see {self.data_dir / (process_name + '.log')}"
                    )
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{name} did not answer at {url} within {timeout:.0f} s")

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop in 20 s; killing it", name)
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()


def deployment_settings() -> dict[str, str]:
    """The build step of `prefect.yaml`, run by `prefect deploy` in the repository root.

    `directory` is that root, where the workers run the flows from (Prefect resolves a relative
    directory against each run's temporary directory, not the deploy's). The settings are read
    as every Resync process reads them (environment, then `.env`); an invalid one fails the
    deploy before any deployment is created. The database they name is saved in Prefect as the
    deployments' connection block.
    """
    root = Path.cwd().resolve()
    if not (root / "flows").is_dir():
        raise RuntimeError(f"run `prefect deploy --all` in the Resync repository root, not {root}")
    settings = get_settings()
    if settings.database_block is None:
        save_connection_block(settings.sqlalchemy_url)
    return {
        "directory": str(root),
        "capacity_schedule_timezone": settings.capacity_schedule_timezone,
        "database_block": settings.database_block or DATABASE_BLOCK,
    }


def api_command(port: int) -> list[str]:
    """The API served by uvicorn on 127.0.0.1:`port`, as `resync run` and the tests start it."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "api.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        # X-Forwarded-For is believed from RESYNC_TRUSTED_PROXIES only, by the API itself.
        "--no-proxy-headers",
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_demo_master(stack: Stack) -> str:
    """A fake HWA master serving the demo estate's job runs; RESYNC_HWA_* point at it.

    Approved maintenance actions run against it for real (its demo FTAs show what they did in
    their next samples), and the demo FTAs' TWS_HOME volume is named, so a filling disk gets a
    file-system extension, which a reviewer approves; an operator's own values win.
    """
    port = _free_port()
    stack.extra_environment.update(
        {
            "RESYNC_HWA_URL": f"http://127.0.0.1:{port}",
            "RESYNC_HWA_USER": "demo",
            "RESYNC_HWA_PASSWORD": secrets.token_urlsafe(18),
        }
    )
    chosen = get_settings().model_fields_set
    if "maintenance_execute_actions" not in chosen:
        stack.extra_environment["RESYNC_MAINTENANCE_EXECUTE_ACTIONS"] = "true"
    if "maintenance_logical_volume" not in chosen:
        stack.extra_environment["RESYNC_MAINTENANCE_LOGICAL_VOLUME"] = "/dev/mapper/twsvg-twslv"
    stack.start("demo-hwa", sys.executable, "-m", "resync.demo.jobs", "--port", str(port))
    return f"http://127.0.0.1:{port}   (demo: a fake master serving the demo's job runs)"


def _interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def run_stack(project_dir: Path, data_dir: Path, api_port: int, prefect_port: int) -> None:
    """Start everything, print where it is, and wait for Ctrl-C, SIGTERM or SIGHUP."""
    # SIGINT too: a shell that starts this in the background leaves SIGINT ignored.
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, _interrupt)
    data_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(project_dir, data_dir, api_port, prefect_port)
    resync = str(Path(sys.executable).with_name("resync"))
    prefect = str(Path(sys.executable).with_name("prefect"))
    prefect_url = f"http://127.0.0.1:{prefect_port}"
    api_url = f"http://127.0.0.1:{api_port}"
    try:
        stack.command(resync, "db", "upgrade")
        stack.start(
            "prefect-server",
            prefect,
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(prefect_port),
        )
        stack.wait_healthy("Prefect server", f"{prefect_url}/api/health")
        # A real master when RESYNC_HWA_URL names one, else the demo's fake one.
        hwa = get_settings().hwa_url or start_demo_master(stack)
        stack.command(prefect, "work-pool", "create", WORK_POOL, "--type", "process", "--overwrite")
        stack.command(prefect, "deploy", "--all")
        stack.start("prefect-worker", prefect, "worker", "start", "--pool", WORK_POOL)
        stack.start("api", *api_command(api_port))
        stack.wait_healthy("Resync API", f"{api_url}/readyz")
        admin_key = (
            subprocess.run(
                [
                    resync,
                    "keys",
                    "create",
                    "--name",
                    "make-run-admin",
                    "--scope",
                    "admin:*",
                    "--scope",
                    "metrics:read",
                    "--scope",
                    "workflows:*",
                ],
                cwd=project_dir,
                env=stack.environment,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.split("key:", 1)[1]
            .strip()
        )
        stack.start("demo", resync, "demo", "--api-url", api_url)
        print(
            f"\nResync is running (data in {data_dir}):\n"
            f"  Prefect UI   {prefect_url}\n"
            f"  Resync API   {api_url}/docs\n"
            f"  Estate       {api_url}/api/v1/workstations\n"
            f"  Key admin    {api_url}/admin/   (log in with the admin key below)\n"
            f"  HWA master   {hwa}\n"
            f"  Admin key    {admin_key}   (this session's; shown once)\n"
            f"  Logs         {data_dir}/*.log\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        while all(process.poll() is None for _, process in stack.processes):
            time.sleep(1)
        failed = [name for name, process in stack.processes if process.poll() is not None]
        raise RuntimeError(f"{', '.join(failed)} stopped unexpectedly; see {data_dir}/*.log")
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
    finally:
        stack.stop()
