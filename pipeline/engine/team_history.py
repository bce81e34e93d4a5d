"""Per-team running totals of decided agent time and counters, for per-minute team history.

A team's history point at minute `m` is the sum over the agents whose (decided) team is
that team of their decided time clipped to `[lo, m]` and their counters over the window.
Instead of walking every agent's segments each minute, the ledger keeps, per team, the
decided time split into whole-minute buckets (epoch s of the minute start) and a copy of the
members' counters; an agent changing team (at login) moves its kept segments and counters.

Sums are exact whatever the order: every time is a difference of epoch seconds below 2**31,
so all values are multiples of 2**-22 s and their sums stay exactly representable. That is
why minute pieces add up to the same float as the whole clipped overlap of the snapshot.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pipeline.engine.counters import AGENT_FIELDS, WindowedCounters
from pipeline.engine.kpis import STATE_KEYS, AgentTotals

Segment = tuple[float, float, str, str | None]
CounterDeltas = tuple[tuple[int, float], ...]


def _minute_of(t: float) -> int:
    return math.floor(t / 60) * 60


class TeamLedger:
    """Decided time (per minute) and agent counters (per second) summed per team."""

    def __init__(self) -> None:
        self.minutes: dict[str, dict[int, AgentTotals]] = {}
        self.counters: dict[str, WindowedCounters] = {}

    # ----------------------------------------------------------------- updates
    def add_segment(self, team: str | None, segment: Segment, sign: int = 1) -> None:
        """Add (or with `sign=-1` take out) a closed segment `[start, end)` of a team member."""
        if team is None:
            return
        buckets = self.minutes.get(team)
        if buckets is None:
            buckets = self.minutes[team] = {}
        start, end, state, reason = segment
        cursor = start
        while cursor < end:
            minute = _minute_of(cursor)
            piece_end = min(end, minute + 60)
            totals = buckets.get(minute)
            if totals is None:
                totals = buckets[minute] = AgentTotals()
            totals.add_time_signed(state, reason, sign * (piece_end - cursor))
            cursor = piece_end

    def add_counts(self, team: str | None, second: int, day: int, deltas: CounterDeltas) -> None:
        """Add a member's counter deltas at epoch second `second` (local day start `day`)."""
        if team is None:
            return
        counters = self.counters.get(team)
        if counters is None:
            counters = self.counters[team] = WindowedCounters(len(AGENT_FIELDS))
        counters.add(second, day, deltas)

    def move(
        self,
        old_team: str | None,
        new_team: str | None,
        segments: list[Segment],
        counter_seconds: dict[int, list[float]],
        day_start: Callable[[float], int],
    ) -> None:
        """An agent's team changed: move its kept segments and counter seconds.

        `day_start` gives the local day start of an epoch second (for the counters' day
        totals, which team history does not read)."""
        for segment in segments:
            self.add_segment(old_team, segment, -1)
            self.add_segment(new_team, segment)
        for second, row in counter_seconds.items():
            day = day_start(second)
            if old_team is not None:
                self.add_counts(old_team, second, day, tuple((i, -v) for i, v in enumerate(row)))
            self.add_counts(new_team, second, day, tuple(enumerate(row)))

    def evict(self, keep_from_second: int, keep_from_day: int) -> None:
        keep_minute = keep_from_second - keep_from_second % 60
        for buckets in self.minutes.values():
            for minute in [m for m in buckets if m < keep_minute]:
                del buckets[minute]
        for counters in self.counters.values():
            counters.evict(keep_from_second, keep_from_day)

    # ------------------------------------------------------------------- reads
    def teams(self) -> set[str]:
        return set(self.minutes) | set(self.counters)

    def decided_times(
        self, team: str, bounds: dict[str, int], now: int
    ) -> dict[str, AgentTotals]:
        """Closed-segment time of the team's members in `[lo, now]` for each window start
        `lo` (whole minutes), summed in one pass from `now` backwards."""
        out = {name: AgentTotals() for name in bounds}
        buckets = self.minutes.get(team)
        if not buckets:
            return out
        starts = sorted(bounds.items(), key=lambda item: -item[1])
        states = dict.fromkeys(STATE_KEYS, 0.0)
        by_reason: dict[str, float] = {}
        minute = now - 60
        for name, lo in starts:
            while minute >= lo:
                piece = buckets.get(minute)
                if piece is not None:
                    for key, value in piece.states.items():
                        states[key] += value
                    for reason, value in piece.by_reason.items():
                        by_reason[reason] = by_reason.get(reason, 0.0) + value
                minute -= 60
            totals = out[name]
            totals.states = dict(states)
            totals.by_reason = dict(by_reason)
        return out

    def counts(self, team: str, first: int, now: int) -> list[float]:
        """Members' counters over seconds `first..now`."""
        counters = self.counters.get(team)
        if counters is None:
            return [0] * len(AGENT_FIELDS)
        return counters.window(first, now)
