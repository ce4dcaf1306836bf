"""The predictive-maintenance flow in a process of its own, so a test can `kill -9` it.

`python -m tests.support.maintenance_flow_process [MARKER STEP]` runs the flow on the database
and Prefect API named by the environment. With MARKER, the function STEP (`predict`: the
analysis, in `tasks.maintenance`; a dotted name for another module's, such as
`tasks.maintenance_actions.record_job_submission`: the action's job submitted to the master, not
yet recorded) writes that file and blocks for good, so the test can kill the process right there.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from prefect.settings import get_current_settings
from sqlalchemy import select

from resync.db.engine import session_scope
from resync.db.models import MaintenanceRun, utcnow
from resync.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]


def start_flow_process(
    database_url: str, marker: Path | None = None, step: str = "predict"
) -> subprocess.Popen:
    """Start the flow in a child process on `database_url` and this session's Prefect API."""
    env = {
        **os.environ,
        "RESYNC_DATABASE_URL": database_url,
        "PREFECT_API_URL": str(get_current_settings().api.url),
        "RESYNC_MAINTENANCE_REVIEW_POLL_INTERVAL_SECONDS": "1",
    }
    command = [sys.executable, "-m", "tests.support.maintenance_flow_process"]
    return subprocess.Popen([*command, *([str(marker), step] if marker else [])], cwd=ROOT, env=env)


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL: no cleanup, no final state sent to Prefect, connections just drop."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def wait_until_abandoned() -> float:
    """Until the unfinished run's heartbeat is stale (its process is dead); returns its age."""

    def stale_age() -> float:
        with session_scope() as session:
            heartbeat = session.scalar(
                select(MaintenanceRun.heartbeat_at).where(
                    MaintenanceRun.status.in_(("running", "awaiting_review"))
                )
            )
        age = (utcnow() - heartbeat).total_seconds()
        return age if age > get_settings().maintenance_heartbeat_stale_seconds else 0.0

    return wait_until(stale_age, what="the dead flow process's heartbeat to go stale")


def wait_until(condition: Callable[[], Any], timeout: float = 120.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


class FlowThread(threading.Thread):
    """The flow in a thread of the test process; `join_result()` returns it or raises its error."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        from flows.predictive_maintenance import predictive_maintenance

        try:
            self.result = predictive_maintenance()
        except BaseException as error:  # handed to the test thread
            self.error = error

    def join_result(self, timeout: float = 300.0) -> Any:
        self.join(timeout)
        if self.is_alive():
            raise AssertionError(f"the flow did not finish within {timeout} s")
        if self.error is not None:
            raise self.error
        return self.result


def sleep_until_killed() -> NoReturn:
    while True:
        time.sleep(60)


def _block_forever(marker: Path) -> Callable[..., Any]:
    def blocked(*_args: Any, **_kwargs: Any) -> Any:
        marker.write_text(str(os.getpid()))
        sleep_until_killed()

    return blocked


if __name__ == "__main__":
    import importlib

    from flows.predictive_maintenance import predictive_maintenance

    if len(sys.argv) > 1:
        module, _, name = sys.argv[2].rpartition(".")
        target = importlib.import_module(module or "tasks.maintenance")
        setattr(target, name, _block_forever(Path(sys.argv[1])))
    predictive_maintenance()
