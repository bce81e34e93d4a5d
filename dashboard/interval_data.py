"""Reads of today's queue intervals: the pipeline's exact interval records, cached per app.

The pipeline appends one entry per entity per closed interval to `<prefix>:intervals`
(docs/redis-layout.md), in the order the intervals close. A closed interval never changes,
so `ClosedIntervalCache` keeps the queue records of the local day (configured zone) and,
after a first read backwards from the newest entry to the first page that reaches an
earlier day, reads only the entries appended since (a cursor on the stream id). The cache
holds at most one day of queue records (queues × intervals of a day) and starts over when
the day or the zone changes.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

import orjson

from dashboard.interval_views import (
    ClosedInterval,
    IntervalActuals,
    history_needed_from,
    today_intervals,
)
from schemas.timefmt import parse_ts

if TYPE_CHECKING:
    from dashboard.data import WallboardData
    from schemas.config import Settings
    from schemas.snapshot import Snapshot

INTERVAL_PAGE = 1000  # stream entries per XRANGE / XREVRANGE call
HISTORY_POINTS = 1500  # at most a day of per-minute history entries


@dataclass(frozen=True)
class IntervalEntry:
    """One raw `<prefix>:intervals` entry; `kpis` is its undecoded JSON."""

    entry_id: str
    kind: str
    entity_id: str
    interval_start: str  # RFC 3339
    interval_s: str  # seconds, as written
    kpis: bytes
    # Waiting-time sums (seconds, as written); None in entries of a pipeline without them.
    answered_wait_s: str | None = None
    abandoned_wait_s: str | None = None


def closed_interval(entry: IntervalEntry, zone: tzinfo) -> ClosedInterval | None:
    """The queue record of `entry` in `zone`, or None for other kinds and unreadable entries.

    Unreadable entries are shown as missing intervals here; the archiver reports them
    (`<prefix>:archive:rejected`).
    """
    if entry.kind != "queue":
        return None
    try:
        start = parse_ts(entry.interval_start).astimezone(zone)
        length_s = int(entry.interval_s)
        kpis = orjson.loads(entry.kpis)
    except (ValueError, orjson.JSONDecodeError):
        return None
    if length_s <= 0 or not isinstance(kpis, dict):
        return None
    answered, abandoned = _seconds(entry.answered_wait_s), _seconds(entry.abandoned_wait_s)
    if answered is None or abandoned is None:
        answered = abandoned = None
    return ClosedInterval(entry.entity_id, start, length_s, kpis, answered, abandoned)


def _seconds(text: str | None) -> float | None:
    """A finite, non-negative number of seconds, or None (absent or unreadable)."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


class ClosedIntervalCache:
    """Per-app cache of today's closed queue intervals; thread-safe.

    Reads go through `WallboardData` and raise `DataUnavailable`; a failed read leaves
    the cache consistent (the cursor moves only past entries already kept).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._day: tuple[date, str] | None = None
        self._cursor: str | None = None  # id of the newest entry read; None: not read yet
        self._queues: dict[str, dict[datetime, ClosedInterval]] = {}

    def queue_intervals(
        self, data: WallboardData, queue: str, today: date, zone: tzinfo
    ) -> dict[datetime, ClosedInterval]:
        """The closed intervals of `queue` on the local day `today`, by local start."""
        return self.all_queue_intervals(data, today, zone).get(queue, {})

    def all_queue_intervals(
        self, data: WallboardData, today: date, zone: tzinfo
    ) -> dict[str, dict[datetime, ClosedInterval]]:
        """The closed intervals of every queue on the local day `today` (one read of the
        stream for all of them), by queue and local start."""
        day = (today, str(zone))
        with self._lock:
            if day != self._day:
                self._day, self._cursor, self._queues = day, None, {}
            if self._cursor is None:
                self._read_back(data, today, zone)
            else:
                self._read_new(data, today, zone)
            return {queue: dict(records) for queue, records in self._queues.items()}

    def _keep(self, record: ClosedInterval) -> None:
        self._queues.setdefault(record.queue, {})[record.start] = record

    def _read_back(self, data: WallboardData, today: date, zone: tzinfo) -> None:
        """From the newest entry back to the first page holding an earlier day's record."""
        newest: str | None = None
        before: str | None = None
        while True:
            page = data.interval_entries_before(before, INTERVAL_PAGE)
            if not page:
                break
            if newest is None:
                newest = page[0].entry_id
            reached_earlier_day = False
            for entry in page:
                record = closed_interval(entry, zone)
                if record is None:
                    continue
                if record.start.date() == today:
                    self._keep(record)
                elif record.start.date() < today:
                    reached_earlier_day = True
            if reached_earlier_day or len(page) < INTERVAL_PAGE:
                break
            before = page[-1].entry_id
        self._cursor = newest or "0-0"

    def _read_new(self, data: WallboardData, today: date, zone: tzinfo) -> None:
        """Every entry appended after the cursor."""
        cursor = self._cursor or "0-0"
        while True:
            page = data.interval_entries_after(cursor, INTERVAL_PAGE)
            for entry in page:
                record = closed_interval(entry, zone)
                if record is not None and record.start.date() == today:
                    self._keep(record)
            if page:
                cursor = self._cursor = page[-1].entry_id
            if len(page) < INTERVAL_PAGE:
                return


def queue_intervals_today(
    data: WallboardData,
    queue: str,
    snapshot: Snapshot | None,
    now: datetime,
    settings: Settings,
) -> list[IntervalActuals]:
    """Today's intervals of `queue` up to the one holding `now` (the snapshot's `now`,
    aware), oldest first; see `dashboard.interval_views.today_intervals`.

    Reads the cached records and the history since the newest record (at most a day of
    points). Raises `DataUnavailable`.
    """
    zone = settings.zone
    today = now.astimezone(zone).date()
    records = data.closed_intervals.queue_intervals(data, queue, today, zone)
    since = history_needed_from(records, today, zone)
    points = data.history("queue", queue, since=since, count=HISTORY_POINTS)
    entry = snapshot.queues.get(queue) if snapshot is not None else None
    return today_intervals(
        records=records,
        points=points,
        current=entry.interval.model_dump() if entry is not None else None,
        now=now,
        zone=zone,
        interval_min=settings.interval_min,
    )
