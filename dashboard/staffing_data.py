"""The dashboard's staffing reads: today's forecast per queue (cached per day) and the roster.

The forecast of a queue for a local day (configured zone, default Asia/Shanghai) is built
once from the archive's closed intervals of the last `profile_weeks` weeks
(`pipeline.staffing.archive_history`, `docs/forecast.md`) and kept until the day, the
settings or the archive answer change. The roster file of `[staffing] roster` is re-read
only when its size or modification time changes; an unreadable roster shows no schedule.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from dashboard.interval_data import queue_intervals_today
from dashboard.interval_views import (
    ClosedInterval,
    closed_waits,
    staffing_actuals,
    today_intervals,
)
from pipeline.staffing.archive_history import history_from_intervals
from pipeline.staffing.forecast import forecast
from pipeline.staffing.patience import QueueWaits
from pipeline.staffing.roster import Roster, RosterError, load_roster
from pipeline.staffing.strip import StaffingStrip, empty_actuals, staffing_strip
from schemas.config import Settings
from schemas.snapshot import Snapshot

if TYPE_CHECKING:
    from dashboard.data import WallboardData

CACHE_ENTRIES = 256
ForecastSource = Literal["archive", "configured"]


class StaffingCache:
    """Per-app cache of today's forecasts and of the parsed roster; thread-safe."""

    def __init__(self) -> None:
        self._forecasts: OrderedDict[tuple[Any, ...], pl.DataFrame] = OrderedDict()
        self._roster: tuple[tuple[str, int, int], Roster | None] | None = None
        self._lock = threading.Lock()

    def forecast_today(
        self, data: WallboardData, queue: str, today: date, settings: Settings
    ) -> pl.DataFrame:
        """Forecast frame of `queue` for the local day `today` (empty: no history).

        Raises `ArchiveUnavailable` when the archive cannot be read.
        """
        span = settings.staffing.profile_weeks * 7
        intervals = data.queue_interval_counts(queue, today, span)
        key = (queue, today, settings.model_dump_json(), tuple(intervals))
        with self._lock:
            if key in self._forecasts:
                self._forecasts.move_to_end(key)
                return self._forecasts[key]
        history = history_from_intervals(queue, intervals, settings)
        frame = forecast(history, settings, today, days=1)
        with self._lock:
            self._forecasts[key] = frame
            while len(self._forecasts) > CACHE_ENTRIES:
                self._forecasts.popitem(last=False)
        return frame

    def roster(self, settings: Settings) -> Roster | None:
        """The roster of `[staffing] roster`, or None (not configured or unreadable)."""
        path = settings.staffing.roster
        if not path:
            return None
        try:
            stat = Path(path).stat()
        except OSError:
            return None
        identity = (path, stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if self._roster is not None and self._roster[0] == identity:
                return self._roster[1]
        try:
            roster: Roster | None = load_roster(path)
        except (RosterError, OSError, ValueError):
            roster = None
        with self._lock:
            self._roster = (identity, roster)
        return roster


def base_forecast(
    data: WallboardData, queue: str, today: date, settings: Settings
) -> tuple[pl.DataFrame, ForecastSource]:
    """Today's forecast of `queue` and where it comes from: the archive's history when it
    has some, else the configured `[staffing] forecast` file (empty frame: neither).

    Raises `ArchiveUnavailable` when the archive cannot be read.
    """
    base = data.staffing.forecast_today(data, queue, today, settings)
    if not base.is_empty():
        return base, "archive"
    return data.configured_forecast.day(queue, today, settings), "configured"


def queue_strip(
    data: WallboardData,
    queue: str,
    settings: Settings,
    now: datetime,
    snapshot: Snapshot | None,
) -> tuple[StaffingStrip, ForecastSource] | None:
    """Today's strip of `queue` and its forecast's source (None: no forecast). `now` is
    the data's time (aware).

    Raises `ArchiveUnavailable` (archive) or `DataUnavailable` (Redis).
    """
    today = now.astimezone(settings.zone).date()
    cache = data.staffing
    base, source = base_forecast(data, queue, today, settings)
    if base.is_empty():
        return None
    # Closed intervals from the pipeline's exact records, the current one from the
    # snapshot's `interval` window (dashboard.interval_views).
    intervals = queue_intervals_today(data, queue, snapshot, now, settings)
    actuals = staffing_actuals(queue, intervals, settings.zone)
    # Erlang A's patience: observed over today's closed records once they hold enough
    # abandons, else the configured one (pipeline.staffing.patience).
    strip = staffing_strip(queue, base, actuals, settings, now, snapshot=snapshot,
                           roster=cache.roster(settings), waits=closed_waits(intervals))
    return (strip, source) if strip is not None else None


def current_gaps(
    data: WallboardData,
    queues: list[str],
    settings: Settings,
    now: datetime,
    snapshot: Snapshot | None,
) -> list[tuple[float | None, ForecastSource]]:
    """The current interval's gap of each of `queues` that has a forecast today, with the
    forecast's source (see `base_forecast`).

    The same numbers as the strip's current row; the actuals come from the snapshot
    alone (no history read), which is all the current interval and the re-forecast need,
    and the patience from today's closed interval records (cached, as for the strip).
    """
    from dashboard.staffing_views import with_snapshot_interval  # noqa: PLC0415

    today = now.astimezone(settings.zone).date()
    records: dict[str, dict[datetime, ClosedInterval]] | None = None
    gaps: list[tuple[float | None, ForecastSource]] = []
    for queue in queues:
        base, source = base_forecast(data, queue, today, settings)
        if base.is_empty():
            continue
        if records is None:
            records = data.closed_intervals.all_queue_intervals(data, today, settings.zone)
        actuals = with_snapshot_interval(
            empty_actuals(settings), queue, snapshot, settings.zone, settings.interval_min
        )
        waits = _closed_waits_today(records.get(queue, {}), now, settings)
        strip = staffing_strip(queue, base, actuals, settings, now, snapshot=snapshot,
                               roster=data.staffing.roster(settings), current_only=True,
                               waits=waits)
        gaps.append((strip.current_gap if strip else None, source))
    return gaps


def _closed_waits_today(
    records: dict[datetime, ClosedInterval], now: datetime, settings: Settings
) -> QueueWaits | None:
    """`closed_waits` of a queue's records of today's closed intervals (before the one
    holding `now`), as the strip computes them."""
    return closed_waits(today_intervals(records=records, points=[], current=None, now=now,
                                        zone=settings.zone, interval_min=settings.interval_min))
