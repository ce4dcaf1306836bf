"""Spool-replay bodies validated in one pass: pydantic-core field rules, then column-wise checks.

`MetricsPayload` spends most of its time in Python (a model object per part, a timestamp
validator and two model validators per sample). Here pydantic-core alone validates the body
against TypedDicts with the same field types and constraints, and the rules that need Python
(latency order, the accepted time window, NUL in unknown fields) run once over the batch, the
numbers as numpy columns. When this path refuses a body, the caller validates it with
`MetricsPayload`, which names each bad item's index and field. A property-based test holds the
two to accepting the same bodies and storing the same values.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Annotated, Any, Literal, NotRequired

import numpy as np
import orjson
import polars as pl
from pydantic import AwareDatetime, ConfigDict, Field, Strict, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from resync.inbox import INBOX_SCHEMA, sample_values
from resync.schemas import (
    BATCH_MAX_ITEMS,
    MAX_INT32,
    METRIC_NAMES,
    Label,
    MetricsPayload,
    NonNegative,
    Percent,
    WorkstationName,
    contains_nul,
)
from resync.settings import get_settings

FIELDS_CONFIG = ConfigDict(extra="allow", allow_inf_nan=False)


class MetricsFields(TypedDict):
    __pydantic_config__ = FIELDS_CONFIG  # type: ignore[misc]
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
    process_count: Annotated[int, Field(ge=0, le=MAX_INT32)]
    load_avg_1: NonNegative
    load_avg_5: NonNegative
    load_avg_15: NonNegative
    network_rx_kbs: NonNegative
    network_tx_kbs: NonNegative


class HostFields(TypedDict, total=False):
    __pydantic_config__ = FIELDS_CONFIG  # type: ignore[misc]
    cpu_count: Annotated[int, Field(ge=1, le=100_000)] | None
    memory_total_mb: NonNegative | None
    disk_total_gb: NonNegative | None
    os_type: Label | None
    os_version: Label | None
    agent_version: Label | None


class TwsFields(TypedDict, total=False):
    __pydantic_config__ = FIELDS_CONFIG  # type: ignore[misc]
    stdlist_mb: NonNegative | None
    message_files: Annotated[dict[Label, Percent], Field(max_length=256)] | None


class PayloadFields(TypedDict):
    """`MetricsPayload`'s fields; a timestamp must be text (the model refuses Unix numbers)."""

    __pydantic_config__ = FIELDS_CONFIG  # type: ignore[misc]
    workstation: WorkstationName
    timestamp: Annotated[AwareDatetime, Strict()]
    metrics: MetricsFields
    latency_method: NotRequired[Literal["icmp", "tcp"] | None]
    host: NotRequired[HostFields | None]
    tws: NotRequired[TwsFields | None]


PAYLOAD_FIELDS = TypeAdapter(PayloadFields)
BATCH_FIELDS = TypeAdapter(
    Annotated[list[PayloadFields], Field(min_length=1, max_length=BATCH_MAX_ITEMS)]
)
SAMPLE_SCHEMA = {n: t for n, t in INBOX_SCHEMA.items() if n not in ("api_key_id", "received_at")}
_read_metrics = itemgetter(*METRIC_NAMES)
_LATENCIES = [METRIC_NAMES.index(n) for n in ("latency_min_ms", "latency_avg_ms", "latency_max_ms")]
_PACKET_LOSS = METRIC_NAMES.index("packet_loss_percent")
_KNOWN = {
    name: frozenset(fields.__annotations__)
    for name, fields in (
        ("payload", PayloadFields),
        ("metrics", MetricsFields),
        ("host", HostFields),
        ("tws", TwsFields),
    )
}


@dataclass(frozen=True)
class SampleBatch:
    """Validated samples as inbox columns (without key and receipt time), and unknown names."""

    frame: pl.DataFrame
    ignored: list[tuple[int, list[str]]]


def read_sample_batch(body: bytes) -> SampleBatch | None:
    """The samples of `body` if every rule of `MetricsPayload` holds, else None (ask the model)."""
    try:
        samples = BATCH_FIELDS.validate_json(body)
    except ValidationError:
        return None
    metrics = np.array([_read_metrics(s["metrics"]) for s in samples], dtype=np.float64)
    if not _latencies_consistent(metrics):
        return None
    times = [s["timestamp"].astimezone(UTC) for s in samples]
    if not _within_window(min(times), max(times)):
        return None
    ignored = []
    for index, sample in enumerate(samples):
        sample["timestamp"] = times[index]
        unknown = unknown_names(sample)
        if unknown:
            if contains_nul(_unknown_values(sample, unknown)):
                return None
            ignored.append((index, unknown))
    return SampleBatch(frame=_inbox_frame(samples, times, metrics), ignored=ignored)


def batch_from_payloads(payloads: list[MetricsPayload]) -> SampleBatch:
    """The same batch from payloads the model validated (bodies this module refused)."""
    frame = pl.DataFrame([sample_values(p) for p in payloads], schema=SAMPLE_SCHEMA)
    ignored = [(i, names) for i, p in enumerate(payloads) if (names := p.ignored_fields())]
    return SampleBatch(frame=frame, ignored=ignored)


def unknown_names(sample: dict[str, Any]) -> list[str]:
    """Names the contract does not know, in `MetricsPayload.ignored_fields` order."""
    names = [name for name in sample if name not in _KNOWN["payload"]]
    for part_name in ("metrics", "host", "tws"):
        part = sample.get(part_name)
        if part:
            names += [f"{part_name}.{n}" for n in part if n not in _KNOWN[part_name]]
    return names


def _latencies_consistent(metrics: np.ndarray) -> bool:
    """min ≤ avg ≤ max, or any of them null (NaN here) only with 100 % packet loss."""
    low, average, high = (metrics[:, column] for column in _LATENCIES)
    missing = np.isnan(low) | np.isnan(average) | np.isnan(high)
    ordered = (low <= average) & (average <= high)
    return bool(np.where(missing, metrics[:, _PACKET_LOSS] == 100, ordered).all())


def _within_window(earliest: datetime, latest: datetime) -> bool:
    settings = get_settings()
    now = datetime.now(UTC)
    return now - timedelta(days=settings.retention_days) <= earliest and latest <= now + timedelta(
        seconds=settings.max_clock_skew_seconds
    )


def _unknown_values(sample: dict[str, Any], unknown: list[str]) -> dict[str, Any]:
    """The unknown names of `sample` with their values (the model's `model_extra`, merged)."""
    values = {}
    for name in unknown:
        part, _, field = name.rpartition(".")
        values[name] = (sample[part] if part else sample)[field]
    return values


def _inbox_frame(
    samples: list[dict[str, Any]], times: list[datetime], metrics: np.ndarray
) -> pl.DataFrame:
    tws = [s.get("tws") or {} for s in samples]
    files = [t.get("message_files") for t in tws]
    columns: dict[str, Any] = {
        "workstation": [s["workstation"] for s in samples],
        "sample_time": times,
        **{name: pl.Series(metrics[:, i], nan_to_null=True) for i, name in enumerate(METRIC_NAMES)},
        "latency_method": [s.get("latency_method") for s in samples],
        "stdlist_mb": [t.get("stdlist_mb") for t in tws],
        "message_files": [orjson.dumps(f).decode() if f else None for f in files],
        "payload": [PAYLOAD_FIELDS.dump_json(s, exclude_none=True).decode() for s in samples],
    }
    return pl.DataFrame(columns, schema=SAMPLE_SCHEMA)
