"""Event models: the input contract of `kpi-spec.md` §1.

Every event is one JSON object per line. Timestamps are RFC 3339 and must carry an offset;
they are kept as timezone-aware datetimes. Durations are seconds. Unknown extra fields are
ignored; everything else that does not fit is rejected by `parse_event` with a message that
names the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

import orjson
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from schemas.text import code_point, first_unsafe

Channel = Literal["voice", "chat"]
Disposition = Literal["completed", "transferred", "dropped"]
# `outbound`: an outbound call outside the queues (an importer extension, docs/adapters.md);
# the engines count that state as busy time (docs/kpi-semantics.md §4).
NotReadyReason = Literal[
    "break", "lunch", "training", "meeting", "coaching", "system", "other", "outbound"
]
AgentStateName = Literal["ready", "not_ready"]

# Identifiers are shown on screens, sent to team chats, logged and built into Redis keys:
# bounded (a hostile line cannot make state grow without limit) and free of control and
# bidi characters (see `schemas.text`) and of whitespace other than single spaces between
# words. Record ids (event, contact, customer) may be longer than names (agent, queue,
# team, site), which people read.
MAX_ID_CHARS = 128
MAX_NAME_CHARS = 64
# Queue, team and site names starting with "@" are the dashboard's own (the floor tile is
# "@all"), so no event or configuration may use one.
RESERVED_NAME_PREFIX = "@"


def check_text(value: str) -> str:
    """`value` unless it holds an unsafe character (the reason names its code point)."""
    bad = first_unsafe(value)
    if bad is not None:
        msg = f"must not contain control or bidi characters (found {code_point(bad)})"
        raise ValueError(msg)
    return value


def check_ident(value: str) -> str:
    """`value` unless it holds an unsafe character or whitespace other than single spaces
    between words (real PBXs name members and queues "John Smith", "Sales Support")."""
    check_text(value)
    space = next((c for c in value if c.isspace() and c != " "), None)
    if space is not None:
        msg = f"must not contain whitespace other than single spaces (found {code_point(space)})"
        raise ValueError(msg)
    if value != value.strip(" ") or "  " in value:
        msg = "must not start or end with a space, nor hold two spaces in a row"
        raise ValueError(msg)
    return value


def check_place_name(value: str) -> str:
    """`check_ident`, and not starting with the reserved prefix `@`."""
    if value.startswith(RESERVED_NAME_PREFIX):
        msg = f"must not start with {RESERVED_NAME_PREFIX!r} (reserved for the dashboard's tiles)"
        raise ValueError(msg)
    return check_ident(value)


# The same rules as patterns, checked in pydantic's Rust core on every event (fast); the
# `check_*` functions above explain a mismatch (`_describe`) and check the configuration.
# (No Cs: Rust strings cannot hold a lone surrogate; JSON ones are refused as invalid.)
_UNSAFE_CLASSES = r"\p{Cc}\p{Cf}\p{Zl}\p{Zp}"
TEXT_PATTERN = rf"^[^{_UNSAFE_CLASSES}]*$"
# Words separated by single spaces: no other whitespace, none leading or trailing.
IDENT_PATTERN = rf"^[^\s{_UNSAFE_CLASSES}](?: ?[^\s{_UNSAFE_CLASSES}])*$"
PLACE_PATTERN = rf"^[^@\s{_UNSAFE_CLASSES}](?: ?[^\s{_UNSAFE_CLASSES}])*$"
_EXPLAIN: dict[str, Callable[[str], str]] = {
    TEXT_PATTERN: check_text,
    IDENT_PATTERN: check_ident,
    PLACE_PATTERN: check_place_name,
}

Ident = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS, pattern=IDENT_PATTERN)
]
Name = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_NAME_CHARS, pattern=IDENT_PATTERN)
]
# A customer's reference (masked in the parse step, never shown): spaces allowed, as in a
# phone number.
CustomerRef = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS, pattern=TEXT_PATTERN)
]
LogoutReason = Annotated[str, StringConstraints(max_length=256, pattern=TEXT_PATTERN)]
# Queue, team and site: a `Name` that is not reserved.
PlaceName = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_NAME_CHARS, pattern=PLACE_PATTERN)
]
# Names in configuration and roster files: the same rules, explained by pydantic.
ConfigName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_NAME_CHARS),
    AfterValidator(check_ident),
]
ConfigPlaceName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_NAME_CHARS),
    AfterValidator(check_place_name),
]

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
    queue: PlaceName
    customer_id: CustomerRef | None = None
    parent_contact_id: Ident | None = None


class ContactAnswered(_Event):
    type: Literal["contact.answered"]
    contact_id: Ident
    agent_id: Name


class ContactAbandoned(_Event):
    type: Literal["contact.abandoned"]
    contact_id: Ident


class ContactEnded(_Event):
    type: Literal["contact.ended"]
    contact_id: Ident
    agent_id: Name
    hold_s: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    disposition: Disposition = "completed"


class ContactWrapupEnded(_Event):
    type: Literal["contact.wrapup_ended"]
    contact_id: Ident
    agent_id: Name


class ContactSelfServed(_Event):
    type: Literal["contact.self_served"]
    contact_id: Ident
    channel: Channel
    queue: PlaceName | None = None


class AgentLogin(_Event):
    type: Literal["agent.login"]
    agent_id: Name
    team: PlaceName
    site: PlaceName
    shift_start: AwareDatetime | None = None
    shift_end: AwareDatetime | None = None


class AgentLogout(_Event):
    type: Literal["agent.logout"]
    agent_id: Name
    reason: LogoutReason | None = None


class AgentState(_Event):
    type: Literal["agent.state"]
    agent_id: Name
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
    for item in error.errors(include_url=False, include_input=True):
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
        if kind == "string_pattern_mismatch":
            message = _explain(str(item.get("ctx", {}).get("pattern")), item.get("input"))
        if kind == "value_error":
            # Model validators name the field themselves ("reason: required when ...");
            # field validators (ids) get it from the location.
            message = message.removeprefix("Value error, ")
            parts.append(f"{'.'.join(loc)}: {message}" if loc else message)
            continue
        field = ".".join(loc) or "event"
        parts.append(f"{field}: {message}")
    return "; ".join(parts)


def _explain(pattern: str, value: object) -> str:
    """Why `value` failed an id pattern, from the `check_*` function of that pattern."""
    check = _EXPLAIN.get(pattern)
    if check is None or not isinstance(value, str):
        return "has characters that are not allowed"
    try:
        check(value)
    except ValueError as error:
        return str(error)
    return "has characters that are not allowed"


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
