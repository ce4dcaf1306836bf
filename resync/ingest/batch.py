"""Spool-replay bodies validated in one pass by msgspec, then column-wise checks.

`MetricsPayload` spends most of its time in Python (a model object per part, a timestamp
validator and two model validators per sample). Here msgspec decodes the body straight into
structs with the same field types and constraints, and the rules that need Python (latency
order, the accepted time window) run once over the batch, the numbers as numpy columns. The
structs know only the contract's names: a body with an unknown name, like any body this path
refuses, is left to `MetricsPayload`, which keeps and reports unknown names and names each bad
item's index and field. A property-based test holds the two to accepting the same bodies and
storing the same values.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Annotated, Literal

import msgspec
import numpy as np
import polars as pl
from msgspec import Meta, Struct

from resync.db.frames import UTC_TIME
from resync.ingest.inbox import INBOX_SCHEMA, sample_values
from resync.ingest.payload import (
    BATCH_MAX_ITEMS,
    LABEL_PATTERN,
    MAX_FLOAT,
    MAX_INT32,
    METRIC_NAMES,
    WORKSTATION_PATTERN,
    MetricsPayload,
)
from resync.settings import get_settings

Percent = Annotated[float, Meta(ge=0, le=100)]
NonNegative = Annotated[float, Meta(ge=0, le=MAX_FLOAT)]
# Text patterns are checked once per distinct value (`_text_matches`).
Label = Annotated[str, Meta(max_length=64)]


class Metrics(Struct, forbid_unknown_fields=True):
    cpu_percent: Percent
    memory_percent: Percent
    disk_percent: Percent
    latency_min_ms: NonNegative | None
    latency_avg_ms: NonNegative | None
    latency_max_ms: NonNegative | None
    packet_loss_percent: Percent
    tcp_connectivity: Literal[0, 1]
    disk_io_read_kbs: NonNegative
    disk_io_write_kbs: NonNegative
    process_count: Annotated[int, Meta(ge=0, le=MAX_INT32)]
    load_avg_1: NonNegative
    load_avg_5: NonNegative
    load_avg_15: NonNegative
    network_rx_kbs: NonNegative
    network_tx_kbs: NonNegative


class HostFacts(Struct, forbid_unknown_fields=True):
    cpu_count: Annotated[int, Meta(ge=1, le=100_000)] | None = None
    memory_total_mb: NonNegative | None = None
    disk_total_gb: NonNegative | None = None
    os_type: Label | None = None
    os_version: Label | None = None
    agent_version: Label | None = None


class TwsFacts(Struct, forbid_unknown_fields=True):
    stdlist_mb: NonNegative | None = None
    message_files: Annotated[dict[Label, Percent], Meta(max_length=256)] | None = None


class Sample(Struct, forbid_unknown_fields=True):
    """`MetricsPayload`'s fields, known names only; a timestamp is text with a zone."""

    workstation: str
    timestamp: Annotated[datetime, Meta(tz=True)]
    metrics: Metrics
    latency_method: Literal["icmp", "tcp"] | None = None
    host: HostFacts | None = None
    tws: TwsFacts | None = None


SAMPLES = msgspec.json.Decoder(list[Sample])
DOCUMENTS = msgspec.json.Decoder(list[msgspec.Raw])
MESSAGE_FILES = msgspec.json.Encoder()
SAMPLE_SCHEMA = {n: t for n, t in INBOX_SCHEMA.items() if n not in ("api_key_id", "received_at")}
_read_metrics = attrgetter(*METRIC_NAMES)
_LATENCIES = [METRIC_NAMES.index(n) for n in ("latency_min_ms", "latency_avg_ms", "latency_max_ms")]
_PACKET_LOSS = METRIC_NAMES.index("packet_loss_percent")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class SampleBatch:
    """Validated samples as inbox columns (without key and receipt time), and unknown names."""

    frame: pl.DataFrame
    ignored: list[tuple[int, list[str]]]


def read_sample_batch(body: bytes) -> SampleBatch | None:
    """The samples of `body` if every rule of `MetricsPayload` holds, else None (ask the model)."""
    try:
        samples = SAMPLES.decode(body)
    except msgspec.DecodeError:
        return None
    if not 1 <= len(samples) <= BATCH_MAX_ITEMS:
        return None
    metrics = np.array([_read_metrics(s.metrics) for s in samples], dtype=np.float64)
    if not _latencies_consistent(metrics):
        return None
    micros = [(s.timestamp - EPOCH) // MICROSECOND for s in samples]
    if not (_within_window(min(micros), max(micros)) and _text_matches(samples)):
        return None
    times = pl.Series(micros).cast(UTC_TIME)
    documents = [bytes(document).decode() for document in DOCUMENTS.decode(body)]
    return SampleBatch(frame=_inbox_frame(samples, times, metrics, documents), ignored=[])


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


def _text_matches(samples: list[Sample]) -> bool:
    """Workstation names and host/TWS labels match the contract's patterns (each once)."""
    hosts = [s.host for s in samples if s.host is not None]
    labels = {h.os_type for h in hosts} | {h.os_version for h in hosts}
    labels |= {h.agent_version for h in hosts}
    labels |= {n for s in samples if s.tws and s.tws.message_files for n in s.tws.message_files}
    labels.discard(None)
    names = {s.workstation for s in samples}
    return all(re.fullmatch(WORKSTATION_PATTERN, name) for name in names) and all(
        re.fullmatch(LABEL_PATTERN, label) for label in labels
    )


def _inbox_frame(
    samples: list[Sample], times: pl.Series, metrics: np.ndarray, documents: list[str]
) -> pl.DataFrame:
    tws = [s.tws or TwsFacts() for s in samples]
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
        pl.col("workstation").str.to_uppercase()
    )
