"""The day-level × intraday-profile volume model of the forecast (clause 7.3), plain numpy.

Input: per queue a matrix of contacts offered, one row per local history day (every
calendar day from the window's start to the day before the forecast origin, days without
contacts as zeros) and one column per interval slot of the local day (96 at 15 minutes),
already divided by the day's special-day factor. The model is, per queue q, day d and
slot s:

    forecast(q, d, s) = level(q) × weekday(q, wd(d)) × special(q, d) × profile(q, wd(d), s)

- `weekday(q, k)`: mean 1 over a week; Σ day total / Σ its centered 7-day moving average
  per weekday (ratio to moving average, so a trend does not leak into it), shrunk toward
  the same effect of all queues together with weight `weekday_prior_contacts` (contacts)
  against the queue's contacts behind the estimate. A weekday the center is closed on
  gets ~0, a short day (the bank's Friday) a small effect: closures and short days are
  learned, not configured. Weekdays without a centered average (under 10 days of
  history) take the center's, or its shares of whole weeks.
- `level(q)`: contacts per average day at the last history day: a straight line through
  the weekday-adjusted days, weighted by recency (half-life `level_halflife_days`) × the
  day's weekday effect (a closed day barely counts), read at the last day — the trend up
  to today, not extrapolated. With `pooled_trend` the line's slope is the center's: the
  queue's weighted mean × (center's line at the last day / center's weighted mean).
- `profile(q, k, s)`: the share of weekday k's volume in slot s (sums to 1 over the day).
  The queue's own shares over the window are shrunk toward a prior with weight
  `profile_prior_contacts` against the queue's contacts on that weekday; the prior is the
  queue's all-days shape re-weighted by the center's weekday-k shape (opening hours and
  the weekday's peaks, from all queues). It is smoothed over ±`smoothing_slots`
  (triangular kernel, among open slots only) except that a slot keeps
  count / (count + `smoothing_contacts`) of its own share, and is 0 in slots where the
  center had no contact on that weekday in the window (closed hours).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class ModelParameters:
    """Shrinkage weights (contacts), level half-life (days), smoothing width (slots)."""

    level_halflife_days: float = 7.0
    weekday_prior_contacts: float = 50.0
    profile_prior_contacts: float = 200.0
    smoothing_slots: int = 2
    smoothing_contacts: float = 300.0
    trend: bool = True
    pooled_trend: bool = True


@dataclass(frozen=True)
class QueueModel:
    """A fitted queue: `level` (contacts per average day), `weekday[k]` (k = 0 Monday …
    6 Sunday, mean 1), `profile[k, s]` (shares, each row sums to 1 or is all 0) and
    `window_level` (contacts per average day over the whole window, for the level ratio)."""

    level: float
    window_level: float
    weekday: FloatArray
    profile: FloatArray

    def day_total(self, weekday: int, special: float = 1.0) -> float:
        """Forecast contacts of a day on `weekday` with special-day factor `special`."""
        return float(self.level * self.weekday[weekday] * special)

    def day(self, weekday: int, special: float = 1.0) -> FloatArray:
        """Forecast contacts per slot of such a day."""
        return self.day_total(weekday, special) * self.profile[weekday]


def _block_sums(volume: FloatArray, weekdays: IntArray) -> tuple[FloatArray, float]:
    """(contacts per weekday, contacts) over the complete 7-day blocks ending at the last
    day of `volume` (one row per day)."""
    days = volume.shape[0]
    used = days - days % 7
    per_weekday = np.zeros(7)
    tail = volume[days - used :].sum(axis=1) if used else np.zeros(0)
    np.add.at(per_weekday, weekdays[days - used :], tail)
    return per_weekday, float(tail.sum())


def _weekday_shares(volume: FloatArray, weekdays: IntArray) -> FloatArray | None:
    """7 × (weekday's contacts / all contacts) over complete weeks; None without a week."""
    per_weekday, total = _block_sums(volume, weekdays)
    if total <= 0:
        return None
    return 7.0 * per_weekday / total


def _weekday_effect(totals: FloatArray, weekdays: IntArray) -> tuple[FloatArray, FloatArray]:
    """(effect per weekday, contacts behind it): Σ day / Σ its centered 7-day mean over the
    days that have one (ratio to moving average: a trend does not leak into the weekday
    effect), NaN for a weekday without such a day."""
    days = totals.shape[0]
    effect = np.full(7, np.nan)
    strength = np.zeros(7)
    if days < 7:
        return effect, strength
    moving = np.convolve(totals, np.ones(7) / 7.0, mode="valid")  # centered on day i + 3
    centered = np.arange(3, days - 3)
    for k in range(7):
        pick = centered[weekdays[centered] == k]
        base = float(moving[pick - 3].sum())
        if base > 0:
            effect[k] = float(totals[pick].sum()) / base
            strength[k] = base
    return effect, strength


def _level(totals: FloatArray, expected: FloatArray, parameters: ModelParameters) -> float:
    """Contacts per average day at the last history day: a weighted straight line through
    the weekday-adjusted days (weights: recency half-life × the day's weekday effect, so a
    near-closed day barely counts), evaluated at the last day (no extrapolation beyond)."""
    days = totals.shape[0]
    age = (days - 1) - np.arange(days, dtype=float)
    weights = 0.5 ** (age / parameters.level_halflife_days) * expected
    usable = expected > 0
    if not usable.any() or weights[usable].sum() <= 0:
        return 0.0
    x = np.where(usable, totals / np.where(usable, expected, 1.0), 0.0)
    w = weights * usable
    mean_x = float((w * x).sum() / w.sum())
    if not parameters.trend or usable.sum() < 7:
        return max(mean_x, 0.0)
    mean_age = float((w * age).sum() / w.sum())
    spread = float((w * (age - mean_age) ** 2).sum())
    if spread <= 0:
        return max(mean_x, 0.0)
    slope = float((w * (age - mean_age) * (x - mean_x)).sum()) / spread
    return max(mean_x - slope * mean_age, 0.0)


def _smooth(profile: FloatArray, open_slots: NDArray[np.bool_], width: int) -> FloatArray:
    """Triangular smoothing over ±`width` slots among the open slots only (normalized
    convolution: a closed neighbour neither receives volume nor dilutes the edge), 0 in
    closed slots."""
    mask = open_slots.astype(float)
    if width <= 0:
        return profile * mask
    kernel = np.concatenate([np.arange(1, width + 2), np.arange(width, 0, -1)]).astype(float)
    size = profile.shape[0]
    weighted = np.convolve(profile * mask, kernel)[width : width + size]
    coverage = np.convolve(mask, kernel)[width : width + size]
    return np.divide(weighted, coverage, out=np.zeros_like(profile), where=open_slots)


def _normalized(values: FloatArray) -> FloatArray:
    total = values.sum()
    return values / total if total > 0 else np.zeros_like(values)


@dataclass(frozen=True)
class CenterPrior:
    """What all queues together say: weekday effects (mean 1), per-weekday slot shares, the
    slots open on each weekday, and the level's relative trend (line at the last day /
    recency-weighted mean; None without `parameters`)."""

    weekday: FloatArray
    profile: FloatArray
    open_slots: NDArray[np.bool_]
    trend: float | None = None

    @classmethod
    def from_volume(
        cls, volume: FloatArray, weekdays: IntArray, parameters: ModelParameters | None = None
    ) -> CenterPrior:
        """`volume`: the center's contacts per history day × slot (all queues summed)."""
        shares = _weekday_shares(volume, weekdays)
        effect, _ = _weekday_effect(volume.sum(axis=1), weekdays)
        if shares is not None:
            shares = np.where(np.isnan(effect), shares, effect)
            shares = 7.0 * shares / shares.sum() if shares.sum() > 0 else None
        profile = np.zeros((7, volume.shape[1]))
        for k in range(7):
            profile[k] = _normalized(volume[weekdays == k].sum(axis=0))
        days_seen = np.array([(weekdays == k).any() for k in range(7)])
        weekday = np.ones(7) if shares is None else shares
        # a weekday never seen (history shorter than a week) is assumed open like the others
        profile[~days_seen] = _normalized(volume.sum(axis=0))
        trend = None
        if parameters is not None:
            totals = volume.sum(axis=1)
            expected = weekday[weekdays]
            mean = _level(totals, expected, replace(parameters, trend=False))
            if mean > 0:
                trend = _level(totals, expected, parameters) / mean
        return cls(weekday=weekday, profile=profile, open_slots=profile > 0, trend=trend)


def fit_queue(
    volume: FloatArray,
    weekdays: IntArray,
    center: CenterPrior,
    parameters: ModelParameters,
) -> QueueModel:
    """Fit one queue on its special-day-adjusted `volume` (history days × slots, oldest
    first, ending the day before the origin) with the days' `weekdays` (0 = Monday)."""
    days, slots = volume.shape
    totals = volume.sum(axis=1)
    own, strength = _weekday_effect(totals, weekdays)
    prior = parameters.weekday_prior_contacts
    filled = np.where(np.isnan(own), center.weekday, own)
    denominator = strength + prior
    weekday = np.divide(
        strength * filled + prior * center.weekday,
        denominator,
        out=center.weekday.copy(),
        where=denominator > 0,
    )
    weekday = 7.0 * weekday / weekday.sum() if weekday.sum() > 0 else np.ones(7)
    if parameters.pooled_trend and center.trend is not None:
        # the queue's recency-weighted mean, moved along the center's (less noisy) trend
        own_mean = _level(totals, weekday[weekdays], replace(parameters, trend=False))
        level = own_mean * center.trend
    else:
        level = _level(totals, weekday[weekdays], parameters)
    flat_expected = float(weekday[weekdays].sum())
    window_level = float(totals.sum()) / flat_expected if flat_expected > 0 else 0.0

    all_days = _normalized(volume.sum(axis=0))
    center_all = _normalized(center.profile.sum(axis=0))
    profile = np.zeros((7, slots))
    for k in range(7):
        rows = volume[weekdays == k]
        contacts = float(rows.sum())
        ratio = np.divide(center.profile[k], center_all, out=np.zeros(slots), where=center_all > 0)
        shape_prior = _normalized(all_days * ratio)
        if shape_prior.sum() == 0:
            shape_prior = center.profile[k]
        own_shape = _normalized(rows.sum(axis=0))
        shrink = parameters.profile_prior_contacts
        mixed = (contacts * own_shape + shrink * shape_prior) / (contacts + shrink)
        smoothed = _smooth(mixed, center.open_slots[k], parameters.smoothing_slots)
        # a slot with many contacts of its own keeps its own share; sparse slots are smoothed
        counts = rows.sum(axis=0)
        keep = counts / (counts + parameters.smoothing_contacts)
        profile[k] = _normalized((keep * mixed + (1.0 - keep) * smoothed) * center.open_slots[k])
    return QueueModel(level=level, window_level=window_level, weekday=weekday, profile=profile)
