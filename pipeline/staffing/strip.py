"""Today's staffing strip of a queue: forecast vs actual, required vs scheduled vs staffed.

Per interval of the local day of `now` (configured zone, default Asia/Shanghai):
- `forecast` / `actual`: contacts offered (actual: None until the interval has data).
- `aht_s` (seconds): the interval's actual AHT once known, else the forecast AHT.
- `required`: Erlang C agents on the phone for the queue's SL target within its
  threshold, with `max_occupancy` from `[staffing]`, on the forecast volume and `aht_s`;
  `required_with_shrinkage` = ceil(required / (1 − shrinkage)).
- `scheduled`: on-phone FTE from the roster (None without a roster).
- `staffed` / `available` (logged in; ready, busy or after-call work): only for the
  interval containing the snapshot's `now` — the snapshot is a moment, not an average.
- `gap` (agents; negative = short): available − required in the current interval,
  scheduled − required in the others (None without a roster there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from pipeline.staffing.plan import add_staffed, staffing_plan
from pipeline.staffing.roster import Roster
from schemas.config import Settings
from schemas.snapshot import Snapshot

ACTUAL_COLUMNS: tuple[str, ...] = ("queue", "interval_start", "offered", "aht_s")


@dataclass(frozen=True)
class StripInterval:
    """One interval of the strip; counts are contacts or agents, `aht_s` seconds."""

    start: datetime
    forecast: float
    actual: int | None
    aht_s: float | None
    required: int | None
    required_with_shrinkage: int | None
    scheduled: float | None
    staffed: int | None
    available: int | None
    gap: float | None
    current: bool


def empty_actuals(settings: Settings) -> pl.DataFrame:
    """An actuals frame with no rows (`queue, interval_start, offered, aht_s`)."""
    return pl.DataFrame(
        schema={
            "queue": pl.String,
            "interval_start": pl.Datetime("us", settings.timezone),
            "offered": pl.Int64,
            "aht_s": pl.Float64,
        }
    )


def staffing_strip(
    queue: str,
    forecast: pl.DataFrame,
    actuals: pl.DataFrame,
    settings: Settings,
    now: datetime,
    *,
    snapshot: Snapshot | Mapping[str, Any] | None = None,
    roster: Roster | None = None,
) -> list[StripInterval]:
    """The strip for `queue` on the local day of `now` (aware), oldest interval first.

    `forecast` is a `pipeline.staffing.forecast` frame, `actuals` has `ACTUAL_COLUMNS`
    for today's intervals. An empty list means no forecast for the queue today.
    """
    if now.tzinfo is None:
        msg = "now must be timezone-aware"
        raise ValueError(msg)
    zone = settings.timezone
    today = now.astimezone(settings.zone).date()
    base = forecast.filter((pl.col("queue") == queue) & (pl.col("date") == today)).with_columns(
        pl.col("interval_start").dt.convert_time_zone(zone)
    )
    if base.is_empty():
        return []
    actual = actuals.filter(pl.col("queue") == queue).select(
        pl.col("interval_start").dt.convert_time_zone(zone),
        pl.col("offered").cast(pl.Int64).alias("actual"),
        pl.col("aht_s").cast(pl.Float64).alias("actual_aht_s"),
    )
    joined = base.join(actual, on="interval_start", how="left").with_columns(
        pl.coalesce("actual_aht_s", "aht_s").alias("aht_s")
    )
    # Erlang C only: the strip compares with the queue's SL goal as the spec words it.
    plain = _without_patience(settings)
    plan = staffing_plan(joined, plain, roster).join(
        joined.select("interval_start", "actual"), on="interval_start", how="left"
    )
    if snapshot is not None:
        plan = add_staffed(plan, snapshot, settings)
    else:
        plan = plan.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("staffed"),
            pl.lit(None, dtype=pl.Int64).alias("available"),
        )
    step = timedelta(minutes=settings.interval_min)
    moment = now.astimezone(settings.zone)
    rows = []
    for row in plan.sort("interval_start").iter_rows(named=True):
        start: datetime = row["interval_start"]
        current = start <= moment < start + step
        scheduled = row["scheduled"] if roster is not None else None
        required = row["required_erlang_c"]
        rows.append(
            StripInterval(
                start=start,
                forecast=row["offered"],
                actual=row["actual"],
                aht_s=row["aht_s"],
                required=required,
                required_with_shrinkage=row["required_with_shrinkage"],
                scheduled=scheduled,
                staffed=row["staffed"],
                available=row["available"],
                gap=_gap(required, scheduled, row["available"], current),
                current=current,
            )
        )
    return rows


def _without_patience(settings: Settings) -> Settings:
    """The settings with Erlang A turned off (global and per-queue patience)."""
    queues = {
        name: override.model_copy(update={"patience_s": None})
        for name, override in settings.staffing.queues.items()
    }
    staffing = settings.staffing.model_copy(update={"patience_s": None, "queues": queues})
    return settings.model_copy(update={"staffing": staffing})


def _gap(
    required: int | None, scheduled: float | None, available: int | None, current: bool
) -> float | None:
    if required is None:
        return None
    if current and available is not None:
        return float(available - required)
    if scheduled is None:
        return None
    return scheduled - required


def current_gap(strip: list[StripInterval]) -> float | None:
    """The gap (agents, negative = short) of the strip's current interval, if any."""
    for interval in strip:
        if interval.current:
            return interval.gap
    return None
