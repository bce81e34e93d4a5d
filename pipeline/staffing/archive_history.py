"""The forecast's history frame from what the Parquet archive already answers (clause 7.3).

The archive gives a queue's daily totals (`QueueDay`) and its typical day (`ProfileSlot`:
offered and AHT per local interval start `HH:MM`, summed over the same days). The
history frame `pipeline.staffing.forecast.forecast` expects is per day and interval, so
each day's offered is spread over the intervals by the typical day's shares:

    offered(day, slot) = offered(day) × offered(slot) / Σ offered(all slots)
    aht_s(day, slot)   = the slot's AHT (seconds), else the day's AHT.

The day-of-week volume and the recent level therefore come from the real daily totals;
the shape within a day is the same for every day of the span. Days are local dates of
the configured zone (default Asia/Shanghai); `interval_start` is tz-aware in that zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

import polars as pl

from pipeline.archive.query import ProfileSlot, QueueDay
from schemas.config import Settings


def _history_schema(settings: Settings) -> dict[str, pl.DataType]:
    return {
        "queue": pl.String(),
        "interval_start": pl.Datetime("us", settings.timezone),
        "offered": pl.Float64(),
        "aht_s": pl.Float64(),
    }


def history_from_archive(
    queue: str,
    days: Sequence[QueueDay],
    slots: Sequence[ProfileSlot],
    settings: Settings,
) -> pl.DataFrame:
    """`queue, interval_start, offered, aht_s` for every archived day × profile slot.

    Empty (with the right schema) when the archive has no day or no offered contact.
    """
    total = sum(slot.offered for slot in slots)
    rows = []
    if total > 0:
        for day in days:
            for slot in slots:
                if slot.offered <= 0:
                    continue
                hour, minute = (int(part) for part in slot.slot.split(":"))
                start = datetime.combine(day.day, time(hour, minute), tzinfo=settings.zone)
                rows.append(
                    {
                        "queue": queue,
                        "interval_start": start,
                        "offered": day.offered * slot.offered / total,
                        "aht_s": slot.aht_s if slot.aht_s is not None else day.aht_s,
                    }
                )
    return pl.DataFrame(rows, schema=_history_schema(settings))
