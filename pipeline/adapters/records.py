"""What an adapter produces for a source line: events, a dead letter, or a documented skip.

Events are built here, one function per event type, so every adapter writes the same
field names. Timestamps are timezone-aware datetimes; durations are seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

import orjson

from schemas.events import (
    CANONICAL_RANK,
    Channel,
    Disposition,
    InvalidEvent,
    NotReadyReason,
    parse_event,
)

FieldValue = str | float | None


@dataclass(frozen=True, slots=True)
class SourceEvent:
    """One of our events, before serialisation; `line` is the source line it came from."""

    event_id: str
    ts: datetime
    type: str
    fields: dict[str, FieldValue] = field(default_factory=dict)
    line: int = 0

    def to_dict(self, zone: tzinfo | None = None) -> dict[str, FieldValue]:
        """The JSON object; `ts` in `zone` when given, else in the zone it was built in."""
        moment = self.ts.astimezone(zone) if zone is not None else self.ts
        body: dict[str, FieldValue] = {
            "event_id": self.event_id,
            "ts": moment.isoformat(),
            "type": self.type,
        }
        body.update({key: value for key, value in self.fields.items() if value is not None})
        return body

    def to_json(self, zone: tzinfo | None = None) -> bytes:
        return orjson.dumps(self.to_dict(zone))

    def sort_key(self) -> tuple[datetime, int, str]:
        """Canonical order (docs/kpi-semantics.md §1), ties broken by event id."""
        return (self.ts, CANONICAL_RANK[self.type], self.event_id)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A source line that could not be mapped: `reason`, the `raw` text and its 1-based `line`."""

    reason: str
    raw: str
    line: int

    def to_json(self) -> bytes:
        return orjson.dumps({"reason": self.reason, "raw": self.raw, "line": self.line})


@dataclass(frozen=True, slots=True)
class Skip:
    """A line that is understood and deliberately produces no event (counted by `kind`)."""

    kind: str


Mapped = list[SourceEvent] | DeadLetter | Skip


def checked(result: Mapped, raw: str, line: int) -> Mapped:
    """`result`, unless one of its events fails `parse_event` (say an agent name longer
    than 128 characters in the source): then the whole source line is a dead letter, so
    a contact is never written half."""
    if not isinstance(result, list):
        return result
    for event in result:
        try:
            parse_event(event.to_json())
        except InvalidEvent as exc:
            return DeadLetter(f"{event.type}: {exc.reason}", raw, line)
    return result


def offered(
    event_id: str,
    ts: datetime,
    contact_id: str,
    channel: Channel,
    queue: str,
    *,
    customer_id: str | None = None,
    parent_contact_id: str | None = None,
    line: int = 0,
) -> SourceEvent:
    return SourceEvent(
        event_id,
        ts,
        "contact.offered",
        {
            "contact_id": contact_id,
            "channel": channel,
            "queue": queue,
            "customer_id": customer_id,
            "parent_contact_id": parent_contact_id,
        },
        line,
    )


def answered(
    event_id: str, ts: datetime, contact_id: str, agent_id: str, *, line: int = 0
) -> SourceEvent:
    fields: dict[str, FieldValue] = {"contact_id": contact_id, "agent_id": agent_id}
    return SourceEvent(event_id, ts, "contact.answered", fields, line)


def abandoned(event_id: str, ts: datetime, contact_id: str, *, line: int = 0) -> SourceEvent:
    return SourceEvent(event_id, ts, "contact.abandoned", {"contact_id": contact_id}, line)


def ended(
    event_id: str,
    ts: datetime,
    contact_id: str,
    agent_id: str,
    *,
    disposition: Disposition = "completed",
    hold_s: float | None = None,
    line: int = 0,
) -> SourceEvent:
    fields: dict[str, FieldValue] = {
        "contact_id": contact_id,
        "agent_id": agent_id,
        "hold_s": hold_s,
        "disposition": disposition,
    }
    return SourceEvent(event_id, ts, "contact.ended", fields, line)


def wrapup_ended(
    event_id: str, ts: datetime, contact_id: str, agent_id: str, *, line: int = 0
) -> SourceEvent:
    fields: dict[str, FieldValue] = {"contact_id": contact_id, "agent_id": agent_id}
    return SourceEvent(event_id, ts, "contact.wrapup_ended", fields, line)


def self_served(
    event_id: str,
    ts: datetime,
    contact_id: str,
    channel: Channel,
    queue: str | None,
    *,
    line: int = 0,
) -> SourceEvent:
    fields: dict[str, FieldValue] = {"contact_id": contact_id, "channel": channel, "queue": queue}
    return SourceEvent(event_id, ts, "contact.self_served", fields, line)


def agent_login(
    event_id: str, ts: datetime, agent_id: str, team: str, site: str, *, line: int = 0
) -> SourceEvent:
    fields: dict[str, FieldValue] = {"agent_id": agent_id, "team": team, "site": site}
    return SourceEvent(event_id, ts, "agent.login", fields, line)


def agent_logout(
    event_id: str, ts: datetime, agent_id: str, *, reason: str | None = None, line: int = 0
) -> SourceEvent:
    fields: dict[str, FieldValue] = {"agent_id": agent_id, "reason": reason}
    return SourceEvent(event_id, ts, "agent.logout", fields, line)


def agent_state(
    event_id: str,
    ts: datetime,
    agent_id: str,
    reason: NotReadyReason | None,
    *,
    line: int = 0,
) -> SourceEvent:
    """`reason=None` means ready; a reason means not_ready for that reason."""
    fields: dict[str, FieldValue] = {
        "agent_id": agent_id,
        "state": "ready" if reason is None else "not_ready",
        "reason": reason,
    }
    return SourceEvent(event_id, ts, "agent.state", fields, line)
