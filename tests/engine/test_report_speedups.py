"""The snapshot's speed-ups give exactly what the plain code gives (pure speed-ups)."""

from __future__ import annotations

from pipeline.engine.counters import WindowedCounters
from pipeline.engine.report import _times_in_windows, window_bounds
from schemas.snapshot import WINDOWS
from tests.engine.helpers import (
    T0,
    answered,
    ended,
    login,
    offered,
    run,
    state,
    wrapup,
)


def test_counter_windows_sum_each_span_like_window() -> None:
    counters = WindowedCounters(2)
    for second, amount in ((100, 1.5), (130, 2), (160, 4), (220, 8)):
        counters.add(second, 0, ((0, amount), (1, 1)))
    spans = [(101, 220), (100, 160), (161, 219), (300, 400), (50, 40)]
    assert counters.windows(spans) == [[14, 3], [7.5, 3], [0, 0], [0, 0], [0, 0]]
    assert counters.windows(spans) == [counters.window(lo, hi) for lo, hi in spans]


def test_counter_windows_of_a_dense_subject_use_minute_totals_like_window() -> None:
    counters = WindowedCounters(1)
    for second in range(0, 600):
        counters.add(second, 0, ((0, 1),))
    spans = [(1, 599), (60, 119), (590, 700)]
    assert counters.windows(spans) == [[599], [60], [10]]


def test_agent_time_in_all_windows_equals_one_totals_call_per_window() -> None:
    # Final segments, not-ready reasons, and transitions still pending at `now` (the
    # engine is not finished, so the last minute is provisional).
    events = [
        login("a1", 0),
        state("a1", 5, "not_ready", "break"),
        state("a1", 400, "ready"),
        offered("c1", 500),
        answered("c1", 510, "a1"),
        ended("c1", 700, "a1"),
        wrapup("c1", 760, "a1"),
        state("a1", 1790, "not_ready", "meeting"),
        state("a1", 1795, "not_ready", "training"),
    ]
    engine, _snapshot = run(events, 1800, finish=False)
    agent = engine.agents["a1"]
    now = T0 + 1800
    core, extra = agent.provisional(now)
    assert extra  # the test covers provisional segments
    bounds = window_bounds(engine, now, WINDOWS)
    clipped = [(name, lo) for name, lo in bounds.items() if name != "day"]
    together = _times_in_windows(agent, core, extra, now, clipped)
    for name, lo in clipped:
        alone = agent.totals(core, extra, lo, now)
        assert (together[name].states, together[name].by_reason) == (
            alone.states,
            alone.by_reason,
        ), name
    assert together["30m"].states == {
        "logged_in_s": 1800.0,
        "busy_s": 190.0,
        "acw_s": 60.0,
        "ready_s": 1145.0,  # 0-5, 400-510, 760-1790
        "not_ready_s": 405.0,  # 5-400, 1790-1800
    }
    assert together["30m"].by_reason == {"break": 395.0, "meeting": 5.0, "training": 5.0}
