"""Entity caps (`[limits]`): hand-worked at the boundary, the same in both engines."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson

from pipeline.compare import snapshot_differences
from pipeline.engine import FloorEngine
from pipeline.floor_logic import FloorLogic
from pipeline.parse import ParsedEvent
from pipeline.reference import reference_snapshot
from pipeline.runner import engine_snapshot
from schemas.config import ConfigError, Settings, parse_settings
from schemas.events import parse_event

T0 = datetime.fromisoformat("2026-03-02T09:00:00+08:00")
AT = T0 + timedelta(seconds=60)


def _line(n: int, kind: str, **fields: Any) -> bytes:
    ts = (T0 + timedelta(seconds=n)).isoformat()
    return orjson.dumps({"event_id": f"e{n}", "ts": ts, "type": kind, **fields})


def _offered(n: int, cid: str, queue: str) -> bytes:
    return _line(n, "contact.offered", contact_id=cid, queue=queue, channel="voice")


def _login(n: int, agent: str, team: str, site: str) -> bytes:
    return _line(n, "agent.login", agent_id=agent, team=team, site=site)


# One queue configured, room for one more; two agents; one team; the default site "main"
# configured, room for one more.
CAPPED = parse_settings(
    {
        "queues": {"conf": {}},
        "limits": {"max_queues": 2, "max_agents": 2, "max_teams": 1, "max_sites": 2},
    }
)
LINES = [
    _offered(1, "c1", "conf"),  # configured: held from the start
    _offered(2, "c2", "x"),  # 2nd queue: held
    _offered(3, "c3", "y"),  # 3rd queue: refused
    _offered(4, "c4", "x"),
    _login(5, "a1", "T1", "main"),  # a1 (1 of 2 agents) and T1 (1 of 1 team) held
    _login(6, "a2", "T2", "s2"),  # a2 and s2 held, T2 refused: the login is refused
    _login(7, "a3", "T1", "main"),  # 3rd agent: refused
    _line(9, "contact.answered", contact_id="c1", agent_id="a1"),
    _line(10, "contact.answered", contact_id="c2", agent_id="a3"),  # a3 not held
    _login(11, "a2", "T1", "s2"),  # everything held now
    _line(12, "contact.self_served", contact_id="c5", channel="voice", queue="z"),  # refused
    _line(13, "contact.self_served", contact_id="c6", channel="voice"),  # names no queue
]


def _dead_letters(lines: list[bytes], settings: Settings) -> tuple[list[tuple[int, str]], Any]:
    engine = FloorEngine(settings)
    for seq, line in enumerate(lines):
        engine.ingest(parse_event(line), seq)
    engine.finish()
    engine.snapshot(int(AT.timestamp()))
    letters = [(d.seq, d.reason) for d in engine.drain().dead_letters]
    return letters, engine.stats


def test_events_naming_an_entity_beyond_its_cap_are_dead_letters_with_the_cap_named() -> None:
    letters, stats = _dead_letters(LINES, CAPPED)
    assert letters == [
        (2, "queue: 'y' refused: the cap of 2 distinct queues is reached (limits.max_queues)"),
        (5, "team: 'T2' refused: the cap of 1 distinct teams is reached (limits.max_teams)"),
        (6, "agent: 'a3' refused: the cap of 2 distinct agents is reached (limits.max_agents)"),
        (8, "agent: 'a3' refused: the cap of 2 distinct agents is reached (limits.max_agents)"),
        (10, "queue: 'z' refused: the cap of 2 distinct queues is reached (limits.max_queues)"),
    ]
    assert stats.entities_refused == {"queue": 2, "agent": 2, "team": 1, "site": 0}


def test_the_snapshot_holds_only_entities_within_the_caps_in_both_engines() -> None:
    stream = engine_snapshot(LINES, AT, CAPPED)
    batch = reference_snapshot(LINES, AT, CAPPED)
    assert snapshot_differences(stream, batch) == []
    assert sorted(batch["queues"]) == ["conf", "x"]
    assert batch["queues"]["x"]["day"]["offered"] == 2
    assert batch["queues"]["conf"]["day"]["answered"] == 1
    assert batch["all"]["day"]["offered"] == 3
    assert batch["all"]["day"]["answered"] == 1
    assert batch["all"]["day"]["self_served"] == 1
    assert {a: e["state"] for a, e in batch["agents"].items()} == {"a1": "busy", "a2": "ready"}
    assert {a: e["team"] for a, e in batch["agents"].items()} == {"a1": "T1", "a2": "T1"}
    assert sorted(batch["teams"]) == ["T1"]
    assert sorted(batch["sites"]) == ["main", "s2"]


def test_only_configured_queues_are_accepted_when_unconfigured_ones_are_not() -> None:
    closed = parse_settings(
        {"queues": {"conf": {}}, "limits": {"accept_unconfigured_queues": False}}
    )
    lines = [_offered(1, "c1", "conf"), _offered(2, "c2", "x")]
    letters, stats = _dead_letters(lines, closed)
    assert letters == [
        (1, "queue: 'x' is not configured (limits.accept_unconfigured_queues = false)")
    ]
    assert stats.entities_refused["queue"] == 1
    stream = engine_snapshot(lines, AT, closed)
    batch = reference_snapshot(lines, AT, closed)
    assert snapshot_differences(stream, batch) == []
    assert sorted(batch["queues"]) == ["conf"]


def test_a_cap_below_the_configured_names_is_a_config_error() -> None:
    try:
        parse_settings({"queues": {"a": {}, "b": {}}, "limits": {"max_queues": 1}})
    except ConfigError as error:
        assert "limits.max_queues: 1 is below the 2 configured queues" in str(error)
    else:
        raise AssertionError("expected a ConfigError")


def test_default_caps_suit_a_national_hotline() -> None:
    limits = Settings().limits
    assert (limits.max_queues, limits.max_agents, limits.max_teams, limits.max_sites) == (
        500,
        20_000,
        2_000,
        100,
    )
    assert limits.accept_unconfigured_queues is True


def test_the_heartbeat_counts_refused_events_by_kind() -> None:
    logic = FloorLogic(CAPPED, "event", AT.timestamp(), None, recovery=False)
    logic.on_item([ParsedEvent(seq, parse_event(line)) for seq, line in enumerate(LINES)])
    [tick], _ = logic.on_eof()
    assert tick.heartbeat["entities_refused"] == {"queue": 2, "agent": 2, "team": 1, "site": 0}
    assert tick.heartbeat["dead_letters_total"] == 5
