"""History points, agent timelines, live-mode snapshots and bounded state over a long day."""

from __future__ import annotations

import random
from typing import Any

from pipeline.engine import FloorEngine, TimelineRecord
from tests.engine.helpers import (
    T0,
    answered,
    at,
    ended,
    login,
    offered,
    run,
    sample_settings,
    state,
    wrapup,
)
from tests.engine.test_input_handling import _shuffle_within, combined
from tests.engine.test_queue_kpis import scenario as queue_scenario


def test_history_has_one_point_per_entity_per_minute() -> None:
    engine, _ = run(queue_scenario(), 300)
    history = engine.drain().history
    minutes = sorted({p.minute for p in history})
    assert minutes == [T0 + 60 * i for i in range(1, 6)]
    at_two = {(p.kind, p.entity_id): p.kpis for p in history if p.minute == T0 + 120}
    assert len(at_two) == len({(p.kind, p.entity_id) for p in history if p.minute == T0 + 60})
    claims = at_two[("queue", "claims_report")]
    assert sorted(claims) == ["15m", "interval"]
    # At 09:02:00: c1..c4 offered, c1 and c3 answered, c2 abandoned; c4 waiting 20 s.
    assert (claims["15m"]["offered"], claims["15m"]["answered"], claims["15m"]["in_queue"]) == (
        4,
        2,
        1,
    )
    assert claims["15m"]["longest_wait_s"] == 20.0
    assert at_two[("all", "")]["interval"]["offered"] == 5
    assert ("channel", "chat") in at_two and ("site", "chengdu") in at_two


def test_team_history_points_carry_agent_kpis() -> None:
    events = [login("a1", 0), state("a1", 30, "not_ready", "break"), offered("c1", 100)]
    engine, _ = run(events, 120)
    team = [p for p in engine.drain().history if p.kind == "team" and p.minute == T0 + 60]
    assert len(team) == 1
    assert team[0].entity_id == "bj_claims_a"
    assert team[0].kpis["15m"]["not_ready_by_reason_s"] == {"break": 30.0}
    assert team[0].kpis["15m"]["logged_in_s"] == 60.0


def test_timeline_lists_state_changes_and_finished_contacts() -> None:
    events = [
        login("a1", 0),
        offered("c1", 5),
        answered("c1", 10, "a1"),
        ended("c1", 40, "a1"),
        wrapup("c1", 45, "a1"),
    ]
    engine, _ = run(events, 100)
    timeline = engine.drain().timeline
    states = [(r.ts - T0, r.data["state"]) for r in timeline if r.kind == "state"]
    assert states == [(0, "ready"), (10, "busy"), (40, "acw"), (45, "ready")]
    contacts = [r for r in timeline if r.kind == "contact"]
    assert contacts == [
        TimelineRecord(
            "a1",
            T0 + 10,
            "contact",
            {
                "contact_id": "c1",
                "queue": "claims_report",
                "answered": at(10),
                "ended": at(40),
                "wrapup": at(45),
                "handle_s": 35.0,
            },
        )
    ]


def _live(events: list[Any], now: int) -> dict[str, Any]:
    engine = FloorEngine(sample_settings())
    for seq, event in enumerate(events):
        engine.ingest(event, seq)
        engine.snapshot(T0 + min(now, int(event.ts.timestamp()) - T0))
    return engine.snapshot(T0 + now)


def test_live_snapshots_are_current_to_now_and_order_insensitive() -> None:
    events = combined()
    expected = _live(events, 300)
    # Not finished: agent time is replayed provisionally up to now.
    assert expected["agents"]["a1"]["15m"]["logged_in_s"] == 300.0
    assert expected["agents"]["a1"]["state"] == "ready"
    for seed in range(3):
        assert _live(_shuffle_within(events, 30, seed), 300) == expected


def synthetic_day(hours: int = 24, seed: int = 7) -> list[Any]:
    """A contact every 30 s on two queues, four agents changing state every 10 min."""
    rng = random.Random(seed)
    events: list[Any] = []
    agents = ["s1", "s2", "s3", "s4"]
    for agent in agents:
        events.append(login(agent, -32000, team="bj_claims_a"))
    for minute in range(0, hours * 60, 10):
        for agent in agents:
            if rng.random() < 0.3:
                events.append(state(agent, minute * 60 - 32000, "not_ready", "break"))
            else:
                events.append(state(agent, minute * 60 - 32000, "ready"))
    for i in range(hours * 120):
        t = i * 30 - 32000
        cid = f"k{i}"
        agent = agents[i % 4]
        queue = "claims_report" if i % 2 else "policy_service"
        events += [offered(cid, t, queue=queue)]
        if rng.random() < 0.2:
            events.append(ev_abandon(cid, t + 7))
        else:
            events += [
                answered(cid, t + 8, agent),
                ended(cid, t + 20, agent),
                wrapup(cid, t + 25, agent),
            ]
    return sorted(events, key=lambda e: e.ts)


def ev_abandon(cid: str, t: float) -> Any:
    from tests.engine.helpers import abandoned

    return abandoned(cid, t)


def test_state_stays_bounded_over_a_day() -> None:
    events = synthetic_day()
    engine = FloorEngine(sample_settings())
    for seq, event in enumerate(events):
        engine.ingest(event, seq)
        if seq % 500 == 0:
            engine.snapshot(int(event.ts.timestamp()))
            engine.drain()
    # Dedupe ids cover two windows of 7200 s (~2,000 events here: a later event may be up
    # to one window older than the newest, and a duplicate one window from its first
    # copy); contacts 7,200 s (240 contacts).
    assert len(engine.seen) < 2800
    assert len(engine.contacts) < 300
    for counters in engine.queue_counters.values():
        assert len(counters.seconds) <= 3720 + 300 + 60
        assert len(counters.minutes) <= 70
        assert len(counters.days) <= 2
    for rates in engine.rates.values():
        assert len(rates.seconds) <= 3720 + 300 + 60
    for agent in engine.agents.values():
        assert len(agent.segments) < 200
        assert len(agent.day_totals) <= 2
        assert len(agent.pending) < 50
    assert sum(len(w) for w in engine.in_queue.values()) < 20
    assert len(engine.alerts.alerts) < 500


def test_history_at_a_minute_equals_the_snapshot_at_that_minute() -> None:
    from tests.engine.test_agent_kpis import scenario as agent_scenario

    engine, snap = run(agent_scenario(), 300)
    points = {(p.kind, p.entity_id): p.kpis for p in engine.drain().history if p.minute == T0 + 300}
    for team, entry in snap["teams"].items():
        assert points[("team", team)] == {"15m": entry["15m"], "interval": entry["interval"]}
    for queue, entry in snap["queues"].items():
        assert points[("queue", queue)] == {"15m": entry["15m"], "interval": entry["interval"]}
    assert points[("all", "")] == {"15m": snap["all"]["15m"], "interval": snap["all"]["interval"]}
