"""Ids and names are checked at parse time: length, characters, reserved names; both engines
refuse the same lines, and the configuration follows the same rule."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from pipeline.compare import snapshot_differences
from pipeline.engine import DeadLetter
from pipeline.parse import parse_chunk
from pipeline.reference import reference_snapshot
from pipeline.runner import engine_snapshot
from schemas.config import ConfigError, Settings, parse_settings
from schemas.events import InvalidEvent, parse_event

LOGIN: dict[str, Any] = {
    "event_id": "e1",
    "ts": "2026-03-02T09:00:00+08:00",
    "type": "agent.login",
    "agent_id": "a001",
    "team": "bj_claims_a",
    "site": "beijing",
}
OFFERED: dict[str, Any] = {
    "event_id": "e2",
    "ts": "2026-03-02T09:00:01+08:00",
    "type": "contact.offered",
    "contact_id": "c1",
    "channel": "voice",
    "queue": "claims_report",
}
CONTROL = "must not contain control or bidi characters"


def _reason(body: dict[str, Any]) -> str:
    with pytest.raises(InvalidEvent) as error:
        parse_event(json.dumps(body).encode())
    return error.value.reason


EDGE = "must not start or end with a space, nor hold two spaces in a row"
OTHER_SPACE = "must not contain whitespace other than single spaces"


def test_names_with_single_spaces_between_words_are_accepted() -> None:
    # Real PBXs name members and queues this way (Asterisk `ADDMEMBER ... John Smith`).
    event = parse_event(
        json.dumps(dict(LOGIN, agent_id="John Smith", team="Claims Team 2")).encode()
    )
    assert (event.agent_id, event.team) == ("John Smith", "Claims Team 2")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (dict(LOGIN, agent_id="a\u202e100"), f"agent_id: {CONTROL} (found U+202E)"),
        (dict(LOGIN, agent_id="a\x00"), f"agent_id: {CONTROL} (found U+0000)"),
        (dict(LOGIN, agent_id="a\x1b[31m"), f"agent_id: {CONTROL} (found U+001B)"),
        (dict(LOGIN, agent_id="a001\nINFO forged"), f"agent_id: {CONTROL} (found U+000A)"),
        (dict(LOGIN, agent_id="a\r1"), f"agent_id: {CONTROL} (found U+000D)"),
        (dict(LOGIN, agent_id="a\u200b1"), f"agent_id: {CONTROL} (found U+200B)"),
        (dict(LOGIN, agent_id="\u2066a1"), f"agent_id: {CONTROL} (found U+2066)"),
        (dict(LOGIN, agent_id="   "), f"agent_id: {EDGE}"),
        (dict(LOGIN, agent_id=" a1"), f"agent_id: {EDGE}"),
        (dict(LOGIN, agent_id="a1 "), f"agent_id: {EDGE}"),
        (dict(LOGIN, agent_id="a  1"), f"agent_id: {EDGE}"),
        (dict(LOGIN, team="\u3000"), f"team: {OTHER_SPACE} (found U+3000)"),
        (dict(LOGIN, team="a\u00a0b"), f"team: {OTHER_SPACE} (found U+00A0)"),
        (dict(LOGIN, agent_id="a" * 65), "agent_id: String should have at most 64 characters"),
        (dict(LOGIN, team="t" * 65), "team: String should have at most 64 characters"),
        (
            dict(LOGIN, site="@all"),
            "site: must not start with '@' (reserved for the dashboard's tiles)",
        ),
        (
            dict(LOGIN, team="@all"),
            "team: must not start with '@' (reserved for the dashboard's tiles)",
        ),
        (
            dict(OFFERED, queue="@all"),
            "queue: must not start with '@' (reserved for the dashboard's tiles)",
        ),
        (dict(OFFERED, queue="q\u202e"), f"queue: {CONTROL} (found U+202E)"),
        (
            dict(OFFERED, contact_id="c" * 129),
            "contact_id: String should have at most 128 characters",
        ),
        (dict(OFFERED, event_id="e\x07"), f"event_id: {CONTROL} (found U+0007)"),
        (dict(OFFERED, customer_id="138\x00"), f"customer_id: {CONTROL} (found U+0000)"),
    ],
)
def test_hostile_id_is_refused_naming_field_and_code_point(
    body: dict[str, Any], reason: str
) -> None:
    assert _reason(body) == reason


@pytest.mark.parametrize(
    "body",
    [
        dict(LOGIN, agent_id="a" * 64, team="t" * 64, site="s" * 64),
        dict(LOGIN, agent_id="Agent/1001", team="理赔一组", site="北京"),
        dict(LOGIN, agent_id="ann@corp.example"),  # "@" only reserved at the start of places
        dict(OFFERED, contact_id="1001.1:2", event_id="1999-08-01:AA0204:43678"),
        dict(OFFERED, customer_id="+86 138 0013 8000"),  # a phone number keeps its spaces
    ],
)
def test_ordinary_ids_are_accepted(body: dict[str, Any]) -> None:
    assert parse_event(json.dumps(body).encode()).event_id == body["event_id"]


def test_parse_step_dead_letter_holds_reason_and_no_raw_control_character() -> None:
    line = json.dumps(dict(LOGIN, agent_id="a\u202e001")).encode()
    [dead] = parse_chunk([(7, line)])
    assert isinstance(dead, DeadLetter)
    assert (dead.seq, dead.reason) == (7, f"agent_id: {CONTROL} (found U+202E)")
    # json.dumps wrote the character as the \u202e escape: the kept raw line is inert.
    assert "\u202e" not in dead.raw and "\\u202e" in dead.raw


def test_engine_and_reference_refuse_the_same_hostile_lines() -> None:
    good = [
        dict(LOGIN),
        dict(OFFERED),
        dict(OFFERED, event_id="e3", contact_id="c2", ts="2026-03-02T09:00:02+08:00"),
    ]
    hostile = [
        dict(LOGIN, event_id="h1", agent_id="a\u202e9"),
        dict(LOGIN, event_id="h2", agent_id="x" * 65),
        dict(OFFERED, event_id="h3", contact_id="c9", queue="@all"),
        dict(OFFERED, event_id="h4", contact_id="c8", queue="q\nq"),
        dict(LOGIN, event_id="h5", agent_id="a002", team=" "),
    ]
    lines = [json.dumps(body).encode() for body in [*good, *hostile]]
    at = datetime.fromisoformat("2026-03-02T09:05:00+08:00")
    stream = engine_snapshot(lines, at, Settings())
    batch = reference_snapshot(lines, at, Settings())
    assert snapshot_differences(stream, batch) == []
    assert sorted(stream["agents"]) == ["a001"]  # type: ignore[call-overload]
    assert sorted(stream["queues"]) == ["claims_report"]  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"queues": {"@all": {}}},
            "config: queues.@all.[key]: Value error, must not start with '@' "
            "(reserved for the dashboard's tiles)",
        ),
        (
            {"teams": {"t\u202e": {}}},
            "config: teams.t\u202e.[key]: Value error, "
            "must not contain control or bidi characters (found U+202E)",
        ),
        (
            {"queues": {"q1": {"name_en": "Claims\n@all"}}},
            "config: queues.q1.name_en: Value error, "
            "must not contain control or bidi characters (found U+000A)",
        ),
        (
            {"teams": {"t1": {"queues": ["@all"]}}},
            "config: teams.t1.queues.0: Value error, must not start with '@' "
            "(reserved for the dashboard's tiles)",
        ),
        (
            {"default_site": "@all"},
            "config: default_site: Value error, must not start with '@' "
            "(reserved for the dashboard's tiles)",
        ),
    ],
)
def test_configuration_follows_the_same_name_rule(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_settings(table)
    assert str(error.value) == message
