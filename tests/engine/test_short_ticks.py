"""Short ticks (< 1 s) in live mode: quiet ticks write only the heartbeat, the agent side
is built once per second, queues every tick, and the final tick is always complete."""

from __future__ import annotations

from pipeline.floor_logic import FloorLogic
from pipeline.parse import ParsedEvent
from tests.engine.helpers import T0, answered, login, offered, sample_settings


class WallClock:
    """A settable wall clock (epoch seconds) for `FloorLogic`."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _logic(clock: WallClock) -> FloorLogic:
    settings = sample_settings(tick_s=0.1, lateness_s=0)
    return FloorLogic(settings, "wall", None, None, wall_clock=clock)


def test_a_quiet_short_tick_in_the_same_second_writes_only_the_heartbeat() -> None:
    clock = WallClock(T0 + 10.0)
    logic = _logic(clock)
    logic.on_item([ParsedEvent(0, login("a1", 5))])
    first = logic.on_notify()[0][0]
    assert first.snapshot["agents"]["a1"]["state"] == "ready"
    clock.now = T0 + 10.3
    quiet = logic.on_notify()[0][0]
    assert quiet.snapshot == {}
    assert quiet.heartbeat["events_total"] == 1
    clock.now = T0 + 11.0
    next_second = logic.on_notify()[0][0]
    assert next_second.snapshot["now"] == "2026-03-02T09:00:11+08:00"
    assert next_second.snapshot["agents"]["a1"]["15m"]["ready_s"] == 6.0


def test_within_a_second_queues_move_every_tick_and_agents_once() -> None:
    clock = WallClock(T0 + 20.0)
    logic = _logic(clock)
    logic.on_item([ParsedEvent(0, login("a1", 5)), ParsedEvent(1, offered("c1", 19))])
    first = logic.on_notify()[0][0]
    clock.now = T0 + 20.5
    logic.on_item([ParsedEvent(2, answered("c1", 20, "a1"))])
    same_second = logic.on_notify()[0][0]
    assert same_second.snapshot["queues"]["claims_report"]["15m"]["answered"] == 1
    # The agent side is the one built at this second's first tick.
    assert same_second.snapshot["agents"] is first.snapshot["agents"]
    assert same_second.snapshot["agents"]["a1"]["state"] == "ready"
    final = logic.on_eof()[0][0]
    assert final.final
    assert final.snapshot["agents"]["a1"]["state"] == "busy"
    assert final.snapshot["queues"]["claims_report"]["agents_now"]["busy"] == 1
