"""Asterisk `queue_log` lines to our events.

A line is `epoch|callid|queuename|agent|event|data1|data2|...` (epoch in Unix seconds).
The field meanings per event (Asterisk's queue_log documentation) and what we make of
them are tabled in `docs/adapters.md`. Times are taken from the line's epoch, written in
the configured time zone. Asterisk's "holdtime" is the caller's wait in the queue, not
on-hold time during the conversation, so it never becomes our `hold_s`.

The mapper keeps a little state, so it must see the log from its start, in order:
which queue visit each call is on (a call transferred back into a queue keeps its callid
and becomes a new contact whose `parent_contact_id` is the previous visit), who answered
it, and which agents are logged in and in which explicit state.

Event ids are `<callid>:<EVENT>:<n>` (n counts that event for that callid, from 1); for
agent-level lines whose callid is `NONE` the agent name stands in for the callid. The
`contact.wrapup_ended` sent with each end gets `:wrapup` appended, an automatic login
`<agent>:AUTOLOGIN:<n>`.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from pipeline.adapters import records
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
# call stays in the queue and its outcome comes later), server and call annotations.
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
# Membership that an AGENTLOGIN grants (as opposed to one queue's ADDMEMBER).
AGENT_CHANNEL = "@agentlogin"
# Membership of an agent we logged in automatically (a static queue member).
STATIC_MEMBER = "@static"
MAX_TRACKED_CALLS = 200_000


@dataclass
class _Call:
    """One callid: its current queue visit and what happened in it."""

    visit: int
    contact_id: str
    queue: str
    answered_by: str | None = None
    outcome_seen: bool = False
    ended: bool = False
    occurrences: Counter[str] = field(default_factory=Counter)

    @property
    def finished(self) -> bool:
        """Abandoned, or answered and ended: the call may enter a queue again."""
        return self.outcome_seen and (self.ended or self.answered_by is None)


@dataclass
class _Agent:
    memberships: set[str] = field(default_factory=set)
    # Latest explicit state sent since login: None = none yet, "" = ready, else the reason.
    explicit: str | None = None
    occurrences: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class QueueLogLine:
    """The fields of one queue_log line."""

    ts: datetime
    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]

    def datum(self, index: int) -> str:
        """data1 is `datum(1)`; missing fields read as ''."""
        return self.data[index - 1].strip() if len(self.data) >= index else ""


def parse_queue_log_line(raw: str, zone: tzinfo) -> QueueLogLine | str:
    """Split a line; a string result is the reason it cannot be read."""
    parts = raw.split("|")
    if len(parts) < 5:
        return f"fields: expected epoch|callid|queue|agent|event[|data...], got {len(parts)}"
    epoch_text = parts[0].strip()
    try:
        epoch = float(epoch_text)
    except ValueError:
        return f"epoch: not a Unix time: {epoch_text!r}"
    if not 0 < epoch < 32503680000:  # before year 3000
        return f"epoch: out of range: {epoch_text!r}"
    event = parts[4].strip().upper()
    if not event:
        return "event: empty"
    return QueueLogLine(
        ts=from_epoch(epoch, zone),
        callid=parts[1].strip(),
        queue=parts[2].strip(),
        agent=parts[3].strip(),
        event=event,
        data=tuple(parts[5:]),
    )


class QueueLogMapper:
    """Maps queue_log lines, in log order, to events (see the module docstring)."""

    def __init__(self, settings: Settings, zone: tzinfo | None = None) -> None:
        self._settings = settings
        self._asterisk = settings.importers.asterisk
        self._zone = zone if zone is not None else settings.zone
        self._calls: OrderedDict[str, _Call] = OrderedDict()
        self._agents: dict[str, _Agent] = {}

    def map_line(self, raw: str, line: int) -> Mapped:
        """Events for one line, a dead letter with the reason, or a counted skip."""
        if not raw.strip():
            return Skip("blank line")
        parsed = parse_queue_log_line(raw, self._zone)
        if isinstance(parsed, str):
            return DeadLetter(parsed, raw, line)
        result = self._dispatch(parsed, line)
        if isinstance(result, str):
            return DeadLetter(f"{parsed.event}: {result}", raw, line)
        return checked(result, raw, line)

    def _dispatch(self, entry: QueueLogLine, line: int) -> list[SourceEvent] | Skip | str:
        event = entry.event
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
            return self._join(entry, line, AGENT_CHANNEL)
        if event in MEMBER_ADD_EVENTS:
            if entry.queue in NO_VALUE:
                return "queue missing"
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

    # Calls

    def _event_id(self, key: str, occurrences: Counter[str], event: str) -> str:
        occurrences[event] += 1
        return f"{key}:{event}:{occurrences[event]}"

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
        if previous is not None:
            call.occurrences = previous.occurrences
        self._remember(entry.callid, call)
        caller = entry.datum(2)  # ENTERQUEUE: data1 = url, data2 = caller id, data3 = position
        return [
            records.offered(
                self._event_id(entry.callid, call.occurrences, entry.event),
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

    def _connect(self, entry: QueueLogLine, line: int) -> list[SourceEvent] | str:
        call = self._open_call(entry)
        if isinstance(call, str):
            return call
        if entry.agent in NO_VALUE:
            return "agent missing"
        if call.outcome_seen:
            return f"call {entry.callid} already answered or abandoned"
        call.outcome_seen = True
        call.answered_by = entry.agent
        events = self._auto_login(entry, line)
        events.append(
            records.answered(
                self._event_id(entry.callid, call.occurrences, entry.event),
                entry.ts,
                call.contact_id,
                entry.agent,
                line=line,
            )
        )
        return events

    def _end(self, entry: QueueLogLine, line: int, disposition: str) -> list[SourceEvent] | str:
        call = self._open_call(entry)
        if isinstance(call, str):
            return call
        if call.answered_by is None:
            return f"call {entry.callid} was not answered"
        if call.ended:
            return f"call {entry.callid} already ended"
        agent = call.answered_by if entry.agent in NO_VALUE else entry.agent
        call.ended = True
        event_id = self._event_id(entry.callid, call.occurrences, entry.event)
        return [
            records.ended(
                event_id,
                entry.ts,
                call.contact_id,
                agent,
                disposition="transferred" if disposition == "transferred" else "completed",
                line=line,
            ),
            # queue_log has no after-call work: wrap-up ends when the call does.
            records.wrapup_ended(f"{event_id}:wrapup", entry.ts, call.contact_id, agent, line=line),
        ]

    def _abandon(self, entry: QueueLogLine, line: int) -> list[SourceEvent] | str:
        call = self._open_call(entry)
        if isinstance(call, str):
            return call
        if call.outcome_seen:
            return f"call {entry.callid} already answered or abandoned"
        call.outcome_seen = True
        return [
            records.abandoned(
                self._event_id(entry.callid, call.occurrences, entry.event),
                entry.ts,
                call.contact_id,
                line=line,
            )
        ]

    # Agents

    def _agent_key(self, entry: QueueLogLine) -> str:
        return entry.agent if entry.callid in NO_VALUE else entry.callid

    def _team_and_site(self, agent: str, queue: str) -> tuple[str, str]:
        team = self._asterisk.agents.get(agent)
        if team is None:
            serving = self._settings.teams_serving(queue) if queue not in NO_VALUE else ()
            team = serving[0] if serving else self._asterisk.default_team
        override = self._settings.teams.get(team)
        site = override.site if override and override.site else self._settings.default_site
        return team, site

    def _login(self, entry: QueueLogLine, line: int, event_id: str) -> SourceEvent:
        team, site = self._team_and_site(entry.agent, entry.queue)
        return records.agent_login(event_id, entry.ts, entry.agent, team, site, line=line)

    def _auto_login(self, entry: QueueLogLine, line: int) -> list[SourceEvent]:
        agent = self._agents.setdefault(entry.agent, _Agent())
        if agent.memberships or not self._asterisk.auto_login:
            return []
        agent.memberships.add(STATIC_MEMBER)
        agent.explicit = None
        event_id = self._event_id(entry.agent, agent.occurrences, "AUTOLOGIN")
        return [self._login(entry, line, event_id)]

    def _join(
        self, entry: QueueLogLine, line: int, membership: str
    ) -> list[SourceEvent] | Skip | str:
        if entry.agent in NO_VALUE:
            return "agent missing"
        agent = self._agents.setdefault(entry.agent, _Agent())
        was_logged_in = bool(agent.memberships)
        event_id = self._event_id(self._agent_key(entry), agent.occurrences, entry.event)
        agent.memberships.add(membership)
        if was_logged_in:
            return Skip(f"{entry.event} (already logged in)")
        agent.explicit = None
        return [self._login(entry, line, event_id)]

    def _leave(
        self, entry: QueueLogLine, line: int, membership: str | None
    ) -> list[SourceEvent] | Skip | str:
        if entry.agent in NO_VALUE:
            return "agent missing"
        agent = self._agents.get(entry.agent)
        if agent is None or not agent.memberships:
            return f"agent {entry.agent} is not logged in"
        if membership is None:
            agent.memberships.clear()
        elif membership in agent.memberships:
            agent.memberships.discard(membership)
        elif agent.memberships != {STATIC_MEMBER}:
            return f"agent {entry.agent} is not a member of {membership!r}"
        else:
            # Logged in automatically (static member): leaving any queue logs it out.
            agent.memberships.clear()
        event_id = self._event_id(self._agent_key(entry), agent.occurrences, entry.event)
        if agent.memberships:
            return Skip(f"{entry.event} (still in other queues)")
        agent.explicit = None
        return [
            records.agent_logout(event_id, entry.ts, entry.agent, reason=entry.event, line=line)
        ]

    def _pause_reason(self, text: str) -> NotReadyReason:
        return self._asterisk.pause_reasons.get(text.strip().lower(), "other")

    def _set_state(
        self, entry: QueueLogLine, line: int, reason: NotReadyReason | None
    ) -> list[SourceEvent] | Skip | str:
        if entry.agent in NO_VALUE:
            return "agent missing"
        events = self._auto_login(entry, line)
        agent = self._agents[entry.agent]
        if not agent.memberships:
            return f"agent {entry.agent} is not logged in"
        wanted = reason or ""
        event_id = self._event_id(self._agent_key(entry), agent.occurrences, entry.event)
        if agent.explicit == wanted or (agent.explicit is None and reason is None):
            # A PAUSE per queue repeats the same state: one event is enough.
            return events or Skip(f"{entry.event} (no change)")
        agent.explicit = wanted
        events.append(records.agent_state(event_id, entry.ts, entry.agent, reason, line=line))
        return events
