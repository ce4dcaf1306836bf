"""The pandera schema every ingest batch passes before it reaches the history table.

Its metric columns are derived from the contract (`Metrics` in payload.py, read through its
JSON schema): one column per field, nullable where the field may be null, its bounds or its
allowed values as the column's check. The latency rule is the model's validator, written for
frames.
"""

from typing import Any

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from resync.ingest.payload import Metrics

COLUMN_TYPES = {"number": float, "integer": int}


def _metric_column(name: str, field: dict[str, Any]) -> pa.Column:
    options = field.get("anyOf", [field])
    nullable = {"type": "null"} in options
    (kind,) = [option for option in options if option != {"type": "null"}]
    kind = {key: value for key, value in kind.items() if key not in ("title", "description")}
    if "enum" in kind:
        check = pa.Check.isin(kind["enum"])
    elif kind.keys() == {"type", "minimum", "maximum"}:
        check = pa.Check.in_range(kind["minimum"], kind["maximum"])
    else:
        raise TypeError(f"Metrics.{name}: no history check is derived for {kind}")
    return pa.Column(COLUMN_TYPES[kind["type"]], check, nullable=nullable)


def _latencies_ordered_or_lost(data: pa.PolarsData) -> pl.LazyFrame:
    """min ≤ avg ≤ max, or all three null with 100 % packet loss."""
    low, average, high = (
        pl.col("latency_min_ms"),
        pl.col("latency_avg_ms"),
        pl.col("latency_max_ms"),
    )
    all_lost = (
        low.is_null() & average.is_null() & high.is_null() & (pl.col("packet_loss_percent") == 100)
    )
    ordered = (low <= average) & (average <= high)
    return data.lazyframe.select(all_lost | ordered.fill_null(False))


# One row per inbox sample, metrics as typed columns (inbox_id ties it back to its payload).
HISTORY_BATCH = pa.DataFrameSchema(
    {
        "inbox_id": pa.Column(int, unique=True),
        "workstation": pa.Column(str, pa.Check.str_matches(r"^[A-Z][A-Z0-9_-]{0,15}$")),
        "sample_time": pa.Column(pl.Datetime, nullable=False),
        **{
            name: _metric_column(name, field)
            for name, field in Metrics.model_json_schema()["properties"].items()
        },
    },
    checks=pa.Check(_latencies_ordered_or_lost, name="latencies_ordered_or_lost"),
    coerce=True,
    # A rule of the whole row is reported under this name (kept in metrics_inbox.error).
    name="HistoryBatch",
)


def find_invalid_rows(frame: pl.DataFrame) -> dict[int, str]:
    """Validate `frame` against HISTORY_BATCH; return {inbox_id: reason} for every failing row."""
    try:
        HISTORY_BATCH.validate(frame, lazy=True)
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
