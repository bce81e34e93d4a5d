"""Contact volume and AHT forecast per queue per interval (clause 7.3), with Polars.

History frame (one row per queue and interval that had contacts; missing rows are zero):
    queue (str), interval_start (tz-aware datetime), offered (contacts), aht_s (seconds,
    may be null).
Forecast frame (every interval of the forecast days that the queue has ever had volume in):
    queue, date (local), interval_start (tz-aware, the configured zone, default
    Asia/Shanghai), offered (forecast contacts, float), aht_s (seconds), level (ratio),
    special_factor (ratio), intraday_factor (ratio).

Method:
1. History is bucketed to the local interval grid (`interval_min`, 15 or 30) and special
   days in the history are divided by their factor, so a holiday does not drag its
   weekday down.
2. Profile: mean offered per queue × day of week × interval over the last
   `profile_weeks` weeks (days the center had any contact, from the queue's first day).
3. Level: actual / profile over the last `level_days` days, bounded to
   [`level_min`, `level_max`]; it carries a recent trend into the forecast.
4. Special days in the forecast horizon multiply the forecast by their factor.
5. `reforecast_intraday` scales the rest of today by actual / forecast so far.
AHT: offered-weighted mean per queue × day of week × interval, falling back to the queue's
mean over all intervals.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import product

import polars as pl

from schemas.config import Settings

HISTORY_COLUMNS: tuple[str, ...] = ("queue", "interval_start", "offered", "aht_s")


def _local_grid(history: pl.DataFrame, settings: Settings, interval_min: int) -> pl.DataFrame:
    """(queue, date, weekday, slot, offered, aht_s) on the local interval grid."""
    missing = [c for c in HISTORY_COLUMNS if c not in history.columns]
    if missing:
        msg = f"history is missing columns {missing}; expected {list(HISTORY_COLUMNS)}"
        raise ValueError(msg)
    dtype = history.schema["interval_start"]
    if not isinstance(dtype, pl.Datetime) or dtype.time_zone is None:
        msg = f"history.interval_start must be a tz-aware datetime, got {dtype}"
        raise ValueError(msg)
    local = pl.col("interval_start").dt.convert_time_zone(settings.timezone)
    frame = history.select(
        pl.col("queue").cast(pl.String),
        local.dt.date().alias("date"),
        (
            (local.dt.hour().cast(pl.Int32) * 60 + local.dt.minute().cast(pl.Int32)) // interval_min
        ).alias("slot"),
        pl.col("offered").cast(pl.Float64),
        pl.col("aht_s").cast(pl.Float64),
    )
    return (
        frame.group_by("queue", "date", "slot")
        .agg(
            pl.col("offered").sum(),
            _weighted_aht(),
            (pl.col("offered") * pl.col("aht_s").is_not_null()).sum().alias("aht_weight"),
        )
        .with_columns(pl.col("date").dt.weekday().alias("weekday"))
    )


def _weighted_aht() -> pl.Expr:
    has_aht = pl.col("aht_s").is_not_null() & (pl.col("offered") > 0)
    weight = pl.when(has_aht).then(pl.col("offered")).otherwise(0.0)
    total = weight.sum()
    return (
        pl.when(total > 0)
        .then((weight * pl.col("aht_s").fill_null(0.0)).sum() / total)
        .otherwise(pl.col("aht_s").mean())
        .alias("aht_s")
    )


def _special_factors(pairs: Iterable[tuple[str, date]], settings: Settings) -> pl.DataFrame:
    """(queue, date, special_factor) for the given queue-day pairs (1.0 on regular days)."""
    rows = [
        {"queue": q, "date": d, "special_factor": settings.staffing.special_factor(q, d)}
        for q, d in pairs
    ]
    schema = {"queue": pl.String, "date": pl.Date, "special_factor": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def _with_special_factor(frame: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    pairs = frame.select("queue", "date").unique().iter_rows()
    return frame.join(_special_factors(pairs, settings), on=["queue", "date"], how="left")


def _open_days(grid: pl.DataFrame) -> pl.DataFrame:
    """(queue, weekday, days): days with any contact in the center since the queue's first."""
    center_days = grid.select("date", "weekday").unique()
    first = grid.group_by("queue").agg(pl.col("date").min().alias("first_date"))
    return (
        first.join(center_days, how="cross")
        .filter(pl.col("date") >= pl.col("first_date"))
        .group_by("queue", "weekday")
        .agg(pl.len().alias("days"))
    )


def _profile(grid: pl.DataFrame) -> pl.DataFrame:
    """(queue, weekday, slot, profile): mean special-day-normalized offered per open day."""
    sums = grid.group_by("queue", "weekday", "slot").agg(
        (pl.col("offered") / pl.col("special_factor")).sum().alias("offered_sum")
    )
    return sums.join(_open_days(grid), on=["queue", "weekday"], how="left").select(
        "queue", "weekday", "slot", (pl.col("offered_sum") / pl.col("days")).alias("profile")
    )


def _levels(
    grid: pl.DataFrame, profile: pl.DataFrame, start: date, settings: Settings
) -> pl.DataFrame:
    """(queue, level): recent normalized actual / profile, bounded."""
    staffing = settings.staffing
    recent = grid.filter(pl.col("date") >= start - timedelta(days=staffing.level_days))
    actual = recent.group_by("queue").agg(
        (pl.col("offered") / pl.col("special_factor")).sum().alias("actual")
    )
    recent_days = recent.select("date", "weekday").unique()
    per_weekday = profile.group_by("queue", "weekday").agg(pl.col("profile").sum())
    expected = (
        per_weekday.join(recent_days, on="weekday", how="inner")
        .group_by("queue")
        .agg(pl.col("profile").sum().alias("expected"))
    )
    return (
        profile.select("queue")
        .unique()
        .join(actual, on="queue", how="left")
        .join(expected, on="queue", how="left")
        .select(
            "queue",
            pl.when(pl.col("expected") > 0)
            .then(
                (pl.col("actual").fill_null(0.0) / pl.col("expected")).clip(
                    staffing.level_min, staffing.level_max
                )
            )
            .otherwise(1.0)
            .alias("level"),
        )
    )


def _aht_profile(grid: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    weighted = grid.filter(pl.col("aht_s").is_not_null())
    per_slot = weighted.group_by("queue", "weekday", "slot").agg(
        pl.when(pl.col("aht_weight").sum() > 0)
        .then((pl.col("aht_s") * pl.col("aht_weight")).sum() / pl.col("aht_weight").sum())
        .otherwise(pl.col("aht_s").mean())
        .alias("aht_slot")
    )
    per_queue = weighted.group_by("queue").agg(
        pl.when(pl.col("aht_weight").sum() > 0)
        .then((pl.col("aht_s") * pl.col("aht_weight")).sum() / pl.col("aht_weight").sum())
        .otherwise(pl.col("aht_s").mean())
        .alias("aht_queue")
    )
    return per_slot, per_queue


def forecast(
    history: pl.DataFrame,
    settings: Settings,
    start: date,
    days: int | None = None,
    interval_min: int | None = None,
) -> pl.DataFrame:
    """Forecast `days` local days from `start` (default: start and `forecast_days` more).

    Only history before `start` is used. Returns the forecast frame of the module docstring
    (intraday_factor 1.0), sorted by queue and interval_start.
    """
    minutes = interval_min or settings.interval_min
    horizon = settings.staffing.forecast_days + 1 if days is None else days
    window_start = start - timedelta(weeks=settings.staffing.profile_weeks)
    grid = _local_grid(history, settings, minutes)
    grid = _with_special_factor(
        grid.filter((pl.col("date") < start) & (pl.col("date") >= window_start)), settings
    )
    if grid.is_empty():
        return _empty_forecast(settings)
    profile = _profile(grid)
    levels = _levels(grid, profile, start, settings)
    aht_slot, aht_queue = _aht_profile(grid)
    queues = sorted(profile["queue"].unique().to_list())
    horizon_days = [start + timedelta(days=i) for i in range(horizon)]
    slots = profile.select("queue", "slot").unique()
    calendar = pl.DataFrame({"date": horizon_days}, schema={"date": pl.Date}).with_columns(
        pl.col("date").dt.weekday().alias("weekday")
    )
    out = (
        slots.join(calendar, how="cross")
        .join(profile, on=["queue", "weekday", "slot"], how="left")
        .join(levels, on="queue", how="left")
        .join(
            _special_factors(product(queues, horizon_days), settings),
            on=["queue", "date"],
            how="left",
        )
        .join(aht_slot, on=["queue", "weekday", "slot"], how="left")
        .join(aht_queue, on="queue", how="left")
    )
    return (
        out.with_columns(
            (pl.col("profile").fill_null(0.0) * pl.col("level") * pl.col("special_factor")).alias(
                "offered"
            ),
            pl.coalesce("aht_slot", "aht_queue").alias("aht_s"),
            _interval_start(minutes, settings.timezone),
            pl.lit(1.0).alias("intraday_factor"),
        )
        .select(
            "queue",
            "date",
            "interval_start",
            "offered",
            "aht_s",
            "level",
            "special_factor",
            "intraday_factor",
        )
        .sort("queue", "interval_start")
    )


def _interval_start(interval_min: int, zone: str) -> pl.Expr:
    naive = pl.col("date").cast(pl.Datetime("us")) + pl.duration(
        minutes=pl.col("slot") * interval_min
    )
    return naive.dt.replace_time_zone(zone, ambiguous="earliest").alias("interval_start")


def forecast_schema(settings: Settings) -> dict[str, pl.DataType]:
    """The columns of a forecast frame; `interval_start` is aware in the configured zone."""
    return {
        "queue": pl.String(),
        "date": pl.Date(),
        "interval_start": pl.Datetime("us", settings.timezone),
        "offered": pl.Float64(),
        "aht_s": pl.Float64(),
        "level": pl.Float64(),
        "special_factor": pl.Float64(),
        "intraday_factor": pl.Float64(),
    }


def _empty_forecast(settings: Settings) -> pl.DataFrame:
    return pl.DataFrame(schema=forecast_schema(settings))


def reforecast_intraday(
    base: pl.DataFrame,
    actuals: pl.DataFrame,
    now: datetime,
    settings: Settings,
    interval_min: int | None = None,
) -> pl.DataFrame:
    """Scale the rest of today (local day of `now`) by actual / forecast so far, per queue.

    `actuals` has `queue, interval_start, offered` for today's intervals; only intervals
    that closed by `now` count. Queues forecast fewer than `intraday_min_forecast` contacts
    so far keep factor 1. Closed intervals keep their forecast; the ratio, bounded to
    [`intraday_min`, `intraday_max`], is stored in `intraday_factor`.
    """
    if now.tzinfo is None:
        msg = "now must be timezone-aware"
        raise ValueError(msg)
    staffing = settings.staffing
    minutes = interval_min or settings.interval_min
    local_now = now.astimezone(settings.zone)
    today = local_now.date()
    interval = pl.duration(minutes=minutes)
    moment = pl.lit(now).dt.convert_time_zone(settings.timezone)
    start = pl.col("interval_start").dt.convert_time_zone(settings.timezone)
    closed = (start + interval) <= moment
    actual = (
        actuals.filter(closed)
        .filter(start.dt.date() == today)
        .group_by("queue")
        .agg(pl.col("offered").cast(pl.Float64).sum().alias("actual_so_far"))
    )
    expected = (
        base.filter((pl.col("date") == today) & closed)
        .group_by("queue")
        .agg(pl.col("offered").sum().alias("forecast_so_far"))
    )
    ratios = expected.join(actual, on="queue", how="left").select(
        "queue",
        pl.when(pl.col("forecast_so_far") >= max(staffing.intraday_min_forecast, 1e-9))
        .then(
            (pl.col("actual_so_far").fill_null(0.0) / pl.col("forecast_so_far")).clip(
                staffing.intraday_min, staffing.intraday_max
            )
        )
        .otherwise(1.0)
        .alias("ratio"),
    )
    rest_of_today = (pl.col("date") == today) & ~closed
    return (
        base.join(ratios, on="queue", how="left")
        .with_columns(
            pl.when(rest_of_today).then(pl.col("ratio").fill_null(1.0)).otherwise(1.0).alias("r")
        )
        .with_columns(
            (pl.col("offered") * pl.col("r")).alias("offered"),
            (pl.col("intraday_factor") * pl.col("r")).alias("intraday_factor"),
        )
        .drop("ratio", "r")
    )


def evaluate(
    history: pl.DataFrame,
    holdout_days: int,
    settings: Settings,
    interval_min: int | None = None,
) -> pl.DataFrame:
    """Hold out the last `holdout_days` local days, forecast them, and score per queue.

    Returns `queue, actual, forecast, mape, wape`: MAPE is the mean of |a − f| / a over
    intervals with a > 0 (ratio); WAPE is Σ|a − f| / Σa (ratio). Intervals missing from
    the history are zero actuals.
    """
    if holdout_days < 1:
        msg = f"holdout_days must be >= 1, got {holdout_days}"
        raise ValueError(msg)
    minutes = interval_min or settings.interval_min
    grid = _local_grid(history, settings, minutes)
    if grid.is_empty():
        msg = "history is empty"
        raise ValueError(msg)
    last_day: date = grid["date"].max()  # type: ignore[assignment]
    start = last_day - timedelta(days=holdout_days - 1)
    predicted = forecast(history, settings, start, days=holdout_days, interval_min=minutes)
    actual = grid.filter(pl.col("date") >= start).select(
        "queue", "date", "slot", pl.col("offered").alias("actual")
    )
    local = pl.col("interval_start").dt.convert_time_zone(settings.timezone)
    predicted = predicted.select(
        "queue",
        "date",
        ((local.dt.hour().cast(pl.Int32) * 60 + local.dt.minute().cast(pl.Int32)) // minutes).alias(
            "slot"
        ),
        pl.col("offered").alias("forecast"),
    )
    both = actual.join(predicted, on=["queue", "date", "slot"], how="full", coalesce=True)
    both = both.with_columns(pl.col("actual").fill_null(0.0), pl.col("forecast").fill_null(0.0))
    error = (pl.col("actual") - pl.col("forecast")).abs()
    return (
        both.group_by("queue")
        .agg(
            pl.col("actual").sum(),
            pl.col("forecast").sum(),
            (error / pl.col("actual")).filter(pl.col("actual") > 0).mean().alias("mape"),
            pl.when(pl.col("actual").sum() > 0)
            .then(error.sum() / pl.col("actual").sum())
            .otherwise(None)
            .alias("wape"),
        )
        .sort("queue")
    )
