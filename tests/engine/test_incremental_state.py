"""The engine's incremental structures give exactly what a scan from scratch gives.

Waiting lines (`in_queue` / `longest_wait_s`), the provisional agent replay and the shown
alert list are kept up to date as events arrive instead of being recomputed every tick
(issue 7); these tests pin them to the plain computation, including the cases that make
them tricky: outcomes after `now`, events out of order, `now` going back, pickling.
"""

from __future__ import annotations

import dataclasses
import pickle
import random

from pipeline.engine.agents import AgentCore, AgentTimeline, Segment, Transition, step
from pipeline.engine.alerts import AlertBook, export
from pipeline.engine.waiting import WaitingLine
from tests.engine.helpers import T0, ZONE, abandoned, answered, offered, run

# ---------------------------------------------------------------- waiting lines


def _scan(line: WaitingLine, now: int) -> list[tuple[str, float]]:
    """The plain definition: every entry with `offered <= now < outcome`."""
    return sorted(
        (cid, offered)
        for cid, (offered, outcome) in line.entries.items()
        if offered <= now < outcome
    )


def test_waiting_line_counts_contacts_whose_outcome_comes_after_now() -> None:
    line = WaitingLine()
    line.offered("c1", 100.0)
    line.offered("c2", 101.5)
    line.offered("c3", 105.0)  # offered after `now` = 104
    line.left("c1", 104.5)  # answered within second 104, after `now`
    line.left("c2", 103.0)  # answered before `now`
    assert sorted(line.waiting_at(104)) == [("c1", 100.0)]
    assert sorted(line.waiting_at(103)) == [("c1", 100.0)]
    assert sorted(line.waiting_at(102)) == [("c1", 100.0), ("c2", 101.5)]
    assert sorted(line.waiting_at(105)) == [("c3", 105.0)]


def test_waiting_line_reads_a_contact_offered_again_once() -> None:
    line = WaitingLine()
    line.offered("c1", 100.0)
    line.left("c1", 110.0)
    line.offered("c1", 200.0)  # the id is reused: its old entry is replaced
    assert list(line.waiting_at(105)) == []
    assert list(line.waiting_at(205)) == [("c1", 200.0)]
    line.left("c1", 210.0)
    assert list(line.waiting_at(205)) == [("c1", 200.0)]
    assert list(line.waiting_at(210)) == []


def test_waiting_line_evicts_like_the_plain_dict_and_survives_pickling() -> None:
    line = WaitingLine()
    for index in range(10):
        line.offered(f"c{index}", 100.0 + index)
        line.left(f"c{index}", 100.5 + 2 * index)  # leaves at 100.5, 102.5, ... 118.5
    line.offered("w", 99.0)  # never answered
    line.evict(110.5)
    assert sorted(line.entries) == ["c5", "c6", "c7", "c8", "c9", "w"]  # left at >= 110.5
    assert len(line) == 6
    copy = pickle.loads(pickle.dumps(line))
    assert copy.entries == line.entries
    for now in range(95, 125):
        assert sorted(copy.waiting_at(now)) == sorted(line.waiting_at(now)) == _scan(line, now)
    assert sorted(line.waiting_at(112)) == [("c6", 106.0), ("c7", 107.0), ("c8", 108.0),
                                            ("c9", 109.0), ("w", 99.0)]  # fmt: skip


def test_waiting_line_matches_a_scan_for_random_offers_outcomes_and_nows() -> None:
    rng = random.Random(7)
    line = WaitingLine()
    for step_no in range(3000):
        ts = step_no / 10 + rng.uniform(-5, 5)
        cid = f"c{rng.randrange(400)}"
        if rng.random() < 0.5 or cid not in line.entries:
            line.offered(cid, ts)
        elif line.entries[cid][1] == float("inf") and ts >= line.entries[cid][0]:
            line.left(cid, ts)
        if step_no % 250 == 0:
            line.evict(ts - 60)
        if step_no % 37 == 0:
            now = int(ts + rng.uniform(-30, 10))
            assert sorted(line.waiting_at(now)) == _scan(line, now), step_no


def test_in_queue_counts_the_abandon_after_now_and_not_the_one_before() -> None:
    events = [
        offered("c1", 10),
        offered("c2", 20),
        offered("c3", 30, queue="chat_claims", channel="chat"),
        abandoned("c1", 50),
        answered("c2", 60.5, "a1"),  # after now = 60
    ]
    _engine, snap = run(events, 60, at_s=61)
    queue = snap["queues"]["claims_report"]["15m"]
    assert (queue["in_queue"], queue["longest_wait_s"]) == (1, 40.0)  # c2, since 20
    chat = snap["queues"]["chat_claims"]["15m"]
    assert (chat["in_queue"], chat["longest_wait_s"]) == (1, 30.0)
    assert (snap["all"]["15m"]["in_queue"], snap["all"]["15m"]["longest_wait_s"]) == (2, 40.0)


# ------------------------------------------------------------ provisional replay


def _replayed_from_scratch(agent: AgentTimeline, now: float) -> tuple[AgentCore, list[Segment]]:
    """What `provisional` returned before it kept its replay."""
    extra: list[Segment] = []
    core = dataclasses.replace(agent.core)
    for tr in agent.pending:
        if tr[0] > now:
            break
        step(core, agent.agent_id, tr, extra)
    return core, extra


def _finalize(agent: AgentTimeline, limit: float) -> list[Segment]:
    """What `FloorEngine._finalize_agent` does to the agent's state (alerts aside)."""
    closed: list[Segment] = []
    for tr in agent.take_final(limit, False):
        step(agent.core, agent.agent_id, tr, closed)
    return closed


def _tr(ts: float, seq: int, kind: str, data: tuple[object, ...] = ()) -> Transition:
    rank = {"login": 0, "state": 2, "answered": 3, "ended": 4, "wrapup": 5}[kind]
    return (ts, rank, seq, kind, data, None)


def test_provisional_continues_its_replay_and_drops_what_became_final() -> None:
    agent = AgentTimeline("a1")
    agent.add(_tr(0.0, 0, "login", ("t", "s", None, None, True)))
    agent.add(_tr(10.0, 1, "answered"))
    agent.add(_tr(20.0, 2, "ended"))
    core, extra = agent.provisional(15)
    assert (core.state, extra) == ("busy", [(0.0, 10.0, "ready", None)])
    agent.add(_tr(30.0, 3, "wrapup"))
    core, extra = agent.provisional(40)
    assert (core.state, core.since) == ("ready", 30.0)
    assert extra == [
        (0.0, 10.0, "ready", None),
        (10.0, 20.0, "busy", None),
        (20.0, 30.0, "acw", None),
    ]
    assert _finalize(agent, 15.0) == [(0.0, 10.0, "ready", None)]
    core, extra = agent.provisional(40)
    assert extra == [(10.0, 20.0, "busy", None), (20.0, 30.0, "acw", None)]
    # An event out of order, among the replayed ones: replayed again from the final state.
    agent.add(_tr(25.0, 4, "state", ("not_ready", "break")))
    assert agent.provisional(40) == _replayed_from_scratch(agent, 40)
    # `now` back before the last replayed transition.
    core, extra = agent.provisional(22)
    assert (core.state, extra) == ("acw", [(10.0, 20.0, "busy", None)])


def test_provisional_equals_a_replay_from_scratch_through_a_random_day() -> None:
    rng = random.Random(11)
    agent = AgentTimeline("a1")
    kinds = ["state", "answered", "ended", "wrapup", "login"]
    latest = 0.0
    agent.add(_tr(0.0, 0, "login", ("t", "s", None, None, True)))
    for seq in range(1, 2500):
        latest += rng.uniform(0, 2)
        ts = latest - rng.choice([0, 0, 0, rng.uniform(0, 20)])  # some arrive late
        kind = rng.choice(kinds)
        data: tuple[object, ...] = ()
        if kind == "state":
            data = rng.choice([("ready", None), ("not_ready", "break"), ("not_ready", "lunch")])
        elif kind == "login":
            data = ("t", "s", None, None, True)
        agent.add(_tr(round(ts, 1), seq, kind, data))
        if seq % 7 == 0:
            now = int(latest - rng.uniform(0, 5))
            assert agent.provisional(now) == _replayed_from_scratch(agent, now), seq
        if seq % 50 == 0:
            _finalize(agent, latest - 30)


def test_agent_timeline_pickles_without_its_replay() -> None:
    agent = AgentTimeline("a1")
    agent.add(_tr(0.0, 0, "login", ("t", "s", None, None, True)))
    agent.add(_tr(10.0, 1, "answered"))
    before = agent.provisional(20)
    assert agent.replay is not None
    copy = pickle.loads(pickle.dumps(agent))
    assert copy.replay is None
    assert copy.provisional(20) == before


# ------------------------------------------------------------------ shown alerts


def _plain_export(book: AlertBook, now: int, day_start: int) -> list[dict[str, object]]:
    shown = [
        a
        for a in book.alerts.values()
        if a.raised_at <= now
        and (a.raised_at >= day_start or a.cleared_at is None or a.cleared_at > now)
    ]
    shown.sort(key=lambda a: (a.raised_at, a.id))
    return [export(a, ZONE, now) for a in shown]


def _book() -> AlertBook:
    return AlertBook("Asia/Shanghai", {"long_away": "warning", "wait_breach": "critical"})


def test_shown_alerts_follow_raises_clears_and_the_clock() -> None:
    book = _book()
    day = T0 - 9 * 3600  # local midnight
    book.raise_alert("y", "long_away", "agent:a1", day - 600, {})  # yesterday, still active
    book.raise_alert("b", "wait_breach", "queue:q", T0 + 20, {"n": 1})
    book.raise_alert("a", "long_away", "agent:a2", T0 + 20, {})  # same second, id first
    book.raise_alert("late", "long_away", "agent:a3", T0 + 5, {}, cleared_at=T0 + 12)
    book.clear("b", T0 + 31.5)  # cleared after now = T0 + 30
    shown = book.visible_exported(T0 + 30, day)
    assert [(a["id"], a["cleared_at"]) for a in shown] == [
        ("y", None),
        ("late", "2026-03-02T09:00:12+08:00"),
        ("a", None),
        ("b", None),
    ]
    assert shown == _plain_export(book, T0 + 30, day)
    # The clock reaches b's clearing; y clears, so yesterday's alert leaves the list.
    book.clear("y", T0 + 32)
    shown = book.visible_exported(T0 + 32, day)
    assert [(a["id"], a["cleared_at"]) for a in shown] == [
        ("late", "2026-03-02T09:00:12+08:00"),
        ("a", None),
        ("b", "2026-03-02T09:00:31.500000+08:00"),
    ]
    assert shown == _plain_export(book, T0 + 32, day)
    # `now` going back rebuilds.
    assert book.visible_exported(T0 + 10, day) == _plain_export(book, T0 + 10, day)


def test_shown_alerts_equal_a_fresh_export_through_random_raises_and_evictions() -> None:
    rng = random.Random(3)
    book = _book()
    day = T0 - 9 * 3600
    now = T0
    for index in range(1500):
        now += rng.choice([0, 0, 1])
        raised = now - rng.uniform(-2, 600)
        book.raise_alert(f"x{rng.randrange(1200)}", "long_away", f"agent:{index}", raised, {})
        if rng.random() < 0.6 and book.alerts:
            book.clear(rng.choice(list(book.alerts)), now + rng.uniform(-1, 3))
        if index % 300 == 0:
            book.evict(now - 300)
        if index % 5 == 0:
            assert book.visible_exported(now, day) == _plain_export(book, now, day), index


def test_alert_book_pickles_without_its_caches_and_rebuilds_the_order() -> None:
    book = _book()
    book.raise_alert("b", "long_away", "agent:a1", T0 + 20, {})
    book.raise_alert("a", "long_away", "agent:a2", T0 + 10, {})
    book.visible_exported(T0 + 30, T0 - 9 * 3600)
    copy = pickle.loads(pickle.dumps(book))
    assert copy.shown is None
    assert copy.by_raised == [(T0 + 10, "a"), (T0 + 20, "b")]
    assert [a["id"] for a in copy.visible_exported(T0 + 30, T0 - 9 * 3600)] == ["a", "b"]
