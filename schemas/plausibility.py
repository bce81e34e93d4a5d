"""Event-time plausibility: the validation both engines apply before deduplication.

A clock gone wrong at the source (a phone system set to 2036, a batch from last year) must
not move the whole floor's notion of time: one event two days ahead would make every
later event "late", and a year ahead would mean a history point for every minute between.
So, in arrival order, an event is refused when its time is more than `max_future_s` after
the newest event time accepted so far, or more than `max_past_s` before it (older than the
window in which duplicates can still be recognised, so it could be counted twice). The
first event anchors the check. Times are Unix seconds.
"""

from __future__ import annotations


class EventTimeGate:
    """Checks event times in arrival order; keeps only the newest accepted time."""

    def __init__(self, max_future_s: float, max_past_s: float) -> None:
        self.max_future_s = max_future_s
        self.max_past_s = max_past_s
        self.newest: float | None = None

    def refuse(self, ts: float) -> str | None:
        """The reason to refuse an event at `ts`, or None (then `ts` counts as seen)."""
        newest = self.newest
        if newest is not None:
            if ts > newest + self.max_future_s:
                return f"ts: more than {self.max_future_s:g} s after the newest event time seen"
            if ts < newest - self.max_past_s:
                return (
                    f"ts: more than {self.max_past_s:g} s before the newest event time seen "
                    "(too old to check for duplicates)"
                )
            if ts <= newest:
                return None
        self.newest = ts
        return None
