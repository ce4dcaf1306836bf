"""Query results as polars frames: through COPY on PostgreSQL (several times faster than
fetching Python tuples), row by row on SQLite."""

import io
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, Select

# How every timestamp column of the application tables is read into a frame.
UTC_TIME = pl.Datetime("us", "UTC")


def _as_text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def read_frame(connection: Connection, query: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """The query's rows as a frame with `schema`; datetime columns are read as UTC."""
    times = [name for name, dtype in schema.items() if isinstance(dtype, pl.Datetime)]
    text_schema = {**schema, **{name: pl.String for name in times}}
    if connection.dialect.name == "postgresql":
        sql = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        buffer = io.BytesIO()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy,
        ):
            for chunk in copy:
                buffer.write(chunk)
        if buffer.tell() == 0:
            return pl.DataFrame(schema=schema)
        frame = pl.read_csv(
            buffer.getvalue(),
            has_header=False,
            new_columns=list(schema),
            schema_overrides=text_schema,
        )
    else:
        rows = [tuple(map(_as_text, row)) for row in connection.execute(query)]
        frame = pl.DataFrame(rows, schema=text_schema, orient="row")
    return frame.with_columns(
        pl.col(name).str.to_datetime(time_zone="UTC", time_unit="us") for name in times
    )
