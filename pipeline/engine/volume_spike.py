"""volume_spike: a queue's offered volume in the current interval runs above its forecast.

Per queue, over intervals aligned to `interval_min` of local wall-clock time (the
configured zone, default Asia/Shanghai). Each accepted `contact.offered` in interval I is
judged once its time is decided (at the watermark), in event-time order:
n = offered in I so far including it, e = ts − I.start (seconds),
projected = n × interval_s / max(e, volume_spike_min_elapsed_s). The alert is raised at the
first such event with n ≥ volume_spike_min_contacts, forecast(I) > 0 and
projected > volume_spike_factor × forecast(I); an interval without a forecast row is not
judged. An active alert is cleared at the end of the first interval, from the raising one
on, whose complete offered count is ≤ factor × forecast (no or a zero forecast clears
too). Times are epoch seconds; `elapsed_s` is computed from integer microseconds so it
equals the SQL reference's value exactly.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.engine.alerts import AlertBook, epoch_id
from schemas.config import QueueRules, Settings
from schemas.timefmt import format_ts

# (ts, seq, interval start, elapsed seconds since the interval start)
PendingOffer = tuple[float, int, int, float]
_MICROSECOND = timedelta(microseconds=1)


def elapsed_since(moment: datetime, start: int) -> float:
    """Seconds from epoch second `start` to `moment`, exact to the microsecond (addendum
    16): integer microseconds divided once, as the SQL reference computes it."""
    return ((moment - datetime.fromtimestamp(start, UTC)) // _MICROSECOND) / 1e6


@dataclass
class VolumeSpike:
    """Decided offered counts per interval of one queue and its volume_spike episode."""

    queue: str
    pending: list[PendingOffer] = field(default_factory=list)
    # interval start -> offered in it that have been decided (or arrived late)
    counts: dict[int, int] = field(default_factory=dict)
    active_id: str | None = None
    # While active: the interval whose end is the next chance to clear.
    check_start: int = 0

    def offered(self, offer: PendingOffer, decided: bool) -> None:
        """Take one accepted offer; `decided` when its time was already decided (a late
        event): it then only counts toward a not yet judged interval end."""
        if decided:
            start = offer[2]
            self.counts[start] = self.counts.get(start, 0) + 1
        else:
            heapq.heappush(self.pending, offer)

    def decide(  # noqa: PLR0913, PLR0917
        self,
        limit: float,
        inclusive: bool,
        interval_s: int,
        rules: QueueRules,
        forecast: dict[int, float],
        book: AlertBook,
    ) -> None:
        """Judge every offer with a known time (`< limit`, `<= limit` if inclusive) and
        every interval end `<= limit` (all its offers are known then)."""
        pending = self.pending
        while pending and (pending[0][0] < limit or (inclusive and pending[0][0] == limit)):
            ts, _seq, start, elapsed_s = heapq.heappop(pending)
            self._judge_ends(ts, interval_s, rules, forecast, book)
            n = self.counts.get(start, 0) + 1
            self.counts[start] = n
            if self.active_id is None:
                self._maybe_raise(ts, start, n, elapsed_s, interval_s, rules, forecast, book)
        self._judge_ends(limit, interval_s, rules, forecast, book)
        self._forget(limit, interval_s)

    def _maybe_raise(  # noqa: PLR0913, PLR0917
        self,
        ts: float,
        start: int,
        n: int,
        elapsed_s: float,
        interval_s: int,
        rules: QueueRules,
        forecast: dict[int, float],
        book: AlertBook,
    ) -> None:
        expected = forecast.get(start)
        if expected is None or expected <= 0 or n < rules.volume_spike_min_contacts:
            return
        projected = n * interval_s / max(elapsed_s, rules.volume_spike_min_elapsed_s)
        if not projected > rules.volume_spike_factor * expected:
            return
        alert_id = f"volume_spike:{self.queue}:{epoch_id(ts)}"
        book.raise_alert(
            alert_id,
            "volume_spike",
            f"queue:{self.queue}",
            ts,
            {
                "interval_start": format_ts(start, ZoneInfo(book.zone_name)),
                "offered": n,
                "forecast": expected,
                "projected": projected,
                "factor": rules.volume_spike_factor,
            },
        )
        self.active_id = alert_id
        self.check_start = start

    def _judge_ends(
        self,
        until: float,
        interval_s: int,
        rules: QueueRules,
        forecast: dict[int, float],
        book: AlertBook,
    ) -> None:
        """While active, judge each interval that ends at or before `until`."""
        while self.active_id is not None and self.check_start + interval_s <= until:
            start = self.check_start
            end = start + interval_s
            expected = forecast.get(start)
            offered = self.counts.get(start, 0)
            if expected is None or expected <= 0 or offered <= rules.volume_spike_factor * expected:
                book.clear(self.active_id, end)
                self.active_id = None
            else:
                self.check_start = end

    def _forget(self, limit: float, interval_s: int) -> None:
        """Drop counts of intervals that ended by `limit` and will not be judged again."""
        keep_from = self.check_start if self.active_id is not None else limit - interval_s
        for start in [s for s in self.counts if s < keep_from and s + interval_s <= limit]:
            del self.counts[start]


def load_forecast(settings: Settings) -> dict[str, dict[int, float]]:
    """queue → {interval start (epoch s) → forecast contacts} of `[staffing] forecast`;
    empty when none is configured (then no queue is judged)."""
    path = settings.staffing.forecast
    if path is None:
        return {}
    # Imported here: Polars is only needed when a forecast is configured.
    from pipeline.staffing.forecast_file import forecast_by_queue, read_forecast  # noqa: PLC0415

    return forecast_by_queue(read_forecast(path, settings))
