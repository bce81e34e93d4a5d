"""Asterisk `queue_log` lines to our events.

A line is `epoch|callid|queuename|agent|event|data1|data2|...` (epoch in Unix seconds;
a realtime `queue_log` table exported with `|` has a datetime there instead).
The field meanings per event (Asterisk's queue_log documentation) and what we make of
them are tabled in `docs/adapters.md`. Times are taken from the line's epoch, written in
the configured time zone. Asterisk's "holdtime" is the caller's wait in the queue, not
on-hold time during the conversation, so it never becomes our `hold_s`. Leading NUL
bytes (left by an unclean shutdown) are stripped before a line is read.

The mapper keeps a little state, so it must see the log from its start, in order:
which queue visit each call is on (a call transferred back into a queue keeps its callid
and becomes a new contact whose `parent_contact_id` is the previous visit), who answered
it, which agents are logged in and in which explicit state, which interface is which
member (`members.MemberNames`), and the local day of the latest line (agents still
logged in are logged out at its end).

Event ids are `<key>:<EVENT>:<epoch>` where key is the callid for call lines and the
agent for agent lines (`MANAGER`, `CLI`, `NONE` callids are shared by every agent);
a second line with the same id base gets `:2`, and so on, so two lines never share an
id and reading the same file again gives the same ids. Further events of one line add
a suffix (`:login`, `:answer`, `:wrapup`, `:logout`); a day-end logout is
`<agent>:DAYEND:<date>`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import cast

from pipeline.adapters import records
from pipeline.adapters.members import MemberNames, interface_of_channel
from pipeline.adapters.records import DeadLetter, Mapped, Skip, SourceEvent, checked
from schemas.config import Settings
from schemas.events import Channel, NotReadyReason
from schemas.timefmt import from_epoch

OFFER_EVENTS = frozenset({"ENTERQUEUE"})
ANSWER_EVENTS = frozenset({"CONNECT"})
END_EVENTS = frozenset({"COMPLETEAGENT", "COMPLETECALLER"})
TRANSFER_EVENTS = frozenset({"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"})
ABANDON_EVENTS = frozenset({"ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"})
LOGIN_EVENTS = frozenset({"AGENTLOGIN", "AGENTCALLBACKLOGIN"})
LOGOFF_EVENTS = frozenset({"AGENTLOGOFF", "AGENTCALLBACKLOGOFF"})
MEMBER_ADD_EVENTS = frozenset({"ADDMEMBER"})
MEMBER_REMOVE_EVENTS = frozenset({"REMOVEMEMBER"})
PAUSE_EVENTS = frozenset({"PAUSE", "PAUSEALL"})
UNPAUSE_EVENTS = frozenset({"UNPAUSE", "UNPAUSEALL"})
# Understood, but they say nothing our events carry: a ring that was not picked up (the
# call stays in the queue and its outcome comes later), server and call annotations, and
# Asterisk's own OUTCALL (QueueUpdate), written once at the end of an outbound call, so
# its start is not known in log order.
INFORMATIONAL_EVENTS = frozenset(
    {
        "RINGNOANSWER",
        "RINGCANCELED",
        "QUEUESTART",
        "CONFIGRELOAD",
        "SYSCOMPAT",
        "DID",
        "INFO",
        "ENTERQUEUE_POSITION",
        "PENALTY",
        "RINGINUSE",
        "OUTCALL",
    }
)
KNOWN_EVENTS = (
    OFFER_EVENTS
    | ANSWER_EVENTS
    | END_EVENTS
    | TRANSFER_EVENTS
    | ABANDON_EVENTS
    | LOGIN_EVENTS
    | LOGOFF_EVENTS
    | MEMBER_ADD_EVENTS
    | MEMBER_REMOVE_EVENTS
    | PAUSE_EVENTS
    | UNPAUSE_EVENTS
    | INFORMATIONAL_EVENTS
)
NO_VALUE = frozenset({"", "NONE"})
# ADDMEMBER's data1 flag; any other text there is the member's name.
PAUSED_FLAG = "PAUSED"
# Membership that an AGENTLOGIN grants (as opposed to one queue's ADDMEMBER).
AGENT_CHANNEL = "@agentlogin"
# Membership of an agent we logged in automatically (a static queue member).
STATIC_MEMBER = "@static"
OUTBOUND: NotReadyReason = "outbound"
MAX_TRACKED_CALLS = 200_000
# Id bases remembered to number repeats; a repeat is (nearly always) the same second.
MAX_TRACKED_IDS = 100_000
MAX_KEY_CHARS = 80
MAX_NOTES = 20


@dataclass
class _Call:
    """One callid: its current queue visit and what happened in it."""

    visit: int
    contact_id: str
    queue: str
    answered_by: str | None = None
    outcome_seen: bool = False
    ended: bool = False

    @property
    def finished(self) -> bool:
        """Abandoned, or answered and ended: the call may enter a queue again."""
        return self.outcome_seen and (self.ended or self.answered_by is None)


@dataclass
class _Agent:
    memberships: set[str] = field(default_factory=set)
    # The explicit state the agent chose since login: None = none yet, "" = ready, else
    # the pause reason. `sent` is the explicit state our events last said (outbound
    # calls override `chosen`).
    chosen: str | None = None
    sent: str | None = None
    outbound_calls: set[str] = field(default_factory=set)
    active_calls: int = 0
    logout_after_call: date | None = None


@dataclass(frozen=True, slots=True)
class QueueLogLine:
    """The fields of one queue_log line; `epoch` is the time field as written."""

    ts: datetime
    epoch: str
    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]

    def datum(self, index: int) -> str:
        """data1 is `datum(1)`; missing fields read as ''."""
        return self.data[index - 1].strip() if len(self.data) >= index else ""


def _line_time(text: str, zone: tzinfo, pbx_zone: tzinfo) -> datetime | str:
    """The time field: Unix seconds (the queue_log file), or a datetime as a realtime
    `queue_log` table exports it (`2023-05-04 09:12:33.123456`, the PBX's local time
    unless it carries an offset). A string result is the reason it cannot be read."""
    try:
        epoch = float(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return f"epoch: not a Unix time or a datetime: {text!r}"
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=pbx_zone)
        return moment.astimezone(zone)
    if not 0 < epoch < 32503680000:  # before year 3000
        return f"epoch: out of range: {text!r}"
    return from_epoch(epoch, zone)


def parse_queue_log_line(
    raw: str, zone: tzinfo, pbx_zone: tzinfo | None = None
) -> QueueLogLine | str:
    """Split a line; a string result is the reason it cannot be read. Times are written
    in `zone`; a datetime without offset is read in `pbx_zone` (default `zone`)."""
    parts = raw.split("|")
    if len(parts) < 5:
        return f"fields: expected epoch|callid|queue|agent|event[|data...], got {len(parts)}"
    time_text = parts[0].strip()
    ts = _line_time(time_text, zone, pbx_zone or zone)
    if isinstance(ts, str):
        return ts
    event = parts[4].strip().upper()
    if not event:
        return "event: empty"
    return QueueLogLine(
        ts=ts,
        epoch=time_text,
        callid=parts[1].strip(),
        queue=parts[2].strip(),
        agent=parts[3].strip(),
        event=event,
        data=tuple(parts[5:]),
    )


def _explicit(value: str | None) -> str:
    """None (nothing chosen since login) reads as ready ('')."""
    return value or ""


class QueueLogMapper:
    """Maps queue_log lines, in log order, to events (see the module docstring).

    `zone`: the zone timestamps are written in (default the configured one). Local days
    (for the day-end logout) are always those of the configured time zone.
    """

    def __init__(self, settings: Settings, zone: tzinfo | None = None) -> None:
        self._settings = settings
        self._asterisk = settings.importers.asterisk
        self._zone = zone if zone is not None else settings.zone
        self._day_zone = settings.zone
        self._calls: OrderedDict[str, _Call] = OrderedDict()
        self._agents: dict[str, _Agent] = {}
        self._names = MemberNames(
            self._asterisk.members, match_extensions=self._asterisk.match_extensions
        )
        self._ids: OrderedDict[str, int] = OrderedDict()
        # Agents seen on call lines (so known by their member name), for `notes`.
        self._on_call_lines: set[str] = set()
        self.notes: list[str] = []
        self._day: date | None = None
        self._outbound_start = frozenset(self._asterisk.outbound_start_events)
        self._outbound_end = frozenset(self._asterisk.outbound_end_events)

    def map_line(self, raw: str, line: int) -> list[Mapped]:
        """What one line gives: its events, a dead letter with the reason, or a counted
        skip, preceded by the day-end logouts when the line starts a new local day."""
        text = raw.lstrip("\x00")
        if not text.strip():
            return [Skip("NUL padding" if raw.startswith("\x00") else "blank line")]
        parsed = parse_queue_log_line(text, self._zone, self._day_zone)
        if isinstance(parsed, str):
            return [DeadLetter(parsed, raw, line)]
        out: list[Mapped] = []
        day_end = self._roll_day(parsed.ts, line)
        if day_end:
            out.append(day_end)
        result = self._dispatch(parsed, line)
        if isinstance(result, str):
            out.append(DeadLetter(f"{parsed.event}: {result}", raw, line))
        else:
            out.append(checked(result, raw, line))
        return out

    def finish(self) -> list[SourceEvent]:
        """At the end of the log: agents still logged in leave at the end of its last day,
        those on a call too (its end is not in the log)."""
        if self._day is None or not self._asterisk.logout_at_day_end:
            return []
        return self._close_day(self._day, 0, last=True)

    def tick(self, now: datetime) -> list[SourceEvent]:
        """Following a live log: once `now` is past midnight, yesterday's agents leave."""
        return self._roll_day(now, 0)

    # Days

    def _roll_day(self, ts: datetime, line: int) -> list[SourceEvent]:
        day = ts.astimezone(self._day_zone).date()
        if self._day is None:
            self._day = day
            return []
        if day <= self._day:
            return []
        previous, self._day = self._day, day
        if not self._asterisk.logout_at_day_end:
            return []
        return self._close_day(previous, line)

    def _close_day(self, day: date, line: int, *, last: bool = False) -> list[SourceEvent]:
        """Logouts at the local midnight ending `day`; an agent on a call leaves after it,
        unless this is the `last` day of the log."""
        midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self._day_zone)
        events: list[SourceEvent] = []
        for agent_id in sorted(self._agents):
            agent = self._agents[agent_id]
            if not agent.memberships:
                continue
            if agent.active_calls > 0 and not last:
                agent.logout_after_call = day
                continue
            events.append(self._logout_at_day_end(agent_id, agent, midnight, day, line))
        return events

    def _logout_at_day_end(
        self, agent_id: str, agent: _Agent, ts: datetime, day: date, line: int
    ) -> SourceEvent:
        self._reset(agent)
        event_id = f"{agent_id[:MAX_KEY_CHARS]}:DAYEND:{day.isoformat()}"
        return records.agent_logout(event_id, ts, agent_id, reason="end of day", line=line)

    @staticmethod
    def _reset(agent: _Agent) -> None:
        agent.active_calls = 0
        agent.memberships.clear()
        agent.chosen = agent.sent = None
        agent.outbound_calls.clear()
        agent.logout_after_call = None

    # Lines

    def _dispatch(self, entry: QueueLogLine, line: int) -> list[SourceEvent] | Skip | str:
        event = entry.event
        if event in self._outbound_start:
            return self._outbound(entry, line, start=True)
        if event in self._outbound_end:
            return self._outbound(entry, line, start=False)
        if event not in KNOWN_EVENTS:
            return "unknown queue_log event"
        if event in INFORMATIONAL_EVENTS:
            return Skip(event)
        if event in OFFER_EVENTS:
            return self._enter_queue(entry, line)
        if event in ANSWER_EVENTS:
            return self._connect(entry, line)
        if event in END_EVENTS:
            return self._end(entry, line, "completed")
        if event in TRANSFER_EVENTS:
            return self._end(entry, line, "transferred")
        if event in ABANDON_EVENTS:
            return self._abandon(entry, line)
        if event in LOGIN_EVENTS:
            if entry.agent not in NO_VALUE and entry.datum(1):
                self._names.learn(interface_of_channel(entry.datum(1)), entry.agent)
            return self._join(entry, line, AGENT_CHANNEL)
        if event in MEMBER_ADD_EVENTS:
            if entry.queue in NO_VALUE:
                return "queue missing"
            named = [d.strip() for d in entry.data if d.strip() not in ("", PAUSED_FLAG)]
            if entry.agent not in NO_VALUE and named:
                self._names.learn(entry.agent, named[0])
            return self._join(entry, line, entry.queue)
        if event in LOGOFF_EVENTS:
            return self._leave(entry, line, None)
        if event in MEMBER_REMOVE_EVENTS:
            if entry.queue in NO_VALUE:
                return "queue missing"
            return self._leave(entry, line, entry.queue)
        if event in PAUSE_EVENTS:
            return self._set_state(entry, line, self._pause_reason(entry.datum(1)))
        return self._set_state(entry, line, None)

    def _line_id(self, key: str, entry: QueueLogLine) -> str:
        """`<key>:<EVENT>:<epoch>`, `:2`, `:3` ... for repeats of that base."""
        base = f"{key[:MAX_KEY_CHARS]}:{entry.event}:{entry.epoch}"
        seen = self._ids.get(base, 0) + 1
        self._ids[base] = seen
        self._ids.move_to_end(base)
        while len(self._ids) > MAX_TRACKED_IDS:
            self._ids.popitem(last=False)
        return base if seen == 1 else f"{base}:{seen}"

    # Calls

    def _channel(self, queue: str) -> Channel:
        override = self._settings.queues.get(queue)
        return override.channel if override and override.channel else "voice"

    def _enter_queue(self, entry: QueueLogLine, line: int) -> list[SourceEvent] | str:
        if entry.callid in NO_VALUE:
            return "callid missing"
        if entry.queue in NO_VALUE:
            return "queue missing"
        previous = self._calls.get(entry.callid)
        if previous is not None and not previous.finished:
            return f"call {entry.callid} entered {entry.queue!r} while still in {previous.queue!r}"
        visit = 1 if previous is None else previous.visit + 1
        contact_id = entry.callid if visit == 1 else f"{entry.callid}:{visit}"
        call = _Call(visit, contact_id, entry.queue)
        self._remember(entry.callid, call)
        caller = entry.datum(2)  # ENTERQUEUE: data1 = url, data2 = caller id, data3 = position
        return [
            records.offered(
                self._line_id(entry.callid, entry),
                entry.ts,
                contact_id,
                self._channel(entry.queue),
                entry.queue,
                customer_id=caller or None,
                parent_contact_id=previous.contact_id if previous is not None else None,
                line=line,
            )
        ]

    def _remember(self, callid: str, call: _Call) -> None:
        self._calls[callid] = call
        self._calls.move_to_end(callid)
        while len(self._calls) > MAX_TRACKED_CALLS:
            self._calls.popitem(last=False)

    def _open_call(self, entry: QueueLogLine) -> _Call | str:
        if entry.callid in NO_VALUE:
            return "callid missing"
        call = self._calls.get(entry.callid)
        if call is None:
            return f"call {entry.callid} has no ENTERQUEUE before this line"
        return call

    def _answer(
        self, entry: QueueLogLine, line: int, call: _Call, event_id: str
    ) -> list[SourceEvent]:
        """The agent of the line answers `call` (logged in first when needed)."""
        agent_id = self._names.agent(entry.agent)
        call.outcome_seen = True
        call.answered_by = agent_id
        self._on_call_lines.add(agent_id)
        events = self._auto_login(agent_id, entry, line, f"{event_id}:login")
        self._agents[agent_id].active_calls += 1
        events.append(records.answered(event_id, entry.ts, call.contact_id, agent_id, line=line))
        return events

    def _connect(self, entry: QueueLogLine, line: int) -> list[SourceEvent] | str:
        call = self._open_call(entry)
        if isinstance(call, str):
            return call
        if entry.agent in NO_VALUE:
            return "agent missing"
        if call.outcome_seen:
            return f"call {entry.callid} already answered or abandoned"
        return self._answer(entry, line, call, self._line_id(entry.callid, entry))

    def _end(self, entry: QueueLogLine, line: int, disposition: str) -> list[SourceEvent] | str:
        call = self._open_call(entry)
        if isinstance(call, str):
            return call
        event_id = self._line_id(entry.callid, entry)
        events: list[SourceEvent] = []
        if call.answered_by is None:
            if disposition != "transferred" or call.outcome_seen:
                return f"call {entry.callid} was not answered"
            if entry.agent in NO_VALUE:
                return "agent missing"
            # A transfer with no CONNECT before it (Asterisk 20 logs some this way): the
            # member had the call, so it was answered, at the latest now.
            events = self._answer(entry, line, call, f"{event_id}:answer")
        if call.ended:
            return f"call {entry.callid} already ended"
        answered_by = call.answered_by or ""
        agent_id = answered_by if entry.agent in NO_VALUE else self._names.agent(entry.agent)
        call.ended = True
        events += [
            records.ended(
                event_id,
                entry.ts,
                call.contact_id,
                agent_id,
                disposition="transferred" if disposition == "transferred" else "completed",
                line=line,
            ),
            # queue_log has no after-call work: wrap-up ends when the call does.
            records.wrapup_ended(
                f"{event_id}:wrapup", entry.ts, call.contact_id, agent_id, line=line
            ),
        ]
        agent = self._agents.get(answered_by)
        if agent is not None and agent.active_calls > 0:
            agent.active_calls -= 1
            if agent.active_calls == 0 and agent.logout_after_call is not None:
                day = agent.logout_after_call
                self._reset(agent)
                events.append(
                    records.agent_logout(
                        f"{answered_by[:MAX_KEY_CHARS]}:DAYEND:{day.isoformat()}",
                        entry.ts,
                        answered_by,
                        reason="end of day",
                        line=line,
                    )
                )
        return events

    def _abandon(self, entry: QueueLogLine, line: int) -> list[SourceEvent] | str:
        call = self._open_call(entry)
        if isinstance(call, str):
            return call
        if call.outcome_seen:
            return f"call {entry.callid} already answered or abandoned"
        call.outcome_seen = True
        return [
            records.abandoned(
                self._line_id(entry.callid, entry), entry.ts, call.contact_id, line=line
            )
        ]

    # Agents

    def _team_and_site(self, agent_id: str, name: str, queue: str) -> tuple[str, str]:
        """`name` is how the line calls the agent (an interface, say), also looked up."""
        team = self._asterisk.agents.get(agent_id) or self._asterisk.agents.get(name)
        if team is None:
            serving = self._settings.teams_serving(queue) if queue not in NO_VALUE else ()
            team = serving[0] if serving else self._asterisk.default_team
        override = self._settings.teams.get(team)
        site = override.site if override and override.site else self._settings.default_site
        return team, site

    def _login(self, agent_id: str, entry: QueueLogLine, line: int, event_id: str) -> SourceEvent:
        team, site = self._team_and_site(agent_id, entry.agent, entry.queue)
        return records.agent_login(event_id, entry.ts, agent_id, team, site, line=line)

    def _auto_login(
        self, agent_id: str, entry: QueueLogLine, line: int, event_id: str
    ) -> list[SourceEvent]:
        agent = self._agents.setdefault(agent_id, _Agent())
        if agent.memberships or not self._asterisk.auto_login:
            return []
        agent.memberships.add(STATIC_MEMBER)
        agent.chosen = agent.sent = None
        self._note_possible_phantom(agent_id, entry.queue, line)
        return [self._login(agent_id, entry, line, event_id)]

    def _note_possible_phantom(self, agent_id: str, queue: str, line: int) -> None:
        """Say so when an automatic login may be a member already logged in by interface."""
        if len(self.notes) >= MAX_NOTES or queue in NO_VALUE:
            return
        suspects = sorted(
            other
            for other, agent in self._agents.items()
            if other != agent_id and queue in agent.memberships and other not in self._on_call_lines
        )
        if suspects:
            self.notes.append(
                f"line {line}: {agent_id!r} was logged in automatically while "
                f"{', '.join(suspects)} (in {queue!r} by interface) never appeared on a call "
                "line; if they are the same person, map the interface to the member name "
                "in [importers.asterisk] members"
            )

    def _join(
        self, entry: QueueLogLine, line: int, membership: str
    ) -> list[SourceEvent] | Skip | str:
        if entry.agent in NO_VALUE:
            return "agent missing"
        agent_id = self._names.agent(entry.agent)
        agent = self._agents.setdefault(agent_id, _Agent())
        was_logged_in = bool(agent.memberships)
        agent.memberships.add(membership)
        if was_logged_in:
            return Skip(f"{entry.event} (already logged in)")
        agent.chosen = agent.sent = None
        return [self._login(agent_id, entry, line, self._line_id(agent_id, entry))]

    def _leave(
        self, entry: QueueLogLine, line: int, membership: str | None
    ) -> list[SourceEvent] | Skip | str:
        if entry.agent in NO_VALUE:
            return "agent missing"
        agent_id = self._names.agent(entry.agent)
        agent = self._agents.get(agent_id)
        if agent is None or not agent.memberships:
            return f"agent {agent_id} is not logged in"
        if membership is None:
            agent.memberships.clear()
        elif membership in agent.memberships:
            agent.memberships.discard(membership)
        elif agent.memberships != {STATIC_MEMBER}:
            return f"agent {agent_id} is not a member of {membership!r}"
        else:
            # Logged in automatically (static member): leaving any queue logs it out.
            agent.memberships.clear()
        if agent.memberships:
            return Skip(f"{entry.event} (still in other queues)")
        self._reset(agent)
        return [
            records.agent_logout(
                self._line_id(agent_id, entry), entry.ts, agent_id, reason=entry.event, line=line
            )
        ]

    def _pause_reason(self, text: str) -> NotReadyReason:
        return self._asterisk.pause_reasons.get(text.strip().lower(), "other")

    def _set_state(
        self, entry: QueueLogLine, line: int, reason: NotReadyReason | None
    ) -> list[SourceEvent] | Skip | str:
        if entry.agent in NO_VALUE:
            return "agent missing"
        agent_id = self._names.agent(entry.agent)
        event_id = self._line_id(agent_id, entry)
        events = self._auto_login(agent_id, entry, line, f"{event_id}:login")
        agent = self._agents[agent_id]
        if not agent.memberships:
            return f"agent {agent_id} is not logged in"
        agent.chosen = reason or ""
        # A PAUSE per queue repeats the same state: one event is enough.
        return self._state_change(
            agent_id, agent, entry, line=line, event_id=event_id, events=events
        )

    def _state_change(
        self,
        agent_id: str,
        agent: _Agent,
        entry: QueueLogLine,
        *,
        line: int,
        event_id: str,
        events: list[SourceEvent],
    ) -> list[SourceEvent] | Skip:
        """Send the agent's explicit state (outbound while on an outbound call) if new."""
        wanted = OUTBOUND if agent.outbound_calls else _explicit(agent.chosen)
        if wanted == _explicit(agent.sent):
            return events or Skip(f"{entry.event} (no change)")
        agent.sent = wanted
        reason = cast(NotReadyReason, wanted) if wanted else None
        events.append(records.agent_state(event_id, entry.ts, agent_id, reason, line=line))
        return events

    def _outbound(
        self, entry: QueueLogLine, line: int, *, start: bool
    ) -> list[SourceEvent] | Skip | str:
        """An outbound call of an agent: `not_ready` reason `outbound`, which the engines
        count as busy time (kpi-semantics §4), never a queue contact. Keyed by the line's
        callid (the outbound call's uniqueid)."""
        if entry.agent in NO_VALUE:
            return "agent missing"
        if entry.callid in NO_VALUE:
            return "callid missing"
        agent_id = self._names.agent(entry.agent)
        event_id = self._line_id(entry.callid, entry)
        events: list[SourceEvent] = []
        if start:
            events = self._auto_login(agent_id, entry, line, f"{event_id}:login")
            agent = self._agents[agent_id]
            if not agent.memberships:
                return f"agent {agent_id} is not logged in"
            agent.outbound_calls.add(entry.callid)
        else:
            agent = self._agents.setdefault(agent_id, _Agent())
            if entry.callid not in agent.outbound_calls:
                return f"outbound call {entry.callid} of {agent_id} was not started"
            agent.outbound_calls.discard(entry.callid)
        return self._state_change(
            agent_id, agent, entry, line=line, event_id=event_id, events=events
        )
