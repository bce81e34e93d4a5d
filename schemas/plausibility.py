"""Event-time plausibility: the validation both engines apply before deduplication.

A clock gone wrong at the source (a phone system set to 2036, a batch from last year) must
not move the whole floor's notion of time: one event two days ahead would make every
later event "late", and a year ahead would mean a history point for every minute between.
So, in arrival order, an event is refused when its time is more than `max_future_s` after
the newest event time accepted so far, or more than `max_past_s` before it (older than the
window in which duplicates can still be recognised, so it could be counted twice). The
first event anchors the check. Times are Unix seconds.

Live (the pipeline on the wall clock, `follow_wall_clock`), the future limit is relative
to the wall clock instead: an event more than `max_future_s` after *now* is refused, the
first one included, so a wrong clock cannot anchor the floor in the future. The past limit
stays relative to the newest event accepted (it protects deduplication, which works in
event time). Replays, and the DuckDB reference (a replay tool), keep the event-time rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class EventTimeGate:
    """Checks event times in arrival order; keeps only the newest accepted time."""

    # The wall clock (Unix seconds) in live mode; None: event time only (replay). A class
    # default too, so gates pickled before it existed load.
    wall_clock: Callable[[], float] | None = None

    def __init__(self, max_future_s: float, max_past_s: float) -> None:
        self.max_future_s = max_future_s
        self.max_past_s = max_past_s
        self.newest: float | None = None
        self.wall_clock = None

    def follow_wall_clock(self, wall_clock: Callable[[], float]) -> None:
        """Judge the future limit against `wall_clock()` from now on (live mode)."""
        self.wall_clock = wall_clock

    def refuse(self, ts: float) -> str | None:
        """The reason to refuse an event at `ts`, or None (then `ts` counts as seen)."""
        newest = self.newest
        if self.wall_clock is not None:
            if ts > self.wall_clock() + self.max_future_s:
                return f"ts: more than {self.max_future_s:g} s after the wall clock"
        elif newest is not None and ts > newest + self.max_future_s:
            return f"ts: more than {self.max_future_s:g} s after the newest event time seen"
        if newest is not None:
            if ts < newest - self.max_past_s:
                return (
                    f"ts: more than {self.max_past_s:g} s before the newest event time seen "
                    "(too old to check for duplicates)"
                )
            if ts <= newest:
                return None
        self.newest = ts
        return None

    def __getstate__(self) -> dict[str, Any]:
        # The clock is wiring, not state: the pipeline attaches it again after a resume.
        return {**self.__dict__, "wall_clock": None}
