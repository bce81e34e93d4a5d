"""Contact volume and AHT forecast per queue per interval (clause 7.3), with Polars.

History frame (one row per queue and interval that had contacts; missing rows are zero):
    queue (str), interval_start (tz-aware datetime), offered (contacts), aht_s (seconds,
    may be null).
Forecast frame (every interval of the forecast days that the queue has ever had volume in):
    queue, date (local), interval_start (tz-aware, the configured zone, default
    Asia/Shanghai), offered (forecast contacts, float), aht_s (seconds), level (ratio),
    special_factor (ratio), intraday_factor (ratio).

Method (`pipeline.staffing.volume_model`, explained for planners in `docs/forecast.md`):
history is bucketed to the local interval grid (`interval_min`, 15 or 30) and each day
divided by its special-day factor; per queue, a day-level model (weekday effect by ratio
to a centered moving average shrunk toward all queues', a recency-weighted level
corrected by all queues' trend) is spread over the intervals by a smoothed, shrunk intraday
profile per weekday that is 0 in intervals the center is closed. The level is bounded to
[`level_min`, `level_max`] × the window's mean level. Special days in the horizon
multiply the forecast by their factor; `reforecast_intraday` scales the rest of today by
actual / forecast so far.
AHT: offered-weighted mean per queue × day of week × interval, falling back to the queue's
mean over all intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from pipeline.staffing.volume_model import (
    CenterPrior,
    FloatArray,
    ModelParameters,
    QueueModel,
    fit_queue,
)
from schemas.config import Settings

HISTORY_COLUMNS: tuple[str, ...] = ("queue", "interval_start", "offered", "aht_s")


def local_grid(history: pl.DataFrame, settings: Settings, interval_min: int) -> pl.DataFrame:
    """(queue, date, slot, offered, aht_s, aht_weight, weekday) on the local interval grid
    of `settings.timezone`: `date` the local day, `slot` minutes since local midnight //
    `interval_min`, `offered` contacts summed, `aht_s` offered-weighted seconds."""
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


@dataclass(frozen=True)
class VolumeForecast:
    """Forecast contacts per queue × horizon day × local slot, and what produced it.

    `volume[i, j, s]`: queue `queues[i]`, day `days[j]` (local dates), slot s (minutes
    since local midnight // `interval_min`). `active[i, s]`: the queue had a contact in
    slot s in the window (the forecast frame lists only those slots). `models[i]`: the
    fitted day-level and profile model; `special[i, j]`: the calendar factor applied.
    """

    queues: list[str]
    days: list[date]
    interval_min: int
    volume: FloatArray
    active: NDArray[np.bool_]
    models: list[QueueModel]
    special: FloatArray


def model_parameters(settings: Settings, interval_min: int) -> ModelParameters:
    """The model's tuning from `[staffing]`; smoothing is ±30 minutes of the
    `interval_min`-minute grid."""
    staffing = settings.staffing
    return ModelParameters(
        level_halflife_days=staffing.level_halflife_days,
        weekday_prior_contacts=staffing.weekday_prior_contacts,
        profile_prior_contacts=staffing.profile_prior_contacts,
        smoothing_slots=30 // interval_min if interval_min <= 30 else 0,
    )


def volume_cube(
    grid: pl.DataFrame, queues: list[str], first: date, last: date, slots: int
) -> FloatArray:
    """contacts[queue, day, slot] over the local days first..last (inclusive) of a
    `local_grid` frame; days and slots without a row are 0."""
    days = (last - first).days + 1
    cube = np.zeros((len(queues), max(days, 0), slots))
    if days <= 0:
        return cube
    index = {q: i for i, q in enumerate(queues)}
    rows = grid.filter((pl.col("date") >= first) & (pl.col("date") <= last))
    for queue, day, slot, offered in rows.select("queue", "date", "slot", "offered").iter_rows():
        if queue in index and 0 <= slot < slots:
            cube[index[queue], (day - first).days, slot] += offered
    return cube


def predict_volume(
    grid: pl.DataFrame, settings: Settings, start: date, days: int, interval_min: int
) -> VolumeForecast | None:
    """Fit on the window before `start` and forecast `days` days from `start`.

    `grid` is `local_grid(history)` (offered contacts per queue, local day and slot).
    None when the window holds no contact.
    """
    slots = 24 * 60 // interval_min
    window_start = start - timedelta(weeks=settings.staffing.profile_weeks)
    window = grid.filter(
        (pl.col("date") < start) & (pl.col("date") >= window_start) & (pl.col("offered") > 0)
    )
    if window.is_empty():
        return None
    queues = sorted(window["queue"].unique().to_list())
    first: date = window["date"].min()  # type: ignore[assignment]
    last = start - timedelta(days=1)
    history_days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    weekdays = np.array([d.weekday() for d in history_days], dtype=np.int64)
    staffing = settings.staffing
    factors = np.array([[staffing.special_factor(q, d) for d in history_days] for q in queues])
    cube = volume_cube(window, queues, first, last, slots) / factors[:, :, None]
    parameters = model_parameters(settings, interval_min)
    center = CenterPrior.from_volume(cube.sum(axis=0), weekdays, parameters)
    horizon = [start + timedelta(days=i) for i in range(days)]
    volume = np.zeros((len(queues), days, slots))
    special = np.array([[staffing.special_factor(q, d) for d in horizon] for q in queues])
    models = []
    for i, queue in enumerate(queues):
        queue_first: date = window.filter(pl.col("queue") == queue)["date"].min()  # type: ignore[assignment]
        first_of_queue = (queue_first - first).days
        model = fit_queue(cube[i, first_of_queue:], weekdays[first_of_queue:], center, parameters)
        if model.window_level > 0:
            bounded = min(
                max(model.level, staffing.level_min * model.window_level),
                staffing.level_max * model.window_level,
            )
            model = replace(model, level=bounded)
        models.append(model)
        for j, day in enumerate(horizon):
            volume[i, j] = model.day(day.weekday(), float(special[i, j]))
    return VolumeForecast(
        queues=queues,
        days=horizon,
        interval_min=interval_min,
        volume=volume,
        active=cube.sum(axis=1) > 0,
        models=models,
        special=special,
    )


def forecast(
    history: pl.DataFrame,
    settings: Settings,
    start: date,
    days: int | None = None,
    interval_min: int | None = None,
) -> pl.DataFrame:
    """Forecast `days` local days from `start` (default: start and `forecast_days` more).

    Only history before `start` (and within `profile_weeks`) is used. Returns the forecast
    frame of the module docstring (intraday_factor 1.0), sorted by queue and interval_start.
    """
    minutes = interval_min or settings.interval_min
    horizon = settings.staffing.forecast_days + 1 if days is None else days
    grid = local_grid(history, settings, minutes)
    predicted = predict_volume(grid, settings, start, horizon, minutes)
    if predicted is None:
        return _empty_forecast(settings)
    window_start = start - timedelta(weeks=settings.staffing.profile_weeks)
    aht_grid = grid.filter((pl.col("date") < start) & (pl.col("date") >= window_start))
    aht_slot, aht_queue = _aht_profile(aht_grid)
    rows: dict[str, list[Any]] = {
        k: [] for k in ("queue", "date", "slot", "offered", "level", "special_factor")
    }
    for i, queue in enumerate(predicted.queues):
        model = predicted.models[i]
        level = model.level / model.window_level if model.window_level > 0 else 1.0
        for j, day in enumerate(predicted.days):
            for slot in np.flatnonzero(predicted.active[i]):
                rows["queue"].append(queue)
                rows["date"].append(day)
                rows["slot"].append(int(slot))
                rows["offered"].append(float(predicted.volume[i, j, slot]))
                rows["level"].append(level)
                rows["special_factor"].append(float(predicted.special[i, j]))
    frame = pl.DataFrame(
        rows,
        schema={
            "queue": pl.String,
            "date": pl.Date,
            "slot": pl.Int32,
            "offered": pl.Float64,
            "level": pl.Float64,
            "special_factor": pl.Float64,
        },
    ).with_columns(pl.col("date").dt.weekday().alias("weekday"))
    out = frame.join(aht_slot, on=["queue", "weekday", "slot"], how="left").join(
        aht_queue, on="queue", how="left"
    )
    return (
        out.with_columns(
            pl.coalesce("aht_slot", "aht_queue").alias("aht_s"),
            _interval_start(minutes, settings.timezone),
            pl.lit(1.0).alias("intraday_factor"),
        )
        .filter(pl.col("interval_start").is_not_null())
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
    return naive.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null").alias(
        "interval_start"
    )


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
