"""State of the ingest-batching graph: batch ids and counts, never the rows themselves."""

import operator
from typing import Annotated, TypedDict


class IngestState(TypedDict, total=False):
    """Counts accumulate over the batches of one run (operator.add reducers)."""

    batch_size: int
    """Inbox rows claimed per batch."""
    max_batches: int
    """Stop claiming after this many batches; the next run continues."""
    lanes: int
    """Batches validated and loaded side by side (each in its own transaction)."""
    current_batches: list[dict[str, int]]
    """The batches being validated and loaded (ids and inbox-id ranges); empty when the inbox
    had nothing pending."""
    batch_ids: Annotated[list[int], operator.add]
    claimed: Annotated[int, operator.add]
    rejected: Annotated[int, operator.add]
    loaded: Annotated[int, operator.add]
    duplicates: Annotated[int, operator.add]
    opened_alert_ids: list[int]
    inbox_not_draining: bool
    """Samples this run left in the inbox have waited past RESYNC_INBOX_DRAIN_ALERT_MINUTES."""
    resolved: int
    open: int
    notified: int
    pruned: int
    """Inbox rows deleted because their batch was loaded longer ago than the retention."""
