"""Today's staffing strip of a queue: forecast vs actual, required vs scheduled vs staffed.

Per interval of the local day of `now` (configured zone, default Asia/Shanghai):
- `forecast`: contacts offered as forecast this morning; `reforecast`: the intraday
  re-forecast (`pipeline.staffing.forecast.reforecast_intraday`) for the intervals not yet
  closed — the forecast × actual / forecast over today's closed intervals, bounded — and
  None for closed intervals (they keep their forecast). `actual`: contacts offered (None
  until the interval has data).
- `aht_s` (seconds): the interval's actual AHT once known, else the forecast AHT.
- `required_erlang_c`: agents on the phone for the queue's SL target within its threshold
  with `max_occupancy` from `[staffing]`, by Erlang C, on the re-forecast volume (the
  forecast for closed intervals) and `aht_s`; `required_erlang_a`: the same by Erlang A
  with the strip's patience (None without one, see `pipeline.staffing.patience`).
- `required`: Erlang A when a patience is known, else Erlang C (as `staffing_plan`);
  `required_with_shrinkage` = ceil(required / (1 − shrinkage)).
- `scheduled`: on-phone FTE from the roster (None without a roster).
- `staffed` / `available` (logged in; ready, busy or after-call work): only for the
  interval containing the snapshot's `now` — the snapshot is a moment, not an average.
- `gap` (agents; negative = short): available − required in the current interval,
  scheduled − required in the others (None without a roster there).

The re-forecast's "actual so far" is, with a snapshot, the queue's `day.offered −
interval.offered`: exactly the contacts offered in today's closed intervals. (The
per-minute history's last point of an interval stops at its last whole minute, so summing
it would miss each interval's final minute.) Without a snapshot the `actuals` rows count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from pipeline.staffing.forecast import reforecast_intraday
from pipeline.staffing.patience import Patience, QueueWaits, queue_patience
from pipeline.staffing.plan import add_staffed, staffing_plan
from pipeline.staffing.roster import Roster
from schemas.config import Settings
from schemas.snapshot import Snapshot
from schemas.staffing import QueueStaffing
from schemas.timefmt import parse_ts

ACTUAL_COLUMNS: tuple[str, ...] = ("queue", "interval_start", "offered", "aht_s")


@dataclass(frozen=True)
class StripInterval:
    """One interval of the strip; counts are contacts or agents, `aht_s` seconds."""

    start: datetime
    forecast: float
    reforecast: float | None
    actual: int | None
    aht_s: float | None
    required_erlang_c: int | None
    required_erlang_a: int | None
    required: int | None
    required_with_shrinkage: int | None
    scheduled: float | None
    staffed: int | None
    available: int | None
    gap: float | None
    current: bool


@dataclass(frozen=True)
class StaffingStrip:
    """The strip's intervals (oldest first) and what the caption explains.

    `actual_so_far` / `forecast_so_far`: contacts offered / forecast in today's closed
    intervals; `intraday_factor`: the ratio applied to the rest of today (bounded; 1.0
    while fewer than `intraday_min_forecast` contacts were forecast so far, None when no
    interval is left open); `patience`: the one Erlang A used (None: Erlang C only).
    """

    intervals: list[StripInterval]
    actual_so_far: float
    forecast_so_far: float
    intraday_factor: float | None
    patience: Patience | None

    @property
    def current_gap(self) -> float | None:
        """The gap (agents, negative = short) of the current interval, if any."""
        return current_gap(self.intervals)


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
    waits: QueueWaits | None = None,
    current_only: bool = False,
) -> StaffingStrip | None:
    """The strip for `queue` on the local day of `now` (aware); None without a forecast.

    `forecast` is a `pipeline.staffing.forecast` frame, `actuals` has `ACTUAL_COLUMNS`
    for today's intervals. `waits` (today's waiting time of answered and abandoned
    contacts) gives the observed patience; without it the configured `patience_s` is used.
    `current_only` keeps only the interval containing `now` (the wallboard's gap tile).
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
        return None
    if "intraday_factor" not in base.columns:
        base = base.with_columns(pl.lit(1.0).alias("intraday_factor"))
    model = _snapshot_model(snapshot)
    step = timedelta(minutes=settings.interval_min)
    moment = now.astimezone(settings.zone)
    closed = _closed_actuals(queue, actuals, model, settings)
    rescaled = reforecast_intraday(base, closed, now, settings).select(
        pl.col("interval_start").dt.convert_time_zone(zone),
        pl.col("offered").alias("reforecast"),
        pl.col("intraday_factor").alias("factor"),
    )
    actual = actuals.filter(pl.col("queue") == queue).select(
        pl.col("interval_start").dt.convert_time_zone(zone),
        pl.col("offered").cast(pl.Int64).alias("actual"),
        pl.col("aht_s").cast(pl.Float64).alias("actual_aht_s"),
    )
    joined = (
        base.join(rescaled, on="interval_start", how="left")
        .join(actual, on="interval_start", how="left")
        .with_columns(
            pl.col("offered").alias("forecast"),
            pl.col("reforecast").alias("offered"),
            pl.coalesce("actual_aht_s", "aht_s").alias("aht_s"),
        )
    )
    if current_only:
        begins = pl.col("interval_start")
        joined = joined.filter((begins <= moment) & (moment < begins + step))
    patience = queue_patience(queue, settings, waits)
    plan = staffing_plan(joined, _with_patience(settings, queue, patience), roster).join(
        joined.select("interval_start", "forecast", "actual", "factor"),
        on="interval_start",
        how="left",
    )
    if model is not None:
        plan = add_staffed(plan, model, settings)
    else:
        plan = plan.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("staffed"),
            pl.lit(None, dtype=pl.Int64).alias("available"),
        )
    rows = []
    factor: float | None = None
    for row in plan.sort("interval_start").iter_rows(named=True):
        start: datetime = row["interval_start"]
        is_open = start + step > moment
        if is_open and factor is None:
            factor = row["factor"]
        current = start <= moment < start + step
        scheduled = row["scheduled"] if roster is not None else None
        required = row["required"]
        rows.append(
            StripInterval(
                start=start,
                forecast=row["forecast"],
                reforecast=row["offered"] if is_open else None,
                actual=row["actual"],
                aht_s=row["aht_s"],
                required_erlang_c=row["required_erlang_c"],
                required_erlang_a=row["required_erlang_a"],
                required=required,
                required_with_shrinkage=row["required_with_shrinkage"],
                scheduled=scheduled,
                staffed=row["staffed"],
                available=row["available"],
                gap=_gap(required, scheduled, row["available"], current),
                current=current,
            )
        )
    closed_today = (pl.col("interval_start") + pl.duration(minutes=settings.interval_min)) <= (
        pl.lit(now).dt.convert_time_zone(zone)
    )
    return StaffingStrip(
        intervals=rows,
        actual_so_far=float(closed.filter(closed_today)["offered"].sum()),
        forecast_so_far=float(base.filter(closed_today)["offered"].sum()),
        intraday_factor=factor,
        patience=patience,
    )


def _snapshot_model(snapshot: Snapshot | Mapping[str, Any] | None) -> Snapshot | None:
    if snapshot is None or isinstance(snapshot, Snapshot):
        return snapshot
    return Snapshot.model_validate(snapshot)


def _closed_actuals(
    queue: str, actuals: pl.DataFrame, snapshot: Snapshot | None, settings: Settings
) -> pl.DataFrame:
    """`queue, interval_start, offered` of today's closed intervals, for the re-forecast.

    With the queue in the snapshot: one row, dated the interval before the snapshot's
    current one, holding `day.offered − interval.offered` (the whole closed part of the
    day; `reforecast_intraday` only sums the closed rows). Else the `actuals` rows.
    """
    entry = snapshot.queues.get(queue) if snapshot is not None else None
    if snapshot is None or entry is None:
        return actuals.filter(pl.col("queue") == queue).select(
            "queue",
            pl.col("interval_start").dt.convert_time_zone(settings.timezone),
            pl.col("offered").cast(pl.Int64),
        )
    local = parse_ts(snapshot.now).astimezone(settings.zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    step = timedelta(minutes=settings.interval_min)
    current_start = midnight + step * ((local - midnight) // step)
    return pl.DataFrame(
        {
            "queue": [queue],
            "interval_start": [current_start - step],
            "offered": [entry.day.offered - entry.interval.offered],
        },
        schema={
            "queue": pl.String,
            "interval_start": pl.Datetime("us", settings.timezone),
            "offered": pl.Int64,
        },
    )


def _with_patience(settings: Settings, queue: str, patience: Patience | None) -> Settings:
    """The settings whose resolved patience for `queue` is `patience`.

    A configured patience (or none) is what the settings already resolve to; an observed
    one becomes the queue's `patience_s` override.
    """
    if patience is None or patience.source == "configured":
        return settings
    staffing = settings.staffing
    override = staffing.queues.get(queue, QueueStaffing())
    queues = {
        **staffing.queues,
        queue: override.model_copy(update={"patience_s": patience.seconds}),
    }
    updated = staffing.model_copy(update={"queues": queues})
    return settings.model_copy(update={"staffing": updated})


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
