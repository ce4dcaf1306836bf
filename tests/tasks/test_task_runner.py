"""The thread runner the analysis flows fan out on holds no more task runs at once than the
database engine has connections for."""

import threading
import time

from prefect import flow, task

from resync.db.engine import POOL_SIZE
from tasks.task_runner import configured_task_runner


def test_threads_run_at_most_a_pool_of_task_runs_at_once(prefect_api: None) -> None:
    lock = threading.Lock()
    running = [0]
    peak = [0]

    @task
    def hold(item: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        return item

    @flow(task_runner=configured_task_runner())
    def fan_out() -> list[int]:
        return hold.map(range(3 * POOL_SIZE)).result()

    assert fan_out() == list(range(3 * POOL_SIZE))
    assert 1 < peak[0] <= POOL_SIZE
