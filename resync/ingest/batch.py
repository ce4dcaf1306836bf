"""Spool-replay bodies validated in one pass by msgspec, then column-wise checks.

`MetricsPayload` spends most of its time in Python (a model object per part, a timestamp
validator and two model validators per sample). Here msgspec decodes the body straight into
structs derived from the model (`structs.py`: the same fields, types and bounds), and the
rules that need Python (latency order, the accepted time window, text patterns) run once over
the batch, the numbers as numpy columns. The structs know only the contract's names: a body
with an unknown name, like any body this path refuses, is left to `MetricsPayload`, which
keeps and reports unknown names and names each bad item's index and field. A property-based
test holds the two to accepting the same bodies and storing the same values.
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain
from operator import attrgetter
from typing import Any

import msgspec
import numpy as np
import polars as pl

from resync.db.frames import UTC_TIME
from resync.ingest.inbox import INBOX_SCHEMA, sample_values
from resync.ingest.payload import BATCH_MAX_ITEMS, METRIC_NAMES, MetricsPayload, TwsFacts
from resync.ingest.structs import CONTRACT, KEYS, TextPath
from resync.settings import get_settings

logger = logging.getLogger(__name__)

SAMPLES = msgspec.json.Decoder(list[CONTRACT.root])
DOCUMENTS = msgspec.json.Decoder(list[msgspec.Raw])
MESSAGE_FILES = msgspec.json.Encoder()
SAMPLE_SCHEMA = {n: t for n, t in INBOX_SCHEMA.items() if n not in ("api_key_id", "received_at")}
_read_metrics = attrgetter(*METRIC_NAMES)
_LATENCIES = [METRIC_NAMES.index(n) for n in ("latency_min_ms", "latency_avg_ms", "latency_max_ms")]
_PACKET_LOSS = METRIC_NAMES.index("packet_loss_percent")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
NO_TWS = CONTRACT.structs[TwsFacts]()


@dataclass(frozen=True)
class SampleBatch:
    """Validated samples as inbox columns (without key and receipt time), and unknown names."""

    frame: pl.DataFrame
    ignored: list[tuple[int, list[str]]]


def read_sample_batch(body: bytes) -> SampleBatch | None:
    """The samples of `body` if every rule of `MetricsPayload` holds, else None: the caller
    asks the model, several times slower, and the log says why (INFO)."""
    try:
        return _read_samples(body)
    except _LeftToTheModel as reason:
        logger.info("batch of %s left to the model: %s", _items(body), reason)
        return None


class _LeftToTheModel(Exception):
    """Why a body is not read here."""


def _read_samples(body: bytes) -> SampleBatch:
    try:
        samples = SAMPLES.decode(body)
    except msgspec.DecodeError as error:
        raise _LeftToTheModel(f"not decoded as contract samples ({error})") from None
    if not 1 <= len(samples) <= BATCH_MAX_ITEMS:
        raise _LeftToTheModel(f"not 1 to {BATCH_MAX_ITEMS} items")
    metrics = np.array([_read_metrics(s.metrics) for s in samples], dtype=np.float64)
    if not _latencies_consistent(metrics):
        raise _LeftToTheModel("latencies out of order, or null without 100 % packet loss")
    micros = [(s.timestamp - EPOCH) // MICROSECOND for s in samples]
    if not _within_window(min(micros), max(micros)):
        raise _LeftToTheModel("a timestamp outside the accepted window")
    if (path := _text_mismatch(samples)) is not None:
        raise _LeftToTheModel(f"a {'.'.join(path)} outside its pattern")
    times = pl.Series(micros).cast(UTC_TIME)
    documents = [bytes(document).decode() for document in DOCUMENTS.decode(body)]
    return SampleBatch(frame=_inbox_frame(samples, times, metrics, documents), ignored=[])


def _items(body: bytes) -> str:
    try:
        count = len(DOCUMENTS.decode(body))
    # msgspec gives up on JSON nested deeper than it recurses.
    except (msgspec.DecodeError, RecursionError):
        return "an unknown number of items"
    return "1 item" if count == 1 else f"{count} items"


def batch_from_payloads(payloads: list[MetricsPayload], body: bytes) -> SampleBatch:
    """The same batch from payloads the model validated out of `body` (bodies refused above)."""
    documents = [bytes(document).decode() for document in DOCUMENTS.decode(body)]
    frame = pl.DataFrame(
        [sample_values(p, d) for p, d in zip(payloads, documents, strict=True)],
        schema=SAMPLE_SCHEMA,
    )
    ignored = [(i, names) for i, p in enumerate(payloads) if (names := p.ignored_fields())]
    return SampleBatch(frame=frame, ignored=ignored)


def _latencies_consistent(metrics: np.ndarray) -> bool:
    """min ≤ avg ≤ max, or any of them null (NaN here) only with 100 % packet loss."""
    low, average, high = (metrics[:, column] for column in _LATENCIES)
    missing = np.isnan(low) | np.isnan(average) | np.isnan(high)
    ordered = (low <= average) & (average <= high)
    return bool(np.where(missing, metrics[:, _PACKET_LOSS] == 100, ordered).all())


def _within_window(earliest: int, latest: int) -> bool:
    """Whether these times (microseconds since 1970 UTC) are in the accepted window."""
    settings = get_settings()
    now = datetime.now(UTC) - EPOCH
    oldest = (now - timedelta(days=settings.retention_days)) // MICROSECOND
    newest = (now + timedelta(seconds=settings.max_clock_skew_seconds)) // MICROSECOND
    return oldest <= earliest and latest <= newest


def _text_mismatch(samples: list[Any]) -> TextPath | None:
    """The first field whose text does not match its pattern (each distinct value once)."""
    parts: dict[TextPath, list[Any]] = {(): samples}
    for path, pattern in CONTRACT.text_patterns:
        texts = set(_step(_parts_at(parts, path[:-1]), path[-1]))
        texts.discard(None)
        if not all(re.fullmatch(pattern, text) for text in texts):
            return path
    return None


def _parts_at(parts: dict[TextPath, list[Any]], path: TextPath) -> list[Any]:
    """What is at `path` in every sample, without None (kept in `parts` for the next path)."""
    if path not in parts:
        found = _step(_parts_at(parts, path[:-1]), path[-1])
        parts[path] = [part for part in found if part is not None]
    return parts[path]


def _step(parents: list[Any], step: str) -> Iterable[Any]:
    return chain.from_iterable(parents) if step == KEYS else map(attrgetter(step), parents)


def _inbox_frame(
    samples: list[Any], times: pl.Series, metrics: np.ndarray, documents: list[str]
) -> pl.DataFrame:
    tws = [s.tws or NO_TWS for s in samples]
    columns = {
        "workstation": [s.workstation for s in samples],
        "sample_time": times,
        **{name: pl.Series(metrics[:, i], nan_to_null=True) for i, name in enumerate(METRIC_NAMES)},
        "latency_method": [s.latency_method for s in samples],
        "stdlist_mb": [t.stdlist_mb for t in tws],
        "message_files": [
            MESSAGE_FILES.encode(t.message_files).decode() if t.message_files else None for t in tws
        ],
        "payload": documents,
    }
    return pl.DataFrame(columns, schema=SAMPLE_SCHEMA).with_columns(
        pl.col(*CONTRACT.upper_cased).str.to_uppercase()
    )
