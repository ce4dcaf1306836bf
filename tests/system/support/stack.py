"""The stack deployed as the README tells an operator to, on the test session's PostgreSQL.

Prefect's server on its own database, `prefect work-pool create` and `prefect deploy --all`
from the repository root, a worker, the API, the demo master and the demo estate: each a
subprocess with its log under the test's temporary directory. Only the intervals are short:
the worker's heartbeat, the maintenance heartbeat and staleness, the review polling.
"""

import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

from resync.stack import api_command
from tests.support.postgres import PostgresServer, free_port
from tests.system.support.prefect_rest import PrefectApi
from tests.system.support.processes import Processes

WORK_POOL = "resync-local"
# The deployments that move the demo estate's history in (from the inbox, from the master).
HISTORY_DEPLOYMENTS = ("ingest-batching", "job-history-sync")
BIN = Path(sys.executable).parent
WORKER_HEARTBEAT_SECONDS = 5
# Prefect's server gives a deployment's concurrency lease this long at first (its minimum)...
INITIAL_LEASE_SECONDS = 30
# ...and the flow engine renews it for 300 s every 3/4 of that, hard-coded in Prefect 3.9's
# flow_engine.py (no setting shortens it): a run paused this long has seen a renewal, the one
# that crashed paused runs when the maintenance deployment had a concurrency limit.
ENGINE_LEASE_RENEWAL_SECONDS = 0.75 * 300
MAINTENANCE_HEARTBEAT_SECONDS = 1
MAINTENANCE_STALE_SECONDS = 5
# A small estate: four FTAs (disk filling, memory leak, flaky link, healthy), two weeks.
DEMO_OPTIONS = ("--workstations", "4", "--days", "14")


@dataclass
class DeployedStack:
    """The running stack: its processes, Prefect's API, the Resync API and database."""

    processes: Processes
    prefect: PrefectApi
    api_url: str
    database_url: str
    worker_environment: dict[str, str]

    def start_worker(self, name: str) -> None:
        self.processes.start(
            name,
            str(BIN / "prefect"),
            "worker",
            "start",
            "--pool",
            WORK_POOL,
            "--name",
            name,
            extra=self.worker_environment,
        )


def _clean_environment() -> dict[str, str]:
    """The test process's environment without its Prefect, Resync and Anthropic settings."""
    prefixes = ("PREFECT_", "RESYNC_", "ANTHROPIC_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


@contextmanager
def deployed_stack(postgres: PostgresServer, log_dir: Path) -> Iterator[DeployedStack]:
    """Start everything and deploy; stop it all on exit. A failed start prints every log."""
    # The test cluster trusts local connections; the password shows where it is kept or shown.
    database_url = (
        make_url(postgres.create_database("system_resync", template="resync_template"))
        .set(password=secrets.token_urlsafe(12))
        .render_as_string(hide_password=False)
    )
    prefect_database = postgres.create_database("system_prefect")
    prefect_port, api_port, master_port = free_port(), free_port(), free_port()
    prefect_url = f"http://127.0.0.1:{prefect_port}/api"
    api_url = f"http://127.0.0.1:{api_port}"
    environment = {
        **_clean_environment(),
        "PREFECT_HOME": str(log_dir / "prefect-home"),
        "PREFECT_API_URL": prefect_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "RESYNC_DATABASE_URL": database_url,
        "RESYNC_DATA_DIR": str(log_dir / "data"),
        "RESYNC_PUBLIC_API_URL": api_url,
        "RESYNC_HWA_URL": f"http://127.0.0.1:{master_port}",
        "RESYNC_HWA_USER": "demo",
        "RESYNC_HWA_PASSWORD": secrets.token_urlsafe(18),
    }
    processes = Processes(log_dir, environment)
    stack = DeployedStack(
        processes,
        PrefectApi(prefect_url),
        api_url,
        database_url,
        worker_environment={
            # The worker has no database of its own: a flow run that read this instead of the
            # deployments' connection block would fail.
            "RESYNC_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/not-resync",
            "PREFECT_WORKER_HEARTBEAT_SECONDS": str(WORKER_HEARTBEAT_SECONDS),
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "RESYNC_MAINTENANCE_REVIEW_POLL_INTERVAL_SECONDS": "1",
            "RESYNC_MAINTENANCE_HEARTBEAT_SECONDS": str(MAINTENANCE_HEARTBEAT_SECONDS),
            "RESYNC_MAINTENANCE_HEARTBEAT_STALE_SECONDS": str(MAINTENANCE_STALE_SECONDS),
        },
    )
    try:
        processes.start(
            "prefect-server",
            str(BIN / "prefect"),
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(prefect_port),
            extra={
                "PREFECT_API_DATABASE_CONNECTION_URL": prefect_database.replace(
                    "postgresql+psycopg://", "postgresql+asyncpg://"
                ),
                "PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION": str(
                    INITIAL_LEASE_SECONDS
                ),
                # The test triggers every run itself: no scheduled run (the 02:00 maintenance run,
                # ingest every minute) may join in.
                "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
            },
        )
        processes.start(
            "demo-hwa",
            sys.executable,
            "-m",
            "resync.demo.jobs",
            "--port",
            str(master_port),
            *DEMO_OPTIONS,
        )
        processes.start("api", *api_command(api_port))
        processes.wait_healthy("api", f"{api_url}/readyz")
        processes.start(
            "demo",
            str(BIN / "resync"),
            "demo",
            "--api-url",
            api_url,
            *DEMO_OPTIONS,
            "--live-interval",
            "0",
        )
        processes.wait_healthy("prefect-server", f"{prefect_url}/health")
        # The README's sequence, word for word, from the repository root.
        processes.run(
            "work-pool", str(BIN / "prefect"), "work-pool", "create", WORK_POOL, "--type", "process"
        )
        processes.run("deploy", str(BIN / "prefect"), "deploy", "--all")
        stack.start_worker("worker-1")
        processes.wait("demo", timeout=180)
    except BaseException:
        print(processes.log_tails())
        processes.stop()
        raise
    try:
        yield stack
    finally:
        processes.stop()
