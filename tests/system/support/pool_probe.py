"""A flow for the shared work pool test: each run appends its id and its worker's process id to
a file (one short write with O_APPEND, whole lines even from processes writing at once), then
holds its worker's slot for a moment."""

import os
import time

from prefect import flow
from prefect.runtime import flow_run


@flow(name="pool-probe")
def pool_probe(record: str, hold_seconds: float = 2.0) -> None:
    """Record this run as executed by the worker that started its process."""
    with open(record, "a") as lines:
        lines.write(f"{flow_run.id} {os.getppid()}\n")
    time.sleep(hold_seconds)
