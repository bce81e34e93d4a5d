"""Event models: the input contract of `kpi-spec.md` §1.

Every event is one JSON object per line. Timestamps are RFC 3339 and must carry an offset;
they are kept as timezone-aware datetimes. Durations are seconds. Unknown extra fields are
ignored; everything else that does not fit is rejected by `parse_event` with a message that
names the field.
"""

from __future__ import annotations

from typing import Annotated, Literal

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

Channel = Literal["voice", "chat"]
Disposition = Literal["completed", "transferred", "dropped"]
# `outbound`: an outbound call outside the queues (an importer extension, docs/adapters.md).
NotReadyReason = Literal[
    "break", "lunch", "training", "meeting", "coaching", "system", "other", "outbound"
]
AgentStateName = Literal["ready", "not_ready"]

# Identifiers: non-empty, no surrounding whitespace, bounded so a hostile line cannot
# make state grow without limit.
Ident = Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=False)]

MAX_LINE_BYTES = 64 * 1024


class _Event(BaseModel):
    # Strict: no "3" for 3, no 1 for "1". Validated from JSON, where strict mode still
    # reads RFC 3339 strings as datetimes.
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    event_id: Ident
    ts: AwareDatetime


class ContactOffered(_Event):
    type: Literal["contact.offered"]
    contact_id: Ident
    channel: Channel
    queue: Ident
    customer_id: Ident | None = None
    parent_contact_id: Ident | None = None


class ContactAnswered(_Event):
    type: Literal["contact.answered"]
    contact_id: Ident
    agent_id: Ident


class ContactAbandoned(_Event):
    type: Literal["contact.abandoned"]
    contact_id: Ident


class ContactEnded(_Event):
    type: Literal["contact.ended"]
    contact_id: Ident
    agent_id: Ident
    hold_s: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    disposition: Disposition = "completed"


class ContactWrapupEnded(_Event):
    type: Literal["contact.wrapup_ended"]
    contact_id: Ident
    agent_id: Ident


class ContactSelfServed(_Event):
    type: Literal["contact.self_served"]
    contact_id: Ident
    channel: Channel
    queue: Ident | None = None


class AgentLogin(_Event):
    type: Literal["agent.login"]
    agent_id: Ident
    team: Ident
    site: Ident
    shift_start: AwareDatetime | None = None
    shift_end: AwareDatetime | None = None


class AgentLogout(_Event):
    type: Literal["agent.logout"]
    agent_id: Ident
    reason: Annotated[str, StringConstraints(max_length=256)] | None = None


class AgentState(_Event):
    type: Literal["agent.state"]
    agent_id: Ident
    state: AgentStateName
    reason: NotReadyReason | None = None

    @model_validator(mode="after")
    def _reason_only_when_not_ready(self) -> AgentState:
        if self.state == "not_ready" and self.reason is None:
            msg = "reason: required when state is not_ready"
            raise ValueError(msg)
        if self.state == "ready" and self.reason is not None:
            msg = "reason: must be absent when state is ready"
            raise ValueError(msg)
        return self


class SurveyResponse(_Event):
    type: Literal["survey.response"]
    contact_id: Ident
    score: Annotated[int, Field(ge=1, le=4)]


Event = Annotated[
    ContactOffered
    | ContactAnswered
    | ContactAbandoned
    | ContactEnded
    | ContactWrapupEnded
    | ContactSelfServed
    | AgentLogin
    | AgentLogout
    | AgentState
    | SurveyResponse,
    Field(discriminator="type"),
]

EVENT_TYPES: tuple[str, ...] = (
    "contact.offered",
    "contact.answered",
    "contact.abandoned",
    "contact.ended",
    "contact.wrapup_ended",
    "contact.self_served",
    "agent.login",
    "agent.logout",
    "agent.state",
    "survey.response",
)

# Canonical order among events with the same timestamp (docs/kpi-semantics.md §1).
CANONICAL_RANK: dict[str, int] = {
    "agent.login": 0,
    "agent.state": 1,
    "contact.offered": 2,
    "contact.self_served": 2,
    "contact.answered": 3,
    "contact.abandoned": 3,
    "contact.ended": 4,
    "contact.wrapup_ended": 5,
    "survey.response": 6,
    "agent.logout": 7,
}

_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


class InvalidEvent(ValueError):
    """A line that is not a valid event; `reason` says which field and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False, include_input=False):
        kind = item["type"]
        if kind == "json_invalid":
            return f"json: {item['msg']}"
        if kind in {"model_attributes_type", "model_type", "dict_type"}:
            return "event: must be a JSON object"
        if kind == "union_tag_not_found":
            return "type: field required"
        if kind == "union_tag_invalid":
            return "type: unknown event type (expected one of " + ", ".join(EVENT_TYPES) + ")"
        loc = [str(p) for p in item["loc"]]
        # The discriminated union adds the type tag as the first location element.
        if loc and loc[0] in EVENT_TYPES:
            loc = loc[1:]
        message = item["msg"]
        if kind == "timezone_aware":
            message = "timestamp must carry a UTC offset (RFC 3339)"
        if kind == "value_error":
            # Our own validators already name the field: "reason: required when ...".
            parts.append(message.removeprefix("Value error, "))
            continue
        field = ".".join(loc) or "event"
        parts.append(f"{field}: {message}")
    return "; ".join(parts)


def parse_event(line: str | bytes) -> Event:
    """Parse one JSON line into an event, or raise `InvalidEvent` naming the bad field."""
    if len(line) > MAX_LINE_BYTES:
        msg = f"line: longer than {MAX_LINE_BYTES} bytes"
        raise InvalidEvent(msg)
    try:
        return _EVENT_ADAPTER.validate_json(line)
    except ValidationError as exc:
        raise InvalidEvent(_describe(exc)) from None


def event_to_json(event: Event) -> bytes:
    """Serialise an event as one JSON line (no newline), omitting unset optional fields."""
    return orjson.dumps(event.model_dump(mode="json", exclude_none=True))


def event_json_schema() -> dict[str, object]:
    """JSON Schema of the event union, for integrators (`wallboard schema`)."""
    return _EVENT_ADAPTER.json_schema()
