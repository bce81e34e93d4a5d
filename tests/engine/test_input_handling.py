"""Dedupe, out-of-order arrival within the lateness, contextual dead letters, stats."""

from __future__ import annotations

import json
import pickle
import random
from typing import Any

from pipeline.engine import DeadLetter, FloorEngine
from schemas.events import event_to_json
from schemas.snapshot import Snapshot
from tests.engine.helpers import (
    T0,
    abandoned,
    answered,
    ended,
    ev,
    login,
    logout,
    offered,
    run,
    sample_settings,
    state,
    wrapup,
)
from tests.engine.test_agent_kpis import scenario as agent_scenario
from tests.engine.test_queue_kpis import scenario as queue_scenario


def combined() -> list[Any]:
    # Both stories share c1 and h1; keep the agent story's version of those.
    shared = {"c1", "h1"}
    events = agent_scenario() + [
        e for e in queue_scenario() if getattr(e, "contact_id", None) not in shared
    ]
    return sorted(events, key=lambda e: e.ts)


def test_duplicates_are_counted_once() -> None:
    events = combined()
    doubled = [e for event in events for e in (event, event)]
    engine, snap = run(doubled, 300)
    assert snap == run(events, 300)[1]
    assert engine.stats.duplicates_total == len(events)
    assert engine.stats.events_total == 2 * len(events)
    assert engine.drain().dead_letters == []


def _shuffle_within(events: list[Any], lateness_s: float, seed: int) -> list[Any]:
    # Delay each event by a random amount < lateness and re-sort by the delayed arrival.
    rng = random.Random(seed)
    keyed = [
        (e.ts.timestamp() + rng.uniform(0, lateness_s - 1), i, e) for i, e in enumerate(events)
    ]
    return [e for _k, _i, e in sorted(keyed)]


def test_out_of_order_within_lateness_gives_the_same_snapshot() -> None:
    events = combined() + [logout("a1", 400), ev("survey.response", 350, contact_id="h1", score=3)]
    expected = run(events, 500)[1]
    for seed in range(5):
        shuffled = _shuffle_within(events, 30, seed)
        assert shuffled != events
        assert run(shuffled, 500)[1] == expected


def test_out_of_order_answer_before_offer_waits_for_it() -> None:
    events = [answered("c1", 12, "a1"), offered("c1", 10), ended("c1", 30, "a1")]
    snap = run(events, 100)[1]
    assert snap["queues"]["claims_report"]["15m"]["answered"] == 1
    assert snap["queues"]["claims_report"]["15m"]["asa_s"] == 2.0


def _dead(events: list[Any], now: int) -> list[tuple[str, int]]:
    engine, _snap = run(events, now)
    return [(d.reason, d.seq) for d in engine.drain().dead_letters]


def test_each_contextual_rejection_is_a_dead_letter_with_its_reason() -> None:
    events = [
        login("a1", 0),
        login("a1", 1),  # 1: already logged in
        offered("c1", 2),
        offered("c1", 3),  # 3: offered twice
        answered("c1", 4, "a1"),
        abandoned("c1", 5),  # 5: second outcome
        ended("c1", 6, "a2"),  # 6: wrong agent
        ended("c1", 7, "a1"),
        ended("c1", 8, "a1"),  # 8: already ended
        wrapup("c1", 9, "a1"),
        ev("survey.response", 10, contact_id="c1", score=4),
        answered("zz", 11, "a1"),  # 11: never offered
        offered("c2", 12),
        abandoned("c2", 13),
        ended("c2", 14, "a1"),  # 14: not answered
        logout("a1", 15),
        logout("a1", 16),  # 16: not logged in
        state("a1", 17, "ready"),  # 17: not logged in
        offered("c3", 20),
        answered("c3", 19, "a1"),  # 19: before its offer
        ev("survey.response", 30, contact_id="c2", score=4),  # 20: c2 was abandoned
    ]
    assert sorted(_dead(events, 9000), key=lambda d: d[1]) == [
        ("agent.login: agent a1 is already logged in", 1),
        ("contact.offered: contact c1 was already offered", 3),
        ("contact.abandoned: contact c1 already has an outcome (answered)", 5),
        ("contact.ended: contact c1 was answered by a1, not a2", 6),
        ("contact.ended: contact c1 already ended", 8),
        ("contact.answered: contact zz was never offered", 11),
        ("contact.ended: contact c2 was abandoned, not answered", 14),
        ("agent.logout: agent a1 is not logged in", 16),
        ("agent.state: agent a1 is not logged in", 17),
        ("contact.answered: contact c3 outcome before its offer", 19),
        ("survey.response: contact c2 was abandoned, not answered", 20),
    ]


def test_survey_outside_its_window_or_repeated_is_rejected() -> None:
    events = [
        offered("c1", 0),
        answered("c1", 10, "a1"),
        ev("survey.response", 7210, contact_id="c1", score=4),  # answered + 7200: in
        ev("survey.response", 7211, contact_id="c1", score=1),  # 3: second response
        offered("c2", 7211),
        answered("c2", 7211, "a1"),
        ev("survey.response", 7211 + 7201, contact_id="c2", score=4),  # 6: too late
    ]
    assert _dead(events, 20000) == [
        ("survey.response: contact c1 already has a survey response", 3),
        ("survey.response: contact c2 survey after the 7200 s window", 6),
    ]


def test_dead_letter_carries_the_event_json() -> None:
    event = answered("zz", 11, "a1")
    engine, _ = run([event], 100)
    assert engine.drain().dead_letters == [
        DeadLetter(
            "contact.answered: contact zz was never offered", 0, event_to_json(event).decode()
        )
    ]
    assert engine.stats.dead_letters_total == 1


def test_late_agent_event_is_dead_lettered_and_late_contacts_still_count() -> None:
    engine = FloorEngine(sample_settings())
    engine.ingest(offered("c1", 100), 0)
    engine.ingest(login("a1", 69), 1)  # 100 - 69 = 31 > 30: late
    engine.ingest(offered("c2", 60), 2)  # late but counted
    engine.ingest(login("a2", 70), 3)  # exactly 30 behind: not late
    engine.finish()
    snap = engine.snapshot(T0 + 100)
    assert [(d.reason, d.seq) for d in engine.drain().dead_letters] == [("late", 1)]
    assert snap["queues"]["claims_report"]["15m"]["offered"] == 2
    assert sorted(snap["agents"]) == ["a2"]
    assert (engine.stats.late_total, engine.stats.watermark) == (2, T0 + 70)


def test_snapshot_is_exactly_the_schema_shape() -> None:
    events = combined() + [logout("a1", 400), login("a3", 410, team="cd_chat", site="chengdu")]
    events.append(state("a3", 420, "not_ready", "coaching"))
    snap = run(events, 500)[1]
    dumped = Snapshot.model_validate(snap).model_dump(by_alias=True)
    # Compared as JSON text so an int where a float belongs (1 vs 1.0) is caught.
    assert json.dumps(snap, sort_keys=True) == json.dumps(dumped, sort_keys=True)


def test_snapshot_of_an_empty_floor() -> None:
    snap = FloorEngine(sample_settings()).snapshot(T0)
    assert sorted(snap["queues"]) == [
        "chat_claims", "chat_service", "claims_report", "complaints", "new_policy_callback",
        "policy_service",
    ]
    assert (snap["agents"], snap["teams"], snap["alerts"]) == ({}, {}, [])
    assert snap["all"]["day"]["service_level"] is None
    assert snap["sites"]["chengdu"]["agents"]["staffed"] == 0


def test_stats_track_event_time() -> None:
    engine = FloorEngine(sample_settings())
    engine.ingest(offered("c1", 100), 0)
    # A replay's first event waits for one that fits its time (time gate, rule 4).
    assert engine.stats.last_event_ts is None
    engine.ingest(offered("c2", 110), 1)
    assert engine.stats.last_event_ts == T0 + 110
    assert engine.stats.watermark == T0 + 80


def test_engine_survives_pickling_mid_stream() -> None:
    events = combined()
    engine = FloorEngine(sample_settings())
    for seq, event in enumerate(events[:15]):
        engine.ingest(event, seq)
    engine.snapshot(T0 + 90)
    engine = pickle.loads(pickle.dumps(engine))
    for seq, event in enumerate(events[15:], start=15):
        engine.ingest(event, seq)
    engine.finish()
    assert engine.snapshot(T0 + 300) == run(events, 300)[1]
