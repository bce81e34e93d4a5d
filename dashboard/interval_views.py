"""Today's intervals of a queue as the queue page shows them (interval table, strip actuals).

Pure: storage reads live in `dashboard.interval_data`. An interval is `[start, start +
length)` of the local day in the configured zone (default Asia/Shanghai); its KPIs are the
§3 `QueueKpis` dict (counts, seconds, ratios 0..1). Each interval takes the best source
there is (docs/kpi-semantics-addenda.md 25):

- a closed interval: the pipeline's exact interval record (`<prefix>:intervals`), which
  counts every event of `[start, end)`; until that record arrives (it is written when the
  watermark passes the interval's end, up to `lateness_s` after the snapshot's `now` does)
  the last per-minute history point inside the interval, which misses its last minute;
- the current interval (the one holding the snapshot's `now`): the snapshot's `interval`
  window, or the last history point inside it when the snapshot lacks the queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from dashboard.format import parse_optional_ts
from pipeline.staffing.patience import QueueWaits

if TYPE_CHECKING:
    from dashboard.data import HistoryPoint

IntervalSource = Literal["record", "history", "snapshot"]


@dataclass(frozen=True)
class ClosedInterval:
    """The pipeline's final KPIs of one queue over one closed interval."""

    queue: str
    start: datetime  # aware, in the configured zone
    length_s: int  # seconds (900 or 1800)
    kpis: Mapping[str, Any]  # §3 QueueKpis dict
    # Seconds waited by the contacts answered / abandoned in the interval (None: the
    # record predates these sums).
    answered_wait_s: float | None = None
    abandoned_wait_s: float | None = None


@dataclass(frozen=True)
class IntervalActuals:
    """One interval of today on the queue page and where its KPIs come from."""

    start: datetime  # aware, in the configured zone
    length_s: int  # seconds
    kpis: Mapping[str, Any]  # §3 QueueKpis dict
    source: IntervalSource
    # A record's waiting-time sums (seconds); None for history and snapshot intervals.
    answered_wait_s: float | None = None
    abandoned_wait_s: float | None = None

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.length_s)


def interval_start(moment: datetime, zone: tzinfo, interval_min: int) -> datetime:
    """The local start (aware, `zone`) of the `interval_min`-minute interval holding `moment`."""
    local = moment.astimezone(zone)
    return local.replace(minute=local.minute - local.minute % interval_min, second=0,
                         microsecond=0)


def day_start(day: date, zone: tzinfo) -> datetime:
    """Local midnight of `day` in `zone` (aware)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def history_needed_from(
    records: Mapping[datetime, ClosedInterval], today: date, zone: tzinfo
) -> datetime:
    """Where the history read for today's intervals starts (aware): the end of the newest
    recorded interval, or local midnight when no interval of today has a record yet.

    Only the intervals after the newest record can lack one (the pipeline writes them in
    order), so older history is never read once records exist.
    """
    if not records:
        return day_start(today, zone)
    newest = max(records)
    return newest + timedelta(seconds=records[newest].length_s)


def today_intervals(
    *,
    records: Mapping[datetime, ClosedInterval],
    points: Iterable[HistoryPoint],
    current: Mapping[str, Any] | None,
    now: datetime,
    zone: tzinfo,
    interval_min: int,
) -> list[IntervalActuals]:
    """Today's intervals up to the one holding `now` (the snapshot's `now`), oldest first.

    `records` are today's closed intervals by local start, `points` the per-minute history
    (any span; points of other days or after `now` are ignored), `current` the snapshot's
    `interval` window of the queue (None: not in the snapshot). Records that start at or
    after the current interval (left by an earlier run of a replayed day) are ignored.
    """
    length_s = interval_min * 60
    today = now.astimezone(zone).date()
    current_start = interval_start(now, zone, interval_min)
    last_point: dict[datetime, Mapping[str, Any]] = {}
    for point in points:
        moment = parse_optional_ts(point.ts)
        if moment is None or moment > now or moment.astimezone(zone).date() != today:
            continue
        last_point[interval_start(moment, zone, interval_min)] = point.kpis.get("interval", {})
    found: dict[datetime, IntervalActuals] = {
        start: IntervalActuals(start, length_s, kpis, "history")
        for start, kpis in last_point.items()
    }
    for start, record in records.items():
        if start < current_start and start.date() == today:
            found[start] = IntervalActuals(start, record.length_s, record.kpis, "record",
                                           record.answered_wait_s, record.abandoned_wait_s)
    if current is not None:
        found[current_start] = IntervalActuals(current_start, length_s, current, "snapshot")
    return [found[start] for start in sorted(found)]


def staffing_actuals(queue: str, intervals: Sequence[IntervalActuals], zone: tzinfo
                     ) -> pl.DataFrame:
    """The staffing strip's actuals: columns `queue, interval_start (aware, zone), offered
    (contacts), aht_s (seconds)`, one row per interval of `intervals`."""
    return pl.DataFrame(
        {
            "queue": [queue] * len(intervals),
            "interval_start": [item.start for item in intervals],
            "offered": [item.kpis.get("offered") for item in intervals],
            "aht_s": [item.kpis.get("aht_s") for item in intervals],
        },
        schema={
            "queue": pl.String,
            "interval_start": pl.Datetime("us", str(zone)),
            "offered": pl.Int64,
            "aht_s": pl.Float64,
        },
    )


def closed_waits(intervals: Iterable[IntervalActuals]) -> QueueWaits | None:
    """Today's waiting time of answered and abandoned contacts (seconds) and the abandons,
    over the closed intervals whose pipeline record carries the sums; the observed
    patience's input (`pipeline.staffing.patience`). None when no interval has them.

    Intervals without sums (history or snapshot actuals, records of an older pipeline)
    are left out whole — their abandons too — so the estimate stays a ratio over the same
    contacts.
    """
    answered_s = abandoned_s = 0.0
    abandoned = 0
    found = False
    for item in intervals:
        if item.source != "record" or item.answered_wait_s is None:
            continue
        if item.abandoned_wait_s is None:
            continue
        found = True
        answered_s += item.answered_wait_s
        abandoned_s += item.abandoned_wait_s
        abandoned += int(item.kpis.get("abandoned") or 0)
    return QueueWaits(answered_s, abandoned_s, abandoned) if found else None
