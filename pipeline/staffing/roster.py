"""Roster: who is scheduled when, and how scheduled time was used (clause 7.3, Appendix A).

A roster lists shifts: agent, team, queues served (empty: the team's queues from the
configuration), shift start/end and planned breaks (tz-aware datetimes; printed in the
configured zone, default Asia/Shanghai). Times are seconds, ratios 0..1.

- Paid (scheduled) time of a shift = shift length − unpaid breaks (lunch is usually unpaid).
- On-phone time = shift length − all planned breaks; it is what `scheduled_per_interval`
  counts, as full-time equivalents (FTE): scheduled on-phone seconds in the interval /
  interval seconds. A multi-skilled agent counts fully in every queue it serves.
- Absenteeism (T/IAC 40-2021 Appendix A) = hours lost to absence / scheduled hours, where
  an agent's lost time is paid time − logged-in time (not below 0; logging in longer than
  scheduled does not offset another agent's absence).
- Utilization against scheduled time = (busy + acw + ready) / paid time: the A.1
  utilization with the paid schedule instead of logged-in time as the denominator.
- `clip_roster` cuts the shifts to a window, so both ratios can mean "so far today"
  (the team page's schedule adherence clips to `[local midnight, now)`).

CSV columns: agent_id, team, queues (`;`-separated, may be empty), shift_start, shift_end,
breaks (`;`-separated `start/end[/reason[/unpaid]]`, may be empty). JSON: a list of shift
objects, or {"shifts": [...]}, with `breaks` as objects {start, end, reason, paid}.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError, model_validator

from schemas.config import Settings
from schemas.events import ConfigName, ConfigPlaceName, NotReadyReason
from schemas.snapshot import AgentKpis


class RosterError(ValueError):
    """The roster file is invalid; the message names the row or field."""


class PlannedBreak(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: AwareDatetime
    end: AwareDatetime
    reason: NotReadyReason = "break"
    paid: bool = True

    @model_validator(mode="after")
    def _ends_after_start(self) -> PlannedBreak:
        if self.end <= self.start:
            msg = f"break end {self.end.isoformat()} is not after start {self.start.isoformat()}"
            raise ValueError(msg)
        return self


class RosterShift(BaseModel):
    """One agent's shift; `queues` empty means "the queues of the agent's team"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agent_id: ConfigName
    team: ConfigPlaceName
    queues: tuple[ConfigPlaceName, ...] = ()
    shift_start: AwareDatetime
    shift_end: AwareDatetime
    breaks: tuple[PlannedBreak, ...] = ()

    @model_validator(mode="after")
    def _consistent_times(self) -> RosterShift:
        if self.shift_end <= self.shift_start:
            msg = f"shift_end is not after shift_start for agent {self.agent_id}"
            raise ValueError(msg)
        for planned in self.breaks:
            if planned.start < self.shift_start or planned.end > self.shift_end:
                msg = f"break {planned.start.isoformat()} lies outside the shift"
                raise ValueError(msg)
        return self

    @property
    def paid_s(self) -> float:
        """Scheduled paid seconds: shift length minus unpaid breaks."""
        unpaid = sum(_seconds(b.start, b.end) for b in self.breaks if not b.paid)
        return _seconds(self.shift_start, self.shift_end) - unpaid

    def on_phone(self) -> list[tuple[datetime, datetime]]:
        """Scheduled on-phone segments `[start, end)`: the shift minus planned breaks."""
        segments: list[tuple[datetime, datetime]] = []
        cursor = self.shift_start
        for planned in sorted(self.breaks, key=lambda b: b.start):
            if planned.start > cursor:
                segments.append((cursor, planned.start))
            cursor = max(cursor, planned.end)
        if cursor < self.shift_end:
            segments.append((cursor, self.shift_end))
        return segments

    def queues_served(self, settings: Settings) -> tuple[str, ...]:
        return self.queues or settings.team_rules(self.team).queues


def _seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()


class Roster(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    shifts: tuple[RosterShift, ...]

    def paid_s_by_agent(self) -> dict[str, float]:
        paid: dict[str, float] = {}
        for shift in self.shifts:
            paid[shift.agent_id] = paid.get(shift.agent_id, 0.0) + shift.paid_s
        return paid


def clip_roster(roster: Roster, start: datetime, end: datetime) -> Roster:
    """The part of every shift inside `[start, end)` (aware), e.g. today so far.

    Shift and break times are cut to the window; a shift (or break) with nothing left in
    it is dropped. Paid time of the result is the paid time scheduled in the window, so
    `absenteeism` and `utilization_against_schedule` on it mean "so far" at `end`.
    """
    if start.tzinfo is None or end.tzinfo is None:
        msg = "start and end must be timezone-aware"
        raise ValueError(msg)
    shifts = []
    for shift in roster.shifts:
        shift_start, shift_end = max(shift.shift_start, start), min(shift.shift_end, end)
        if shift_end <= shift_start:
            continue
        breaks = tuple(
            planned.model_copy(
                update={
                    "start": max(planned.start, shift_start),
                    "end": min(planned.end, shift_end),
                }
            )
            for planned in shift.breaks
            if max(planned.start, shift_start) < min(planned.end, shift_end)
        )
        shifts.append(
            shift.model_copy(
                update={"shift_start": shift_start, "shift_end": shift_end, "breaks": breaks}
            )
        )
    return Roster(shifts=tuple(shifts))


def load_roster(path: str | Path) -> Roster:
    """Read a roster from `.csv` or `.json` (see the module docstring for the columns)."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{source}: file not found"
        raise RosterError(msg) from None
    if source.suffix.lower() == ".json":
        data = json.loads(text)
        rows = data["shifts"] if isinstance(data, dict) else data
        return _validate(source, rows)
    if source.suffix.lower() == ".csv":
        return _validate(source, [_csv_row(r) for r in csv.DictReader(text.splitlines())])
    msg = f"{source}: roster must be .csv or .json"
    raise RosterError(msg)


def load_pipeline_roster(path: str | Path) -> Roster:
    """`load_roster`, plus the check the alert pipeline needs: no agent has two shifts
    starting at the same instant (their `late_login` alerts would share one id)."""
    roster = load_roster(path)
    starts: set[tuple[str, datetime]] = set()
    for number, shift in enumerate(roster.shifts, start=1):
        key = (shift.agent_id, shift.shift_start)
        if key in starts:
            msg = (
                f"{path}: shift {number}: agent {shift.agent_id} already has a shift "
                f"starting at {shift.shift_start.isoformat()}"
            )
            raise RosterError(msg)
        starts.add(key)
    return roster


def _csv_row(row: Mapping[str, str | None]) -> dict[str, Any]:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    breaks = []
    for item in filter(None, (p.strip() for p in cell("breaks").split(";"))):
        parts = item.split("/")
        planned: dict[str, Any] = {"start": parts[0], "end": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2 and parts[2]:
            planned["reason"] = parts[2]
        if len(parts) > 3:
            planned["paid"] = parts[3].strip().lower() != "unpaid"
        breaks.append(planned)
    return {
        "agent_id": cell("agent_id"),
        "team": cell("team"),
        "queues": [q.strip() for q in cell("queues").split(";") if q.strip()],
        "shift_start": cell("shift_start"),
        "shift_end": cell("shift_end"),
        "breaks": breaks,
    }


def _validate(source: Path, rows: Iterable[Any]) -> Roster:
    shifts = []
    for number, row in enumerate(rows, start=1):
        try:
            shifts.append(RosterShift.model_validate(row))
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "(row)"
            msg = f"{source}: shift {number}: {where}: {first['msg']}"
            raise RosterError(msg) from None
    return Roster(shifts=tuple(shifts))


def scheduled_per_interval(
    roster: Roster, settings: Settings, interval_min: int | None = None
) -> pl.DataFrame:
    """(queue, interval_start, scheduled): on-phone FTE per queue per local interval.

    `interval_start` is tz-aware in the configured zone; intervals no shift touches are
    absent (zero scheduled).
    """
    step = timedelta(minutes=interval_min or settings.interval_min)
    zone = settings.zone
    fte: dict[tuple[str, datetime], float] = {}
    for shift in roster.shifts:
        queues = shift.queues_served(settings)
        for start, end in shift.on_phone():
            local_start = start.astimezone(zone)
            midnight = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
            bucket = midnight + step * ((local_start - midnight) // step)
            while bucket < end:
                overlap = _seconds(max(bucket, start), min(bucket + step, end))
                for queue in queues:
                    key = (queue, bucket)
                    fte[key] = fte.get(key, 0.0) + overlap / step.total_seconds()
                bucket += step
    rows = [{"queue": q, "interval_start": b, "scheduled": v} for (q, b), v in sorted(fte.items())]
    return pl.DataFrame(
        rows,
        schema={
            "queue": pl.String,
            "interval_start": pl.Datetime("us", settings.timezone),
            "scheduled": pl.Float64,
        },
    )


@dataclass(frozen=True)
class AbsenteeismReport:
    """Absence against the paid schedule; seconds, `absenteeism` ratio 0..1 or None."""

    scheduled_s: float
    lost_s: float
    absenteeism: float | None
    lost_s_by_agent: dict[str, float]


def absenteeism(roster: Roster, logged_in_s: Mapping[str, float]) -> AbsenteeismReport:
    """Hours lost to absence / scheduled hours (Appendix A), from logged-in seconds per agent.

    Agents logged in without a shift are not scheduled and do not count.
    """
    paid = roster.paid_s_by_agent()
    lost = {a: max(0.0, p - logged_in_s.get(a, 0.0)) for a, p in sorted(paid.items())}
    scheduled = sum(paid.values())
    lost_total = sum(lost.values())
    return AbsenteeismReport(
        scheduled_s=scheduled,
        lost_s=lost_total,
        absenteeism=lost_total / scheduled if scheduled > 0 else None,
        lost_s_by_agent=lost,
    )


@dataclass(frozen=True)
class ScheduleUtilization:
    """(busy + acw + ready) seconds against paid scheduled seconds; ratio 0..1 or None."""

    scheduled_s: float
    available_s: float
    utilization: float | None
    by_agent: dict[str, float | None]


def utilization_against_schedule(
    roster: Roster, agents: Mapping[str, AgentKpis]
) -> ScheduleUtilization:
    """Utilization with the paid schedule as denominator, per agent and for the roster.

    `agents` holds each agent's KPIs over the period the roster covers (e.g. the snapshot's
    `day` window). Rostered agents absent from `agents` contribute zero available time.
    """
    paid = roster.paid_s_by_agent()
    by_agent: dict[str, float | None] = {}
    available_total = 0.0
    for agent_id, paid_s in sorted(paid.items()):
        kpis = agents.get(agent_id, AgentKpis())
        available = kpis.busy_s + kpis.acw_s + kpis.ready_s
        available_total += available
        by_agent[agent_id] = available / paid_s if paid_s > 0 else None
    scheduled = sum(paid.values())
    return ScheduleUtilization(
        scheduled_s=scheduled,
        available_s=available_total,
        utilization=available_total / scheduled if scheduled > 0 else None,
        by_agent=by_agent,
    )
