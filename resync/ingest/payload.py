"""The FTA metrics payload (the DESIGN.md contract) and its validation rules."""

import math
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    field_validator,
    model_validator,
)

from resync.settings import get_settings

# An agent replaying its spool sends at most this many samples in one request.
BATCH_MAX_ITEMS = 5000
# TWS workstation names: a letter, then letters, digits, '-' or '_'; 16 characters at most.
WORKSTATION_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,15}$"
# Integers land in 32-bit columns; keep them representable everywhere.
MAX_INT32 = 2_147_483_647
# Floats: finite, and small enough that sums and rates stay finite.
MAX_FLOAT = 1e15

# The seed's sample (DESIGN.md), shown in the OpenAPI docs.
EXAMPLE_PAYLOAD: dict[str, Any] = {
    "workstation": "WS-PROD-01",
    "timestamp": "2024-12-25T10:30:00Z",
    "metrics": {
        "cpu_percent": 45.2,
        "memory_percent": 62.8,
        "disk_percent": 78.5,
        "latency_min_ms": 2.1,
        "latency_avg_ms": 5.3,
        "latency_max_ms": 12.7,
        "packet_loss_percent": 0.5,
        "tcp_connectivity": 1,
        "disk_io_read_kbs": 1250,
        "disk_io_write_kbs": 850,
        "process_count": 245,
        "load_avg_1": 2.15,
        "load_avg_5": 1.98,
        "load_avg_15": 1.82,
        "network_rx_kbs": 125,
        "network_tx_kbs": 89,
    },
}

Percent = Annotated[float, Field(ge=0, le=100)]
NonNegative = Annotated[float, Field(ge=0, le=MAX_FLOAT)]
WorkstationName = Annotated[str, StringConstraints(pattern=WORKSTATION_PATTERN, to_upper=True)]
# Free text from people (comments, names): anything but NUL, which the database cannot store.
FREE_TEXT_PATTERN = r"^[^\x00]*$"
# Host and TWS labels: printable ASCII.
LABEL_PATTERN = r"^[\x20-\x7e]*$"
Label = Annotated[str, StringConstraints(max_length=64, pattern=LABEL_PATTERN)]
Flag = Annotated[int, Field(ge=0, le=1)]
Port = Annotated[int, Field(ge=1, le=65535)]


class Metrics(BaseModel):
    """The sixteen numbers every sample carries; unknown names are kept and reported back.

    Every field is present. A host reading the FTA could not take (a command refused or
    without output) is null, never 0: all but packet_loss_percent and tcp_connectivity.
    """

    model_config = ConfigDict(extra="allow", allow_inf_nan=False, strict=True)

    cpu_percent: Percent | None
    memory_percent: Percent | None
    disk_percent: Percent | None
    latency_min_ms: NonNegative | None
    latency_avg_ms: NonNegative | None
    latency_max_ms: NonNegative | None
    packet_loss_percent: Percent
    # An int type, not Literal[0, 1], which takes true and 1.0 for 1.
    tcp_connectivity: Annotated[int, Field(ge=0, le=1)]
    disk_io_read_kbs: NonNegative | None
    disk_io_write_kbs: NonNegative | None
    process_count: Annotated[int, Field(ge=0, le=MAX_INT32)] | None
    load_avg_1: NonNegative | None
    load_avg_5: NonNegative | None
    load_avg_15: NonNegative | None
    network_rx_kbs: NonNegative | None
    network_tx_kbs: NonNegative | None

    @model_validator(mode="after")
    def check_latencies(self) -> "Metrics":
        low, average, high = self.latency_min_ms, self.latency_avg_ms, self.latency_max_ms
        if low is None or average is None or high is None:
            if self.packet_loss_percent != 100:
                raise ValueError(
                    "latency_min_ms, latency_avg_ms and latency_max_ms may be null only "
                    "when packet_loss_percent is 100"
                )
        elif not low <= average <= high:
            raise ValueError(
                "latencies must satisfy latency_min_ms <= latency_avg_ms <= latency_max_ms"
            )
        return self


# The metric columns, in the contract's order.
METRIC_NAMES: tuple[str, ...] = tuple(Metrics.model_fields)


class HostFacts(BaseModel):
    """Optional facts about the FTA host, stored latest per workstation."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False, strict=True)

    cpu_count: Annotated[int, Field(ge=1, le=100_000)] | None = None
    memory_total_mb: NonNegative | None = None
    disk_total_gb: NonNegative | None = None
    os_type: Label | None = None
    os_version: Label | None = None
    agent_version: Label | None = None
    swap_percent: Percent | None = None
    # Processing units of an AIX shared-processor LPAR: cpu_percent is then the share of this
    # entitlement consumed (capped at 100), not of the logical CPUs.
    cpu_entitlement: NonNegative | None = None
    # Shares of CPU time over the same interval as cpu_percent (which counts steal as busy).
    cpu_iowait_percent: Percent | None = None
    cpu_steal_percent: Percent | None = None
    # Samples waiting in the agent's spool and refused ones in spool/rejected/.
    spool_files: Annotated[int, Field(ge=0, le=MAX_INT32)] | None = None
    rejected_files: Annotated[int, Field(ge=0, le=MAX_INT32)] | None = None


class TwsFacts(BaseModel):
    """Optional facts about the TWS instance: stdlist size and message-file fill (percent)."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False, strict=True)

    stdlist_mb: NonNegative | None = None
    message_files: Annotated[dict[Label, Percent], Field(max_length=256)] | None = None
    # Percent used of the file systems TWS lives on, by mount point, and inodes of stdlist's.
    file_systems: Annotated[dict[Label, Percent], Field(max_length=16)] | None = None
    stdlist_inodes_percent: Percent | None = None
    # 1 when the process runs (netman, mailman, batchman, jobman), else 0.
    processes: Annotated[dict[Label, Flag], Field(max_length=16)] | None = None


class MasterLink(BaseModel):
    """Optional: the master's ports the FTA checked; tcp_connectivity is netman_port's."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False, strict=True)

    netman_port: Port | None = None
    https_port: Port | None = None
    https_connectivity: Flag | None = None


def in_utc(value: datetime, name: str = "the time") -> datetime:
    """`value` in UTC; ValueError when that is outside Python's calendar."""
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        raise ValueError(f"{name} is outside the years 1 to 9999 in UTC") from None


# An aware time from a client, in UTC (a query's `since`, `until`).
UtcTime = Annotated[AwareDatetime, AfterValidator(in_utc)]


def within_accepted_window(value: datetime, name: str, clock: str) -> datetime:
    """`value` in UTC; refused beyond the clock-skew allowance or past the retention."""
    settings = get_settings()
    now = datetime.now(UTC)
    value = in_utc(value, name)
    if value > now + timedelta(seconds=settings.max_clock_skew_seconds):
        raise ValueError(
            f"{name} is more than {settings.max_clock_skew_seconds} s in the future; "
            f"check {clock} (NTP)"
        )
    if value < now - timedelta(days=settings.retention_days):
        raise ValueError(f"{name} is older than the {settings.retention_days}-day retention")
    return value


def refuse_epoch_numbers(value: Any) -> Any:
    # pydantic would read a number as Unix time; the contract is ISO-8601 text with a zone.
    if isinstance(value, int | float):
        raise ValueError(
            "timestamp must be ISO-8601 text with a time zone, e.g. 2024-12-25T10:30:00Z"
        )
    return value


class MetricsPayload(BaseModel):
    """One sample from one FTA, exactly as the collector posts it."""

    model_config = ConfigDict(
        extra="allow",
        allow_inf_nan=False,
        strict=True,
        json_schema_extra={"examples": [EXAMPLE_PAYLOAD]},
    )

    workstation: WorkstationName
    # Lax here, so that the text the BeforeValidator passes on is read as a datetime.
    timestamp: Annotated[AwareDatetime, BeforeValidator(refuse_epoch_numbers), Strict(False)]
    metrics: Metrics
    latency_method: Literal["icmp", "tcp"] | None = None
    host: HostFacts | None = None
    tws: TwsFacts | None = None
    master_link: MasterLink | None = None

    @field_validator("timestamp")
    @classmethod
    def check_timestamp_window(cls, value: datetime) -> datetime:
        return within_accepted_window(value, "timestamp", "the FTA's clock")

    @model_validator(mode="after")
    def check_unknown_fields(self) -> "MetricsPayload":
        parts = (
            ("", self),
            ("metrics", self.metrics),
            ("host", self.host),
            ("tws", self.tws),
            ("master_link", self.master_link),
        )
        for path, part in parts:
            if part is not None and (problem := unstorable(part.model_extra or {}, path)):
                raise ValueError(problem)
        return self

    def ignored_fields(self) -> list[str]:
        """Names the contract does not know, kept in the raw payload and reported back."""
        ignored = list(self.model_extra or {})
        parts = (
            ("metrics", self.metrics),
            ("host", self.host),
            ("tws", self.tws),
            ("master_link", self.master_link),
        )
        for prefix, part in parts:
            if part is not None and part.model_extra:
                ignored.extend(f"{prefix}.{name}" for name in part.model_extra)
        return ignored


def unstorable(value: Any, path: str) -> str | None:
    """Why `value`, kept raw at `path`, could not be stored as JSON everywhere; None if it can.

    NUL is refused in keys and text (PostgreSQL stores neither), and numbers must be finite:
    pydantic reads NaN, Infinity and 1e999 into floats that strict JSON cannot hold.
    """
    if isinstance(value, str):
        return f"{path} contains a NUL character" if "\x00" in value else None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{path} is not a finite number ({value})"
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else key
            if "\x00" in key:
                return f"{path or 'the payload'} has a field name with a NUL character"
            if (problem := unstorable(item, name)) is not None:
                return problem
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (problem := unstorable(item, f"{path}[{index}]")) is not None:
                return problem
    return None
