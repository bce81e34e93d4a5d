"""Event validation: each kind of invalid event is refused with a message naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipeline.cli import main
from schemas.events import InvalidEvent, parse_event

OFFERED: dict[str, Any] = {
    "event_id": "e1",
    "ts": "2026-03-02T09:00:00+08:00",
    "type": "contact.offered",
    "contact_id": "c1",
    "channel": "voice",
    "queue": "claims_report",
}


def _reason(body: dict[str, Any] | bytes) -> str:
    line = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(InvalidEvent) as error:
        parse_event(line)
    return error.value.reason


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "json: Invalid JSON: key must be a string at line 1 column 2"),
        (b"[1, 2]", "event: must be a JSON object"),
        ({k: v for k, v in OFFERED.items() if k != "type"}, "type: field required"),
        (
            dict(OFFERED, type="contact.teleported"),
            "type: unknown event type (expected one of contact.offered, contact.answered, "
            "contact.abandoned, contact.ended, contact.wrapup_ended, contact.self_served, "
            "agent.login, agent.logout, agent.state, survey.response)",
        ),
        (
            dict(OFFERED, ts="2026-03-02T09:00:00"),
            "ts: timestamp must carry a UTC offset (RFC 3339)",
        ),
        (
            dict(OFFERED, ts="yesterday"),
            "ts: Input should be a valid datetime, input is too short",
        ),
        ({k: v for k, v in OFFERED.items() if k != "queue"}, "queue: Field required"),
        (dict(OFFERED, channel="fax"), "channel: Input should be 'voice' or 'chat'"),
        (dict(OFFERED, contact_id=42), "contact_id: Input should be a valid string"),
        (dict(OFFERED, contact_id=""), "contact_id: String should have at least 1 character"),
        (
            {
                "event_id": "e2",
                "ts": "2026-03-02T09:05:00+08:00",
                "type": "survey.response",
                "contact_id": "c1",
                "score": 5,
            },
            "score: Input should be less than or equal to 4",
        ),
        (
            {
                "event_id": "e2",
                "ts": "2026-03-02T09:05:00+08:00",
                "type": "survey.response",
                "contact_id": "c1",
                "score": "4",
            },
            "score: Input should be a valid integer",
        ),
        (
            {
                "event_id": "e3",
                "ts": "2026-03-02T09:05:00+08:00",
                "type": "contact.ended",
                "contact_id": "c1",
                "agent_id": "a1",
                "hold_s": -3,
            },
            "hold_s: Input should be greater than or equal to 0",
        ),
        (
            {
                "event_id": "e4",
                "ts": "2026-03-02T09:05:00+08:00",
                "type": "agent.state",
                "agent_id": "a1",
                "state": "not_ready",
            },
            "reason: required when state is not_ready",
        ),
        (
            {
                "event_id": "e4",
                "ts": "2026-03-02T09:05:00+08:00",
                "type": "agent.state",
                "agent_id": "a1",
                "state": "ready",
                "reason": "break",
            },
            "reason: must be absent when state is ready",
        ),
        (
            {
                "event_id": "e4",
                "ts": "2026-03-02T09:05:00+08:00",
                "type": "agent.state",
                "agent_id": "a1",
                "state": "not_ready",
                "reason": "nap",
            },
            "reason: Input should be 'break', 'lunch', 'training', 'meeting', 'coaching', "
            "'system', 'other' or 'outbound'",
        ),
        (b"x" * 70_000, "line: longer than 65536 bytes"),
    ],
)
def test_invalid_event_is_refused_naming_the_field(
    body: dict[str, Any] | bytes, reason: str
) -> None:
    assert _reason(body) == reason


def test_unknown_extra_fields_are_ignored() -> None:
    event = parse_event(json.dumps(dict(OFFERED, ani="+8613800000000")).encode())
    assert event.model_dump(exclude_none=True) == {
        **{k: v for k, v in OFFERED.items() if k != "ts"},
        "ts": event.ts,
    }


def test_schema_command_prints_the_event_union(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert sorted(schema["discriminator"]["mapping"]) == [
        "agent.login",
        "agent.logout",
        "agent.state",
        "contact.abandoned",
        "contact.answered",
        "contact.ended",
        "contact.offered",
        "contact.self_served",
        "contact.wrapup_ended",
        "survey.response",
    ]
