"""The Parquet files: `<archive-dir>/day=YYYY-MM-DD/<kind>.parquet`, one row per
(kind, id, interval_start), rewritten whole through a temp file and an atomic rename.

A reader never sees a half-written file, and merging the same records twice gives the
same file, so the archiver may re-read entries after a crash.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import polars as pl

from pipeline.archive.records import IntervalRecord, schema

ROW_KEY: list[str] = ["kind", "id", "interval_start"]


def day_dir(archive_dir: Path, day: date) -> Path:
    return archive_dir / f"day={day.isoformat()}"


def day_file(archive_dir: Path, day: date, kind: str) -> Path:
    return day_dir(archive_dir, day) / f"{kind}.parquet"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(frame: pl.DataFrame, target: Path) -> None:
    """Write `frame` to a temp file beside `target`, flush it to disk, then rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    frame.write_parquet(temp, compression="zstd", statistics=True)
    with temp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, target)
    _fsync_dir(target.parent)


def _conform(stored: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """A file written by an older version as today's columns: a KPI added since is null,
    one dropped since is left out."""
    return stored.select([
        pl.col(name).cast(dtype) if name in stored.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in columns.items()
    ])


def merge_day(
    archive_dir: Path, day: date, kind: str, records: Sequence[IntervalRecord], zone_name: str
) -> int:
    """Merge `records` (all of `kind`, local day `day`, stream order) into the day's file.

    Later records replace earlier ones with the same (kind, id, interval_start) — also
    rows already in the file. Rows are sorted by id, then interval_start. Returns the
    file's row count.
    """
    columns = schema(kind, zone_name)
    fresh = pl.DataFrame([r.row() for r in records], schema=columns, orient="row")
    target = day_file(archive_dir, day, kind)
    if target.exists():
        fresh = pl.concat([_conform(pl.read_parquet(target), columns), fresh], how="vertical")
    merged = fresh.unique(subset=ROW_KEY, keep="last", maintain_order=True).sort(
        ["id", "interval_start"]
    )
    write_atomically(merged, target)
    return merged.height
