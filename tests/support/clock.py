"""A monotonic clock a test moves forward, so it never sleeps through a time-to-live."""

import time


class AdvancingClock:
    """`time.monotonic()` plus every `advance()` so far: it runs like the real clock, and a
    test skips a TTL in one call instead of waiting for it."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped

    def advance(self, seconds: float) -> None:
        self.skipped += seconds
