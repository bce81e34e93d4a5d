"""Rolling-origin backtest of the forecast against two spreadsheet baselines (clause 7.3).

The last `holdout_days` local days with contacts (configured zone, default Asia/Shanghai)
are held out and cut into consecutive folds of `horizon_days` (≤ 7) days. Each fold is
forecast by `pipeline.staffing.forecast.predict_volume` from its own origin, with only the
history before that origin — as a planner would have made it that morning. Beside it, on
the same days and intervals:

- `last_week`: the same interval one week earlier (actual contacts);
- `mean_3_weeks`: the mean of the same interval on the last 3 same weekdays (fewer when
  the history is shorter; at least one).

Both use only days before the fold's origin (a horizon ≤ 7 days guarantees it). Scores per
queue and over all queues pooled, at 15 min, 30 min, hour and day (levels finer than the
history's `interval_min` are skipped), contacts offered:

- WAPE = Σ|a − f| / Σa; bias = (Σf − Σa) / Σa (ratios);
- MAPE = mean |a − f| / a over the intervals with a > 0 only (zero-actual intervals are
  skipped: their percentage error is undefined), with the count of intervals used;
- noise floor: Σ E|X − a| / Σa with X ~ Poisson(a) — the WAPE a forecast of the exact
  rate would still have at that volume (the rate taken as the actual count), i.e. what
  no forecast can be expected to beat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from pipeline.staffing.forecast import local_grid, predict_volume, volume_cube
from pipeline.staffing.volume_model import FloatArray
from schemas.config import Settings

METHODS: tuple[str, ...] = ("model", "last_week", "mean_3_weeks")
LEVELS: tuple[tuple[str, int], ...] = (("15min", 15), ("30min", 30), ("hour", 60), ("day", 1440))
ALL_QUEUES = "(all)"


@dataclass(frozen=True)
class Score:
    """Contacts `actual` and `forecast` summed; `wape`, `mape`, `bias` ratios (None when
    undefined); `mape_intervals`: intervals with a > 0 that MAPE averages over."""

    actual: float
    forecast: float
    wape: float | None
    mape: float | None
    mape_intervals: int
    bias: float | None


@dataclass
class Backtest:
    """`folds`: (origin, held-out days) per fold; `scores[queue][level][method]`;
    `noise_floor[queue][level]` (ratio). `queue` includes `ALL_QUEUES` (pooled)."""

    folds: list[tuple[date, list[date]]]
    queues: list[str]
    levels: list[str]
    scores: dict[str, dict[str, dict[str, Score]]] = field(default_factory=dict)
    noise_floor: dict[str, dict[str, float | None]] = field(default_factory=dict)

    @property
    def held_out(self) -> list[date]:
        return [day for _, days in self.folds for day in days]


def poisson_mad(rate: float) -> float:
    """E|X − rate| for X ~ Poisson(rate) (contacts): 2·rate^(n+1)·e^(−rate)/n!, n = ⌊rate⌋."""
    if rate <= 0:
        return 0.0
    n = math.floor(rate)
    return 2.0 * math.exp((n + 1) * math.log(rate) - rate - math.lgamma(n + 1))


def score(actual: FloatArray, forecast: FloatArray) -> Score:
    """WAPE, MAPE (a > 0 only) and bias of a forecast over the same intervals."""
    a = actual.ravel()
    f = forecast.ravel()
    total = float(a.sum())
    error = np.abs(a - f)
    positive = a > 0
    return Score(
        actual=total,
        forecast=float(f.sum()),
        wape=float(error.sum()) / total if total > 0 else None,
        mape=float((error[positive] / a[positive]).mean()) if positive.any() else None,
        mape_intervals=int(positive.sum()),
        bias=(float(f.sum()) - total) / total if total > 0 else None,
    )


def noise_floor(actual: FloatArray) -> float | None:
    """Σ E|Poisson(a) − a| / Σa over the intervals of `actual` (ratio)."""
    total = float(actual.sum())
    if total <= 0:
        return None
    return sum(poisson_mad(float(a)) for a in actual.ravel()) / total


def _by_level(cube: FloatArray, interval_min: int, level_min: int) -> FloatArray:
    """[queue, day, slot] summed to `level_min`-minute intervals (a day: one interval)."""
    queues, days, slots = cube.shape
    per = level_min // interval_min
    return cube.reshape(queues, days, slots // per, per).sum(axis=3)


def _baselines(actual: FloatArray, index: int) -> tuple[FloatArray, FloatArray]:
    """(last week, mean of the last 3 same weekdays) for day `index` of `actual`
    [queue, day, slot]; uses only days ≥ 0."""
    last_week = actual[:, index - 7]
    earlier = [actual[:, index - 7 * k] for k in (1, 2, 3) if index - 7 * k >= 0]
    return last_week, np.mean(earlier, axis=0)


def backtest(
    history: pl.DataFrame,
    settings: Settings,
    holdout_days: int = 21,
    horizon_days: int = 7,
    interval_min: int | None = None,
) -> Backtest:
    """Rolling-origin evaluation of the last `holdout_days` days (see the module)."""
    if holdout_days < 1:
        msg = f"holdout_days must be >= 1, got {holdout_days}"
        raise ValueError(msg)
    if not 1 <= horizon_days <= 7:
        msg = f"horizon_days must be 1..7 (the baselines look one week back), got {horizon_days}"
        raise ValueError(msg)
    minutes = interval_min or settings.interval_min
    grid = local_grid(history, settings, minutes)
    offered = grid.filter(pl.col("offered") > 0)
    if offered.is_empty():
        msg = "history has no offered contact"
        raise ValueError(msg)
    first: date = offered["date"].min()  # type: ignore[assignment]
    last: date = offered["date"].max()  # type: ignore[assignment]
    start = last - timedelta(days=holdout_days - 1)
    if (start - first).days < 7:
        msg = (
            f"holding out {holdout_days} days from {start} leaves {(start - first).days} days "
            f"of history ({first}..{start - timedelta(days=1)}); at least 7 are needed"
        )
        raise ValueError(msg)
    queues = sorted(offered["queue"].unique().to_list())
    slots = 24 * 60 // minutes
    actual = volume_cube(offered, queues, first, last, slots)
    offset = (start - first).days
    forecasts = {m: np.zeros((len(queues), holdout_days, slots)) for m in METHODS}
    folds: list[tuple[date, list[date]]] = []
    for fold_start in range(0, holdout_days, horizon_days):
        length = min(horizon_days, holdout_days - fold_start)
        origin = start + timedelta(days=fold_start)
        folds.append((origin, [origin + timedelta(days=i) for i in range(length)]))
        predicted = predict_volume(grid, settings, origin, length, minutes)
        if predicted is not None:
            for i, queue in enumerate(predicted.queues):
                target = queues.index(queue)
                forecasts["model"][target, fold_start : fold_start + length] = predicted.volume[i]
        for day in range(fold_start, fold_start + length):
            last_week, mean_3 = _baselines(actual, offset + day)
            forecasts["last_week"][:, day] = last_week
            forecasts["mean_3_weeks"][:, day] = mean_3
    held = actual[:, offset:]
    levels = [(name, m) for name, m in LEVELS if m % minutes == 0]
    result = Backtest(folds=folds, queues=queues, levels=[name for name, _ in levels])
    for name, level_min in levels:
        held_level = _by_level(held, minutes, level_min)
        method_level = {m: _by_level(f, minutes, level_min) for m, f in forecasts.items()}
        for i, queue in enumerate([*queues, ALL_QUEUES]):
            pick = slice(None) if queue == ALL_QUEUES else slice(i, i + 1)
            scores = result.scores.setdefault(queue, {}).setdefault(name, {})
            for method in METHODS:
                scores[method] = score(held_level[pick], method_level[method][pick])
            result.noise_floor.setdefault(queue, {})[name] = noise_floor(held_level[pick])
    return result
