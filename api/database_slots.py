"""Admission of requests to the database: a bounded number at once, the rest refused quickly.

A request that needs a database session waits a short while for one of the slots, behind at
most as many others as there are slots. Past that the API is overloaded and says so at once
(503 with Retry-After), instead of queueing the request for a worker thread and a pooled
connection, where it held both and timed out after 30 s while ingest and /healthz waited
behind it. Ingest writes through its own writer connections and never takes a slot.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import HTTPException, status

RETRY_AFTER_SECONDS = 5
OVERLOADED = "The API is busy with other reads; retry after the time in Retry-After"


class DatabaseSlots:
    """`slots` requests hold a database session at once; as many more may wait, each up to
    `wait` seconds, for one to free up; any other is refused at once."""

    def __init__(self, slots: int, wait: float) -> None:
        self._free = asyncio.Semaphore(slots)
        self._slots = slots
        self._wait = wait
        self._waiting = 0

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """One slot for the block; 503 with Retry-After when none frees up in time."""
        if self._free.locked() and self._waiting >= self._slots:
            raise _overloaded()
        self._waiting += 1
        try:
            await asyncio.wait_for(self._free.acquire(), self._wait)
        except TimeoutError:
            raise _overloaded() from None
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._free.release()


def _overloaded() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        detail=OVERLOADED,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
