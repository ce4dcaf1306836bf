"""Build `benchmarks/data/bitbrains_rnd_hourly.csv`: three months of hourly CPU and memory peaks
of the first VMs of the Bitbrains GWA-T-12 "Rnd" trace, from a git snapshot that holds it.

Each VM has one semicolon-separated file per month (`rnd/2013-7/<vm>.csv`, `2013-8`, `2013-9`;
5-minute samples, the timestamp in seconds). Kept per VM and hour: the peak of `CPU usage [%]`
and the peak of memory usage as a percent of the memory provisioned, rounded to 0.01, the VMs
with samples in at least `MINIMUM_DAYS` distinct days and a CPU that moves (not flat at 0).

    .venv/bin/python -m benchmarks.bitbrains_subset --repository DIR [--vms 30]
"""

import argparse
import io
import subprocess
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
MONTHS = ("2013-7", "2013-8", "2013-9")
MINIMUM_DAYS = 80
CPU_COLUMN = "\tCPU usage [%]"
MEMORY_COLUMNS = ("\tMemory usage [KB]", "\tMemory capacity provisioned [KB]")


def read_month(repository: Path, month: str, vm: int) -> pl.DataFrame:
    """One VM's month as (`sample_time`, `cpu`, `memory`), memory in percent."""
    text = subprocess.run(
        ["git", "--git-dir", str(repository), "show", f"HEAD:rnd/{month}/{vm}.csv"],
        capture_output=True,
        check=True,
    ).stdout
    frame = pl.read_csv(io.BytesIO(text), separator=";")
    # Every field but the first is written with a tab after the separator.
    frame = frame.with_columns(pl.col(pl.String).str.strip_chars().cast(pl.Float64))
    used, provisioned = MEMORY_COLUMNS
    return frame.select(
        pl.from_epoch(pl.col("Timestamp [ms]"), time_unit="s").alias("sample_time"),
        pl.col(CPU_COLUMN).alias("cpu"),
        (100 * pl.col(used) / pl.col(provisioned)).alias("memory"),
    )


def hourly_vm(repository: Path, vm: int) -> pl.DataFrame:
    samples = pl.concat([read_month(repository, month, vm) for month in MONTHS])
    return (
        samples.group_by(pl.col("sample_time").dt.truncate("1h"))
        .agg(pl.col("cpu").max(), pl.col("memory").max())
        .sort("sample_time")
        .select(
            pl.lit(vm).alias("vm"),
            "sample_time",
            pl.col("cpu").round(2),
            pl.col("memory").fill_nan(None).clip(0, 100).round(2),
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repository", type=Path, required=True, help="the snapshot's git dir")
    parser.add_argument("--vms", type=int, default=30)
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks/data/bitbrains_rnd_hourly.csv"
    )
    arguments = parser.parse_args()
    kept, vm = [], 0
    while len(kept) < arguments.vms:
        vm += 1
        hourly = hourly_vm(arguments.repository, vm)
        days = hourly["sample_time"].dt.date().n_unique()
        if days >= MINIMUM_DAYS and hourly["cpu"].std() > 0:
            kept.append(hourly)
    pl.concat(kept).write_csv(arguments.output, datetime_format="%Y-%m-%dT%H:%M")


if __name__ == "__main__":
    main()
