"""The pandera schema every ingest batch passes before it reaches the history table."""

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from resync.ingest.payload import MAX_FLOAT, MAX_INT32

PERCENT = {"min_value": 0, "max_value": 100}
RATE = {"min_value": 0, "max_value": MAX_FLOAT}


class HistoryBatch(pa.DataFrameModel):
    """One row per inbox sample, metrics as typed columns (inbox_id ties it back to its payload)."""

    inbox_id: int = pa.Field(unique=True)
    workstation: str = pa.Field(str_matches=r"^[A-Z][A-Z0-9_-]{0,15}$")
    sample_time: pl.Datetime = pa.Field(nullable=False)
    cpu_percent: float = pa.Field(in_range=PERCENT)
    memory_percent: float = pa.Field(in_range=PERCENT)
    disk_percent: float = pa.Field(in_range=PERCENT)
    latency_min_ms: float = pa.Field(in_range=RATE, nullable=True)
    latency_avg_ms: float = pa.Field(in_range=RATE, nullable=True)
    latency_max_ms: float = pa.Field(in_range=RATE, nullable=True)
    packet_loss_percent: float = pa.Field(in_range=PERCENT)
    tcp_connectivity: int = pa.Field(isin=[0, 1])
    disk_io_read_kbs: float = pa.Field(in_range=RATE)
    disk_io_write_kbs: float = pa.Field(in_range=RATE)
    process_count: int = pa.Field(in_range={"min_value": 0, "max_value": MAX_INT32})
    load_avg_1: float = pa.Field(in_range=RATE)
    load_avg_5: float = pa.Field(in_range=RATE)
    load_avg_15: float = pa.Field(in_range=RATE)
    network_rx_kbs: float = pa.Field(in_range=RATE)
    network_tx_kbs: float = pa.Field(in_range=RATE)

    @pa.dataframe_check
    def latencies_ordered_or_lost(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """min ≤ avg ≤ max, or all three null with 100 % packet loss."""
        low, average, high = (
            pl.col("latency_min_ms"),
            pl.col("latency_avg_ms"),
            pl.col("latency_max_ms"),
        )
        all_lost = (
            low.is_null()
            & average.is_null()
            & high.is_null()
            & (pl.col("packet_loss_percent") == 100)
        )
        ordered = (low <= average) & (average <= high)
        return data.lazyframe.select(all_lost | ordered.fill_null(False))

    class Config:
        coerce = True


def find_invalid_rows(frame: pl.DataFrame) -> dict[int, str]:
    """Validate `frame` against HistoryBatch; return {inbox_id: reason} for every failing row."""
    try:
        HistoryBatch.validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        reasons: dict[int, list[str]] = {}
        row_failures = cases.filter(pl.col("index").is_not_null())
        for index, column, check in row_failures.select("index", "column", "check").iter_rows():
            inbox_id = frame["inbox_id"][index]
            reasons.setdefault(inbox_id, []).append(f"{column}: {check}")
        if row_failures.height < cases.height:
            # A schema-level failure (a missing column, a wrong dtype) condemns the whole batch.
            schema_failures = cases.filter(pl.col("index").is_null())
            reason = "; ".join(
                f"{c}: {k}" for c, k in schema_failures.select("column", "check").iter_rows()
            )
            return {inbox_id: reason for inbox_id in frame["inbox_id"]}
        return {inbox_id: "; ".join(found) for inbox_id, found in reasons.items()}
    return {}
