"""Agent state machines and time-in-state (kpi-semantics §4).

Transitions (login, logout, state, and contact work: answered/ended/wrapup) are kept per
agent and applied in canonical order `(ts, rank, seq)`. Those older than the watermark are
*final*: they become state segments `[start, end)` (epoch seconds) and drive the agent
alerts. The newer ones are replayed provisionally on a copy at snapshot time, so time in
state is current to `now`. Only the last hour of segments is kept; day totals accumulate.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from pipeline.engine.calendar import LocalCalendar
from pipeline.engine.counters import AGENT_FIELDS, WindowedCounters
from pipeline.engine.kpis import AgentTotals

# (ts, rank, seq, kind, data, event)
Transition = tuple[float, int, int, str, tuple[Any, ...], Any]
Segment = tuple[float, float, str, str | None]

CONTACT_WORK_RANK = {"answered": 3, "ended": 4, "wrapup": 5}

# An explicit `not_ready` with this reason is an outbound call (docs/kpi-semantics.md §4):
# busy time, never a queue contact, never away.
OUTBOUND_REASON = "outbound"


@dataclass(slots=True)
class AgentCore:
    """The state of one agent after some prefix of its canonical transitions."""

    logged_in: bool = False
    team: str | None = None
    site: str | None = None
    shift_end: float | None = None
    explicit: str | None = None
    explicit_reason: str | None = None
    active: int = 0
    acw: int = 0
    state: str = "logged_out"
    reason: str | None = None
    since: float | None = None

    def effective(self) -> tuple[str, str | None]:
        if not self.logged_in:
            return "logged_out", None
        if self.active > 0:
            return "busy", None
        if self.acw > 0:
            return "acw", None
        if self.explicit == "not_ready":
            if self.explicit_reason == OUTBOUND_REASON:
                return "busy", None
            return "not_ready", self.explicit_reason
        return "ready", None


def step(core: AgentCore, agent_id: str, tr: Transition, segments: list[Segment]) -> str:
    """Apply one transition; returns "" when accepted, else the rejection reason."""
    ts, _rank, _seq, kind, data, _event = tr
    if kind == "login":
        if core.logged_in:
            return f"agent.login: agent {agent_id} is already logged in"
        core.logged_in = True
        core.team, core.site, core.shift_end = data[0], data[1], data[3]
        core.explicit, core.explicit_reason = None, None
    elif kind == "logout":
        if not core.logged_in:
            return f"agent.logout: agent {agent_id} is not logged in"
        core.logged_in = False
    elif kind == "state":
        if not core.logged_in:
            return f"agent.state: agent {agent_id} is not logged in"
        core.explicit, core.explicit_reason = data
    elif kind == "answered":
        core.active += 1
    elif kind == "ended":
        core.active -= 1
        core.acw += 1
    else:
        core.acw -= 1
    state, reason = core.effective()
    if state != core.state or reason != core.reason:
        if core.state != "logged_out" and core.since is not None and ts > core.since:
            segments.append((core.since, ts, core.state, core.reason))
        core.state, core.reason, core.since = state, reason, ts
    return ""


def clip_into(totals: AgentTotals, segment: Segment, lo: float, hi: float) -> None:
    start, end, state, reason = segment
    overlap = min(end, hi) - max(start, lo)
    if overlap > 0:
        totals.add_time(state, reason, overlap)


@dataclass(slots=True)
class ProvisionalReplay:
    """The pending transitions up to absolute position `end` replayed from the final state:
    the state after them and the segments they closed, each with the absolute position of
    the transition that closed it (positions count every transition the agent has had
    pending; see `AgentTimeline.finalized`)."""

    end: int
    core: AgentCore
    segments: deque[Segment] = field(default_factory=deque)
    closed_by: deque[int] = field(default_factory=deque)


@dataclass
class AgentTimeline:
    """One agent: final state, pending transitions, recent segments, counters."""

    agent_id: str
    core: AgentCore = field(default_factory=AgentCore)
    pending: list[Transition] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    day_totals: dict[int, AgentTotals] = field(default_factory=dict)
    counters: WindowedCounters = field(default_factory=lambda: WindowedCounters(len(AGENT_FIELDS)))
    # Accepted login times (epoch s) for the frequent-relogin rule, and shift starts seen.
    logins: list[float] = field(default_factory=list)
    shift_starts: set[float] = field(default_factory=set)
    session_team: str | None = None
    # Transitions made final so far: `pending[i]` has absolute position `finalized + i`.
    finalized: int = 0
    # A cache for `provisional` (not pickled): last second's replay, continued from where it
    # stopped instead of replaying every pending transition again each second.
    replay: ProvisionalReplay | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "replay": None}

    def add(self, tr: Transition) -> None:
        index = bisect.bisect_right(self.pending, tr)  # where `bisect.insort` puts it
        self.pending.insert(index, tr)
        replay = self.replay
        if replay is not None and self.finalized + index < replay.end:
            # It lands among the replayed transitions: the replay no longer holds.
            self.replay = None

    def take_final(self, limit: float, inclusive: bool) -> list[Transition]:
        """Remove and return pending transitions with ts < limit (<= when inclusive)."""
        pending = self.pending
        cut = 0
        for tr in pending:
            if tr[0] < limit or (inclusive and tr[0] == limit):
                cut += 1
            else:
                break
        taken, self.pending = pending[:cut], pending[cut:]
        # The caller steps `core` through exactly these, as the replay did: the replay's
        # state stays that of `pending[:end - finalized]` replayed from the final state.
        self.finalized += cut
        return taken

    def close_segment(self, segment: Segment, calendar: LocalCalendar) -> None:
        """Keep a final segment for the rolling windows and add it to its day totals."""
        self.segments.append(segment)
        start, end, state, reason = segment
        cursor = start
        while cursor < end:
            day = calendar.day_start(cursor)
            day_end = calendar.next_day_start(cursor)
            part_end = min(end, day_end)
            totals = self.day_totals.get(day)
            if totals is None:
                totals = self.day_totals[day] = AgentTotals()
            totals.add_time(state, reason, part_end - cursor)
            cursor = part_end

    def provisional(self, now: float) -> tuple[AgentCore, list[Segment]]:
        """State at `now` and the segments closed by pending transitions with ts <= now.

        Without such transitions this is the final state itself (callers only read it);
        otherwise a copy, replayed forward. The replay is kept (`self.replay`) and the next
        call only steps the transitions it has not replayed yet: a pure speed-up, since
        `step` is deterministic and `take_final` hands its caller the replayed transitions
        in the same order. Results equal a replay from scratch (tests pin it)."""
        pending = self.pending
        if not pending or pending[0][0] > now:
            return self.core, []
        base = self.finalized
        replay = self.replay
        if replay is None or replay.end <= base or pending[replay.end - base - 1][0] > now:
            # Nothing replayed is still pending, or `now` went back before some of it.
            replay = self.replay = ProvisionalReplay(base, dataclasses.replace(self.core))
        segments, closed_by = replay.segments, replay.closed_by
        while closed_by and closed_by[0] < base:
            # Closed by a transition made final since: it is in `self.segments` now.
            closed_by.popleft()
            segments.popleft()
        core = replay.core
        closed: list[Segment] = []
        index = replay.end - base
        while index < len(pending) and pending[index][0] <= now:
            step(core, self.agent_id, pending[index], closed)
            if closed:
                segments.extend(closed)
                closed_by.extend([base + index] * len(closed))
                closed.clear()
            index += 1
        replay.end = base + index
        return dataclasses.replace(core), list(segments)

    def totals(
        self,
        core: AgentCore,
        extra: list[Segment],
        lo: float,
        hi: float,
        day: int | None = None,
    ) -> AgentTotals:
        """Time in state clipped to `[lo, hi]`; with `day`, final time comes from day totals."""
        totals = AgentTotals()
        if day is not None:
            done = self.day_totals.get(day)
            if done is not None:
                totals.merge(done)
        else:
            for segment in reversed(self.segments):
                if segment[1] <= lo:
                    break
                clip_into(totals, segment, lo, hi)
        for segment in extra:
            clip_into(totals, segment, lo, hi)
        if core.state != "logged_out" and core.since is not None:
            clip_into(totals, (core.since, hi, core.state, core.reason), lo, hi)
        return totals

    def evict(self, keep_from: float, keep_from_day: int) -> None:
        segments = self.segments
        cut = 0
        while cut < len(segments) and segments[cut][1] < keep_from:
            cut += 1
        if cut:
            del segments[:cut]
        for day in [d for d in self.day_totals if d < keep_from_day]:
            del self.day_totals[day]
        self.counters.evict(int(keep_from), keep_from_day)
