"""The event-time gate: validation of each event's time, before deduplication.

kpi-spec §2 "Gaps are normal": a gap of any length (a night, a weekend, a quiet queue for
a month) never refuses later events, yet one event from a wrong source clock must not
move the floor's time. The rule, in arrival order (times are Unix seconds):

1. Live (`follow_wall_clock`): an event more than `max_future_s` after the wall clock is
   refused outright.
2. An event more than `past_s` (`dedupe_window_s`) before the newest accepted time is
   refused: too old to check for duplicates.
3. A *jump* — an event more than `jump_s` after the reference (the newest accepted
   time; live, the later of it and the wall clock) — is held, with the events that
   follow it, and not yet ingested. A following event more than `jump_s` *before* the
   jump contradicts it: the jump is refused as a lone wrong timestamp, and the held
   events are judged again, in arrival order, as if it had never come. When `confirm`
   following events are not before it by more than `jump_s`, the jump is accepted and
   the held events are judged in arrival order. Events that rule 2 refuses anyway
   neither confirm nor contradict. At the end of input a jump nothing contradicted is
   accepted (a gap is the normal reading).
4. The *first* event of a replay (no wall clock, nothing accepted yet) has no reference:
   it is held, with the events that follow it, until one following event *fits* it — is
   not more than `jump_s` before it (any time after it fits: a gap after the first event
   is a gap like any other) — then the first is accepted and the held events are judged
   in arrival order (a normal start releases at the second event). When `confirm`
   following events all lie more than `jump_s` before it, the first is refused as a lone
   wrong timestamp (a clock ahead) and the held events are judged again, in arrival order,
   as if it had never come (so the next one must in turn be confirmed by its followers).
   At the end of input a first event nothing refused is accepted. Live, the wall clock is
   the reference from the start and rule 3 applies to the first event too.
5. Otherwise the event is accepted.

Bounded: at most `confirm + 1` events are held. Deterministic: decisions depend only on
arrival order and times (and, live, the wall clock). The past limit makes deduplication
within `dedupe_window_s` exact; the lateness rule and the partition merge act on what the
gate lets through, in the same arrival order. The DuckDB reference decides the same rule
with its own code (`pipeline/reference/event_time.py`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")


def too_old_reason(past_s: float) -> str:
    return (
        f"ts: more than {past_s:g} s before the newest event time seen "
        "(too old to check for duplicates)"
    )


def lone_jump_reason(jump_s: float, earlier_by_s: float) -> str:
    return (
        f"ts: a lone time jump of more than {jump_s:g} s, not confirmed by the events "
        f"that follow (the next one is {earlier_by_s:.0f} s earlier)"
    )


def lone_first_reason(confirm: int, earlier_by_s: float) -> str:
    return (
        f"ts: a lone first event time, not confirmed by the {confirm} events that follow "
        f"(the next one is {earlier_by_s:.0f} s earlier)"
    )


def wall_clock_reason(max_future_s: float) -> str:
    return f"ts: more than {max_future_s:g} s after the wall clock"


class EventTimeGate(Generic[Item]):
    """Holds a pending jump and the events after it; keeps the newest accepted time."""

    # The wall clock (Unix seconds) in live mode; None: event time only (replay).
    wall_clock: Callable[[], float] | None = None
    # True while `held` starts with the first event of a replay, not yet confirmed (rule 4).
    # A class default: gate state pickled before this rule existed has no such attribute.
    first_held: bool = False

    def __init__(
        self, jump_s: float, past_s: float, confirm: int, max_future_s: float = float("inf")
    ) -> None:
        self.jump_s = jump_s
        self.past_s = past_s
        self.confirm = confirm
        self.max_future_s = max_future_s
        self.newest: float | None = None
        # The pending jump first, then the events that arrived after it: (ts, item).
        self.held: list[tuple[float, Item]] = []
        self.first_held = False
        self.wall_clock = None

    def follow_wall_clock(self, wall_clock: Callable[[], float]) -> None:
        """Live mode: refuse events far after `wall_clock()`, and measure jumps from it."""
        self.wall_clock = wall_clock

    def __len__(self) -> int:
        return len(self.held)

    def offer(self, ts: float, item: Item) -> list[tuple[Item, str | None]]:
        """Judge one arriving event; returns every event decided now, in arrival order of
        acceptance (refused ones carry their reason)."""
        out: list[tuple[Item, str | None]] = []
        pending: deque[tuple[float, Item]] = deque([(ts, item)])
        while pending:
            self._judge(*pending.popleft(), pending, out)
        return out

    def flush(self) -> list[tuple[Item, str | None]]:
        """End of input: a jump nothing contradicted is accepted; the events held after it
        are judged as usual (repeatedly, should one of them be a jump too)."""
        out: list[tuple[Item, str | None]] = []
        while self.held:
            held, self.held = self.held, []
            self.first_held = False
            self._accept(*held[0], out)
            pending = deque(held[1:])
            while pending:
                self._judge(*pending.popleft(), pending, out)
        return out

    def _judge(
        self,
        ts: float,
        item: Item,
        pending: deque[tuple[float, Item]],
        out: list[tuple[Item, str | None]],
    ) -> None:
        wall = None if self.wall_clock is None else self.wall_clock()
        if wall is not None and ts > wall + self.max_future_s:
            out.append((item, wall_clock_reason(self.max_future_s)))
            return
        newest = self.newest
        if newest is not None and ts < newest - self.past_s:
            out.append((item, too_old_reason(self.past_s)))
            return
        held = self.held
        if self.first_held:
            self._judge_after_first(ts, item, pending, out)
            return
        if held:
            jump_ts = held[0][0]
            if ts < jump_ts - self.jump_s:
                # Contradicted: refuse the jump; what it held, then this event, again.
                out.append((held[0][1], lone_jump_reason(self.jump_s, jump_ts - ts)))
                self.held = []
                pending.extendleft(reversed([*held[1:], (ts, item)]))
                return
            held.append((ts, item))
            if len(held) > self.confirm:
                self.held = []
                self._accept(*held[0], out)
                pending.extendleft(reversed(held[1:]))
            return
        if wall is None and newest is None and self.confirm > 0:
            self.held = [(ts, item)]
            self.first_held = True
            return
        reference = newest if wall is None else (wall if newest is None else max(newest, wall))
        if reference is not None and ts > reference + self.jump_s:
            self.held = [(ts, item)]
            return
        self._accept(ts, item, out)

    def _judge_after_first(
        self,
        ts: float,
        item: Item,
        pending: deque[tuple[float, Item]],
        out: list[tuple[Item, str | None]],
    ) -> None:
        """Rule 4: an event arriving while the first event of a replay is held."""
        held = self.held
        first_ts = held[0][0]
        held.append((ts, item))
        fits = ts >= first_ts - self.jump_s
        if not fits and len(held) <= self.confirm:
            return
        self.held = []
        self.first_held = False
        if fits:
            self._accept(*held[0], out)
        else:
            out.append((held[0][1], lone_first_reason(self.confirm, first_ts - held[1][0])))
        pending.extendleft(reversed(held[1:]))

    def _accept(self, ts: float, item: Item, out: list[tuple[Item, str | None]]) -> None:
        if self.newest is None or ts > self.newest:
            self.newest = ts
        out.append((item, None))

    def __getstate__(self) -> dict[str, Any]:
        # The clock is wiring, not state: the pipeline attaches it again after a resume.
        return {**self.__dict__, "wall_clock": None}
