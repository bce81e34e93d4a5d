"""The forecast's history frame from the Parquet archive's closed intervals (clause 7.3).

The archive keeps every closed interval of a queue (`IntervalCount`: start, contacts
offered, AHT of the contacts handled in it); the history frame
`pipeline.staffing.forecast.forecast` expects is exactly that, one row per interval, so
the forecast learns each weekday's own intraday shape (a short Friday, a closed
Saturday) from the real days. `interval_start` is tz-aware in the configured zone
(default Asia/Shanghai); `offered` contacts; `aht_s` seconds (null: nothing handled).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import polars as pl

from pipeline.archive.query import IntervalCount
from schemas.config import Settings


def _history_schema(settings: Settings) -> dict[str, pl.DataType]:
    return {
        "queue": pl.String(),
        "interval_start": pl.Datetime("us", settings.timezone),
        "offered": pl.Float64(),
        "aht_s": pl.Float64(),
    }


def history_from_intervals(
    queue: str, intervals: Sequence[IntervalCount], settings: Settings
) -> pl.DataFrame:
    """`queue, interval_start, offered, aht_s` for every archived interval of `queue`
    (empty, with the right schema, without any)."""
    rows = [
        {
            "queue": queue,
            "interval_start": datetime.fromtimestamp(item.start_s, UTC).astimezone(settings.zone),
            "offered": float(item.offered),
            "aht_s": item.aht_s,
        }
        for item in intervals
    ]
    return pl.DataFrame(rows, schema=_history_schema(settings))
