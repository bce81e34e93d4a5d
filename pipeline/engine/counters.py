"""Sparse per-second counters with per-minute and per-day totals.

Each counter row is a list of numbers indexed by a field layout (see `QUEUE_FIELDS`,
`AGENT_FIELDS`). A value is attributed to the whole epoch second of its completing event.
Rolling windows sum seconds `lo..hi` inclusive; whole minutes are read from the minute
totals so a window costs at most ~180 lookups, whatever the traffic.
"""

from __future__ import annotations

QUEUE_FIELDS: tuple[str, ...] = (
    "offered",
    "answered",
    "wait_answered_sum",
    "answered_in_sl",
    "abandoned",
    "short_abandoned",
    "abandoned_in_sl",
    "ended",
    "transferred",
    "handled",
    "handle_sum",
    "surveys",
    "satisfied",
    "self_served",
    "wait_abandoned_sum",
)
Q = {name: i for i, name in enumerate(QUEUE_FIELDS)}

AGENT_FIELDS: tuple[str, ...] = ("handled", "handle_sum", "ultra_short", "ultra_long")
A = {name: i for i, name in enumerate(AGENT_FIELDS)}

Row = list[float]


def add_rows(total: Row, row: Row) -> None:
    """Add `row` into `total` in place."""
    total[:] = [a + b for a, b in zip(total, row, strict=True)]


def column_sums(rows: list[Row], width: int) -> Row:
    """Field-by-field sums of counter rows."""
    if not rows:
        return [0] * width
    return [sum(column) for column in zip(*rows, strict=True)]


class WindowedCounters:
    """Counters of one subject kept per second (recent), per minute (recent) and per day."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.seconds: dict[int, Row] = {}
        self.minutes: dict[int, Row] = {}
        self.days: dict[int, Row] = {}
        self.max_second: int | None = None

    def zero(self) -> Row:
        return [0] * self.width

    def add(self, second: int, day: int, deltas: tuple[tuple[int, float], ...]) -> None:
        """Add `(field index, amount)` pairs at `second`, which lies in local day `day`."""
        minute = second - second % 60
        by_second = self.seconds.get(second)
        if by_second is None:
            by_second = self.seconds[second] = [0] * self.width
            if self.max_second is None or second > self.max_second:
                self.max_second = second
        by_minute = self.minutes.get(minute)
        if by_minute is None:
            by_minute = self.minutes[minute] = [0] * self.width
        by_day = self.days.get(day)
        if by_day is None:
            by_day = self.days[day] = [0] * self.width
        for index, amount in deltas:
            by_second[index] += amount
            by_minute[index] += amount
            by_day[index] += amount

    def window(self, lo: int, hi: int) -> Row:
        """Sum of seconds `lo..hi` (inclusive)."""
        if hi < lo or not self.seconds:
            return [0] * self.width
        seconds = self.seconds
        if len(seconds) <= 120 + (hi - lo) // 60:
            # Sparse subject: cheaper to scan what is there than to probe the range.
            present = [row for second, row in seconds.items() if lo <= second <= hi]
            return column_sums(present, self.width)
        first_full = lo + (-lo) % 60
        end_full = (hi + 1) - (hi + 1) % 60
        get = seconds.get
        rows: list[Row | None]
        if first_full >= end_full:
            rows = [get(second) for second in range(lo, hi + 1)]
        else:
            get_minute = self.minutes.get
            rows = [get(second) for second in range(lo, first_full)]
            rows += [get_minute(minute) for minute in range(first_full, end_full, 60)]
            rows += [get(second) for second in range(end_full, hi + 1)]
        return column_sums([r for r in rows if r is not None], self.width)

    def windows(self, spans: list[tuple[int, int]]) -> list[Row]:
        """`[self.window(lo, hi) for lo, hi in spans]`, scanning a sparse subject's seconds
        once for all spans instead of once per span (same rows summed in the same order)."""
        seconds = self.seconds
        sparse = [hi >= lo and len(seconds) <= 120 + (hi - lo) // 60 for lo, hi in spans]
        if not seconds or not all(sparse):
            return [self.window(lo, hi) for lo, hi in spans]
        present: list[list[Row]] = [[] for _span in spans]
        for second, row in seconds.items():
            for (lo, hi), rows in zip(spans, present, strict=True):
                if lo <= second <= hi:
                    rows.append(row)
        return [column_sums(rows, self.width) for rows in present]

    def day_to(self, day: int, now: int, day_end: int) -> Row:
        """Day-to-date: the day's total minus anything already counted after `now`."""
        total = list(self.days.get(day) or self.zero())
        if self.max_second is not None and self.max_second > now:
            later = self.window(now + 1, min(self.max_second, day_end - 1))
            for i, value in enumerate(later):
                total[i] -= value
        return total

    def evict(self, keep_from_second: int, keep_from_day: int) -> None:
        """Drop seconds and minutes before `keep_from_second` and days before `keep_from_day`."""
        keep_minute = keep_from_second - keep_from_second % 60
        for second in [s for s in self.seconds if s < keep_from_second]:
            del self.seconds[second]
        for minute in [m for m in self.minutes if m < keep_minute]:
            del self.minutes[minute]
        for day in [d for d in self.days if d < keep_from_day]:
            del self.days[day]

    def is_empty(self) -> bool:
        return not self.days
