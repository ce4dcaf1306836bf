"""Inbox → history tasks: claim a range of pending payloads, validate it, load it, prune.

Each is retried on a database error (`database_task`); why a retry is safe is said per task.
"""

from datetime import UTC, datetime, timedelta

from prefect import get_run_logger
from prefect.runtime import flow_run
from sqlalchemy.exc import DBAPIError

from resync.db.engine import get_engine
from resync.ingest.history import find_unloadable_rows, load_batch
from resync.ingest.history_schema import find_invalid_rows
from resync.ingest.store import (
    BatchRange,
    claim_batch,
    prune_loaded_batches,
    read_batch_frame,
    record_validation,
    set_aside_rows,
)
from resync.settings import get_settings
from tasks.database import CONNECTION_ERRORS, database_task


@database_task
def claim_inbox_batch(batch_size: int) -> BatchRange | None:
    """Claim the next `batch_size` inbox ids as one batch, or take over an abandoned claim.

    A retry cannot claim a range twice: a failed claim rolled back, and the next claim starts
    above every range already claimed. A claim committed before its answer was lost is left to
    the run that takes it over once it is abandoned.
    """
    timeout = timedelta(seconds=get_settings().ingest_claim_timeout_seconds)
    with get_engine().begin() as connection:
        claim = claim_batch(connection, batch_size, timeout, str(flow_run.id or ""))
        if claim is not None and claim.taken_over:
            get_run_logger().warning(
                "taking over ingest batch %d, abandoned by its run", claim.batch["batch_id"]
            )
    return claim.batch if claim is not None else None


@database_task
def validate_inbox_batch(batch: BatchRange) -> dict[str, int]:
    """Count the batch's rows and check them against the history schema; failing rows are
    set aside with a reason.

    A retry reads the same rows and writes the same reasons and counts again.
    """
    engine = get_engine()
    with engine.connect() as connection:
        frame = read_batch_frame(connection, batch)
    invalid = find_invalid_rows(frame) if frame.height else {}
    if invalid:
        get_run_logger().warning(
            "batch %d: %d rows fail the history schema", batch["batch_id"], len(invalid)
        )
    with engine.begin() as connection:
        record_validation(connection, batch, frame.height, invalid)
    return {"claimed": frame.height, "rejected": len(invalid)}


@database_task
def load_history_batch(batch: BatchRange) -> dict[str, int]:
    """Copy the batch's valid rows into history and refresh each FTA's latest facts, atomically;
    rows the load refuses are set aside with the error (an alert names their FTA) and the rest
    is loaded.

    A retry loads nothing twice: the load and the batch's move from claimed to loaded commit
    together, and a batch no longer claimed is refused.
    """
    engine = get_engine()
    try:
        with engine.begin() as connection:
            return {**load_batch(connection, batch), "set_aside": 0}
    except CONNECTION_ERRORS:
        raise
    except (DBAPIError, ValueError, TypeError) as error:
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            raise
        failure = error
    with engine.begin() as connection:
        unloadable = find_unloadable_rows(connection, batch)
        if not unloadable:
            raise failure
        set_aside_rows(connection, batch, unloadable)
    get_run_logger().error(
        "batch %d: %d rows set aside, the load refuses them (first: inbox id %d, %s)",
        batch["batch_id"],
        len(unloadable),
        *next(iter(unloadable.items())),
    )
    with engine.begin() as connection:
        return {**load_batch(connection, batch), "set_aside": len(unloadable)}


@database_task
def prune_inbox_batches(max_batches: int = 50) -> int:
    """Delete the inbox rows of batches loaded longer ago than the retention; keeps the batches.

    A sample that old is refused by the API, so it cannot come back as a new inbox row; the
    batch rows stay as the audit trail and as the claim watermark. A retry prunes what the
    failed attempt rolled back, or the next batches.
    """
    cutoff = datetime.now(UTC) - timedelta(days=get_settings().retention_days)
    with get_engine().begin() as connection:
        return prune_loaded_batches(connection, cutoff, max_batches)
