"""One FTA's error never stops an estate workflow: it is that FTA's error, the others go on.

`per_fta` runs an estate-wide step; when the step raises, each FTA alone finds the ones it fails
on, and the step runs again without them, so estate-wide statistics stay estate-wide. A step
that loops over FTAs runs each one's work in `fta_step`.
`record_fta_errors` makes such a partial run visible: a warning in the run's log, a table
artifact, and an alert per failed FTA (sent through the notification block), resolved by the
workflow's next run that processes the FTA.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

import polars as pl
from prefect import get_run_logger
from prefect.artifacts import create_table_artifact

from resync.alerts.store import record_workflow_errors
from resync.db.engine import session_scope
from tasks.database import database_task

Result = TypeVar("Result")


def describe(error: Exception) -> str:
    """An error as one line for an operator: its type and first line, at most 300 characters."""
    text = str(error).strip()
    line = text.splitlines()[0] if text else ""
    return f"{type(error).__name__}: {line}"[:300]


def per_fta(step: Callable[..., Result], *frames: pl.DataFrame) -> tuple[Result, dict[str, str]]:
    """`step(*frames)` over the estate (frames with a `workstation` column), and the FTAs left
    out because it failed on each of them alone (by name, the error). Re-raises an error no
    single FTA explains."""
    try:
        return step(*frames), {}
    except Exception as estate_error:
        failure = estate_error
    names = sorted({name for frame in frames for name in frame["workstation"].unique()})
    errors: dict[str, str] = {}
    for name in names:
        alone = pl.col("workstation") == name
        try:
            step(*(frame.filter(alone) for frame in frames))
        except Exception as error:
            errors[name] = describe(error)
    if not errors:
        raise failure
    kept = pl.col("workstation").is_in(list(errors)).not_()
    return step(*(frame.filter(kept) for frame in frames)), errors


@contextmanager
def fta_step(errors: dict[str, str], workstation: str) -> Iterator[None]:
    """One FTA's work in a loop over FTAs: an error in it is that FTA's (into `errors`), and
    the loop goes on with the next."""
    try:
        yield
    except Exception as error:
        errors[workstation] = describe(error)


@database_task
def record_fta_errors(
    workflow: str, errors: dict[str, str], processed: list[str] | None
) -> list[int]:
    """Alert on each FTA the run failed on and resolve the workflow's alerts on the FTAs it
    processed (None: every FTA that has reported); with errors, say the run is partial in its
    log and in an artifact. The ids of the alerts opened, for notification."""
    with session_scope() as session:
        opened = record_workflow_errors(
            session,
            workflow,
            errors,
            None if processed is None else set(processed),
            datetime.now(UTC),
        )
    if errors:
        get_run_logger().warning(
            "partial run: %s failed on %d FTA(s), left out, the others processed: %s",
            workflow.replace("_", " "),
            len(errors),
            "; ".join(f"{name}: {error}" for name, error in sorted(errors.items())),
        )
        create_table_artifact(
            key=f"{workflow.replace('_', '-')}-fta-errors",
            table=[{"workstation": name, "error": error} for name, error in sorted(errors.items())],
            description=f"Partial run: {len(errors)} FTA(s) failed, the others were processed",
        )
    return opened
