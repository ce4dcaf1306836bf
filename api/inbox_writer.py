"""Group commit into the metrics inbox: requests wait for the transaction that holds their rows.

One writer thread drains every submission waiting at that moment and stores them in a single
transaction; each request is acknowledged only after that commit returned. Under load the
batches grow by themselves, so the commit cost is shared; when idle a request is written alone.
"""

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from resync.inbox import hold_inbox_for_write
from resync.models import MetricsInbox

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredSample:
    id: int
    duplicate: bool


class InboxWriter:
    """Writes submitted rows to `metrics_inbox`, idempotently on (workstation, sample_time)."""

    def __init__(self, engine: Engine, max_rows_per_transaction: int) -> None:
        self._engine = engine
        self._max_rows = max_rows_per_transaction
        self._queue: queue.SimpleQueue[tuple[list[dict[str, Any]], Future] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="inbox-writer", daemon=True)
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        self._insert = (
            dialect.insert(MetricsInbox)
            .on_conflict_do_nothing(index_elements=["workstation", "sample_time"])
            .returning(MetricsInbox.id, MetricsInbox.workstation, MetricsInbox.sample_time)
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    async def submit(self, rows: list[dict[str, Any]]) -> list[StoredSample]:
        """Store `rows` (all or none) and return their ids once committed."""
        future: Future[list[StoredSample]] = Future()
        self._queue.put((rows, future))
        return await asyncio.wrap_future(future)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            size = len(first[0])
            while size < self._max_rows:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                group.append(item)
                size += len(item[0])
            self._write(group)

    def _write(self, group: list[tuple[list[dict[str, Any]], Future]]) -> None:
        try:
            results = self._store([row for rows, _ in group for row in rows])
        except Exception as error:
            logger.exception("inbox write failed for %d submissions", len(group))
            for _, future in group:
                future.set_exception(error)
            return
        for rows, future in group:
            future.set_result([results[(row["workstation"], row["sample_time"])] for row in rows])

    def _store(self, rows: list[dict[str, Any]]) -> dict[tuple[str, datetime], StoredSample]:
        results: dict[tuple[str, datetime], StoredSample] = {}
        with self._engine.begin() as connection:
            hold_inbox_for_write(connection)
            for stored in connection.execute(self._insert, rows):
                results[(stored.workstation, stored.sample_time)] = StoredSample(stored.id, False)
            missing = {(row["workstation"], row["sample_time"]) for row in rows} - results.keys()
            if missing:
                existing = connection.execute(
                    select(MetricsInbox.id, MetricsInbox.workstation, MetricsInbox.sample_time).where(
                        tuple_(MetricsInbox.workstation, MetricsInbox.sample_time).in_(list(missing))
                    )
                )
                for stored in existing:
                    results[(stored.workstation, stored.sample_time)] = StoredSample(stored.id, True)
        return results
