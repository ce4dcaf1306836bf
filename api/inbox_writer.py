"""Group commit into the metrics inbox: requests wait for the transaction that holds their rows.

A writer thread drains every submission waiting at that moment and stores them in a single
transaction; each request is acknowledged only after that commit returned. Under load the
batches grow by themselves, so the commit cost is shared; when idle a request is written alone.
A submission is a list of inbox rows (single samples) or a polars frame of them (a batch).

On PostgreSQL single samples have a writer of their own, so a live sample never waits for a
spool replay's transaction, and batches have several, each with its own connection: while one
transaction's COPY runs in its server process, the next batch is being prepared and sent.
SQLite takes one writer at a time, so there one writer takes everything.
"""

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future

import polars as pl
from sqlalchemy import Connection, Engine

from resync.ingest.inbox_store import Rows, Stored, open_writer_connection, store_submissions

logger = logging.getLogger(__name__)

Submission = tuple[Rows, Future]
WriteQueue = queue.SimpleQueue[Submission | None]


class InboxWriter:
    """Writes submitted rows to `metrics_inbox`, idempotently on (workstation, sample_time)."""

    def __init__(self, engine: Engine, max_rows_per_transaction: int, batch_writers: int) -> None:
        self._engine = engine
        self._max_rows = max_rows_per_transaction
        self._postgresql = engine.dialect.name == "postgresql"
        self._singles: WriteQueue = queue.SimpleQueue()
        self._batches: WriteQueue = queue.SimpleQueue() if self._postgresql else self._singles
        self._threads = [self._writer("inbox-writer", self._singles)]
        if self._postgresql:
            self._threads += [
                self._writer(f"inbox-batch-writer-{number}", self._batches)
                for number in range(batch_writers)
            ]
        self._local = threading.local()

    def _writer(self, name: str, pending: WriteQueue) -> threading.Thread:
        return threading.Thread(target=self._run, args=(pending,), name=name, daemon=True)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._singles.put(None)
        if self._batches is not self._singles:
            self._batches.put(None)
        for thread in self._threads:
            thread.join(timeout=30)

    async def submit(self, rows: Rows) -> Stored:
        """Store `rows` (all or none) and return their ids once committed."""
        future: Future[Stored] = Future()
        pending = self._batches if isinstance(rows, pl.DataFrame) else self._singles
        pending.put((rows, future))
        return await asyncio.wrap_future(future)

    def _run(self, pending: WriteQueue) -> None:
        self._local.connection = None
        while True:
            first = pending.get()
            if first is None:
                # Passed on, so that every writer of this queue stops.
                pending.put(None)
                if self._local.connection is not None:
                    self._local.connection.close()
                return
            group = [first]
            size = len(first[0])
            while size < self._max_rows:
                try:
                    item = pending.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    pending.put(None)
                    break
                group.append(item)
                size += len(item[0])
            self._write(group)

    def _connect(self) -> Connection:
        """This writer's own connection, kept open: no pool checkout or ping per transaction."""
        if self._local.connection is None:
            self._local.connection = open_writer_connection(self._engine)
        return self._local.connection

    def _disconnect(self) -> None:
        if self._local.connection is not None:
            self._local.connection.invalidate()
            self._local.connection = None

    def _write(self, group: list[Submission]) -> None:
        try:
            results = store_submissions(self._connect(), [rows for rows, _ in group])
        except Exception as error:
            logger.exception("inbox write failed for %d submissions", len(group))
            self._disconnect()
            for _, future in group:
                future.set_exception(error)
            return
        for result, (_, future) in zip(results, group, strict=True):
            future.set_result(result)
