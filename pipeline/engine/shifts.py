"""Rostered shifts on the agent side (issue #9, addendum 21): which shift applies to a
login, and the per-agent checks that drive the roster's `late_login` alerts.

Loaded once from `[staffing] roster` when the engine is created. Times are Unix epoch
seconds; `late_login_grace_s` and `early_login_window_s` are the rules (seconds) of the
shift's rostered team.

Each shift has two checks, kept per agent in time order:
- the late-login deadline `shift_start + late_login_grace_s` ("is the agent logged in?");
  it sees the agent's transitions at or before it, so a login exactly at the deadline is
  on time;
- the shift end ("did the agent come at all?"); it sees only the transitions before it, so
  a login at `shift_end` itself does not count as coming to that shift.
"""

from __future__ import annotations

import bisect
import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.engine.rules import RulesCache
from schemas.config import Settings

# Check kinds; at equal times the end check sorts (and runs) before the deadline check.
SHIFT_END, LATE_DEADLINE = 0, 1


@dataclass(frozen=True, slots=True)
class PlannedShift:
    """One rostered shift of one agent; epoch seconds, rules of the rostered team."""

    agent_id: str
    team: str
    start: float
    end: float
    late_login_grace_s: float
    early_login_window_s: float

    @property
    def deadline(self) -> float:
        """The instant the agent must be logged in by: `start + late_login_grace_s`."""
        return self.start + self.late_login_grace_s


# (time, kind, shift start, shift); `shift start` breaks ties between an agent's shifts.
ShiftCheck = tuple[float, int, float, PlannedShift]


@dataclass
class ShiftBook:
    """The roster's shifts by agent, their pending checks, and the agents' open alerts."""

    shifts: dict[str, list[PlannedShift]] = field(default_factory=dict)
    checks: dict[str, deque[ShiftCheck]] = field(default_factory=dict)
    # (check time, agent_id) of every pending check, to find agents with checks due.
    due: list[tuple[float, str]] = field(default_factory=list)
    # Raised roster late_login alerts not cleared yet, per agent.
    open: dict[str, list[PlannedShift]] = field(default_factory=dict)

    def add(self, shift: PlannedShift) -> None:
        bisect.insort(self.shifts.setdefault(shift.agent_id, []), shift, key=lambda s: s.start)

    def schedule(self) -> None:
        """Queue both checks of every shift (call once, after the last `add`)."""
        for agent_id, shifts in self.shifts.items():
            checks: list[ShiftCheck] = []
            # A shift over by its deadline (shorter than the grace) is not judged.
            for shift in (s for s in shifts if s.deadline < s.end):
                checks.append((shift.deadline, LATE_DEADLINE, shift.start, shift))
                checks.append((shift.end, SHIFT_END, shift.start, shift))
            checks.sort(key=lambda c: c[:3])
            self.checks[agent_id] = deque(checks)
            self.due.extend((c[0], agent_id) for c in checks)
        heapq.heapify(self.due)

    def applicable(self, agent_id: str, ts: float) -> PlannedShift | None:
        """The earliest-starting shift with `start - early_login_window_s <= ts < end`."""
        for shift in self.shifts.get(agent_id, ()):
            if shift.start - shift.early_login_window_s <= ts < shift.end:
                return shift
        return None

    def take_before(self, agent_id: str, ts: float) -> list[ShiftCheck]:
        """Pending checks of the agent that come before a transition at `ts`: deadlines
        `< ts`, shift ends `<= ts`."""
        checks = self.checks.get(agent_id)
        taken: list[ShiftCheck] = []
        while checks and (checks[0][0] < ts or (checks[0][0] == ts and checks[0][1] == SHIFT_END)):
            taken.append(checks.popleft())
        return taken

    def take_known(self, known: Callable[[float], bool]) -> list[tuple[str, ShiftCheck]]:
        """Every pending check whose time is decided, by agent id, each agent in time order."""
        agents: set[str] = set()
        due = self.due
        while due and known(due[0][0]):
            agents.add(heapq.heappop(due)[1])
        taken: list[tuple[str, ShiftCheck]] = []
        for agent_id in sorted(agents):
            checks = self.checks[agent_id]
            while checks and known(checks[0][0]):
                taken.append((agent_id, checks.popleft()))
        return taken


def load_shift_book(settings: Settings, rules: RulesCache) -> ShiftBook | None:
    """The shifts of `[staffing] roster` (None when no roster is configured).

    Raises `RosterError` naming the file and shift when the roster is invalid."""
    path = settings.staffing.roster
    if path is None:
        return None
    # Imported here: the roster module needs polars, which the engine otherwise does not.
    from pipeline.staffing.roster import load_pipeline_roster  # noqa: PLC0415

    book = ShiftBook()
    for shift in load_pipeline_roster(path).shifts:
        team = rules.team(shift.team)
        book.add(
            PlannedShift(
                agent_id=shift.agent_id,
                team=shift.team,
                start=shift.shift_start.timestamp(),
                end=shift.shift_end.timestamp(),
                late_login_grace_s=float(team.late_login_grace_s),
                early_login_window_s=float(team.early_login_window_s),
            )
        )
    book.schedule()
    return book
