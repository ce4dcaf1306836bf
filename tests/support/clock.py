"""A monotonic clock a test moves forward, so it never sleeps through a time-to-live."""

import time


class AdvancingClock:
    """`time.monotonic()` plus every `advance()` so far: it runs like the real clock, and a
    test skips a TTL in one call instead of waiting for it."""

    def __init__(self) -> None:
        self.skipped = 0.0
        self.stopped_at: float | None = None

    def __call__(self) -> float:
        now = time.monotonic() if self.stopped_at is None else self.stopped_at
        return now + self.skipped

    def advance(self, seconds: float) -> None:
        self.skipped += seconds

    def stop(self) -> None:
        """From now on time moves only by `advance()`, however slow the machine."""
        self.stopped_at = time.monotonic()
