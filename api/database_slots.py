"""Admission of requests to the database: a bounded number at once, the rest refused quickly.

A request that needs a database session waits at most a short while for one of the slots. Past
that the API is overloaded and says so at once (503 with Retry-After), instead of queueing
the request for a worker thread and a pooled connection, where it held both and timed out
after 30 s while ingest and /healthz waited behind it. Ingest writes through its own writer
connections and never takes a slot.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import HTTPException, status

RETRY_AFTER_SECONDS = 5
OVERLOADED = "The API is busy with other reads; retry after the time in Retry-After"


class DatabaseSlots:
    """`slots` requests hold a database session at once; another waits up to `wait` seconds."""

    def __init__(self, slots: int, wait: float) -> None:
        self._free = asyncio.Semaphore(slots)
        self._wait = wait

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """One slot for the block; 503 with Retry-After when none frees up in time."""
        try:
            await asyncio.wait_for(self._free.acquire(), self._wait)
        except TimeoutError:
            raise HTTPException(
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                detail=OVERLOADED,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ) from None
        try:
            yield
        finally:
            self._free.release()
