"""The floor step merges source partitions into arrival order before the engine, shows what
it holds back in the heartbeat, stops waiting for an idle partition, flushes at end of
input and keeps what it holds across a resume; live, event times are judged against the
wall clock."""

from __future__ import annotations

import pickle

from pipeline.engine import DeadLetter
from pipeline.engine.time_gate import EventTimeGate
from pipeline.floor_logic import Clock, FloorLogic, Tick
from pipeline.parse import Parsed, ParsedChunk, ParsedEvent
from pipeline.sources import PartitionProgress
from tests.engine.helpers import T0, answered, login, offered, sample_settings


class WallClock:
    """A settable wall clock (Unix seconds)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _logic(clock: WallClock, resume: bytes | None = None) -> FloorLogic:
    # No lateness: an agent event behind the newest event time would be a dead letter.
    settings = sample_settings(tick_s=1.0, lateness_s=0, partition_idle_s=5)
    return FloorLogic(settings, "event", None, resume, wall_clock=clock)


def _chunk(partition: int, seq: int, *events: ParsedEvent) -> ParsedChunk:
    return ParsedChunk(list(events), PartitionProgress(partition, 2, seq))


def _tick(logic: FloorLogic) -> Tick:
    [tick] = logic.on_notify()[0]
    return tick


# Arrival order: the login (partition 1) came before the contact (partition 0).
LOGIN = ParsedEvent(1, login("a1", 5))
OFFERED = ParsedEvent(2, offered("c1", 10))
ANSWERED = ParsedEvent(3, answered("c1", 20, "a1"))


def test_events_of_a_partition_ahead_wait_for_the_other_and_go_in_arrival_order() -> None:
    clock = WallClock(T0 + 100)
    logic = _logic(clock)
    logic.on_item(_chunk(0, 3, OFFERED, ANSWERED))
    held = _tick(logic)
    assert (held.heartbeat["reorder_buffered"], held.heartbeat["events_total"]) == (2, 0)
    logic.on_item(_chunk(1, 3, LOGIN))
    merged = _tick(logic)
    assert (merged.heartbeat["reorder_buffered"], merged.heartbeat["events_total"]) == (0, 3)
    assert (merged.heartbeat["late_total"], merged.heartbeat["dead_letters_total"]) == (0, 0)
    assert merged.snapshot["agents"]["a1"]["state"] == "busy"


def test_an_idle_partition_is_left_out_after_partition_idle_s() -> None:
    clock = WallClock(T0 + 100)
    logic = _logic(clock)
    logic.on_item(_chunk(0, 3, OFFERED, ANSWERED))
    clock.now = T0 + 105
    assert _tick(logic).heartbeat["reorder_buffered"] == 2
    clock.now = T0 + 105.5
    released = _tick(logic)
    assert (released.heartbeat["reorder_buffered"], released.heartbeat["events_total"]) == (0, 2)
    # The login arrives after the answer it preceded: late (lateness 0), a dead letter.
    logic.on_item(_chunk(1, 3, LOGIN))
    late = _tick(logic)
    assert (late.heartbeat["late_total"], late.heartbeat["dead_letters_total"]) == (1, 1)
    assert [letter.reason for letter in late.output.dead_letters] == ["late"]


def test_end_of_input_ingests_everything_held_back() -> None:
    logic = _logic(WallClock(T0 + 100))
    logic.on_item(_chunk(1, 1, LOGIN))
    logic.on_item(_chunk(1, 3, ParsedEvent(3, answered("c1", 20, "a1"))))
    [final] = logic.on_eof()[0]
    assert final.heartbeat["reorder_buffered"] == 0
    assert final.heartbeat["events_total"] == 2


def test_what_is_held_back_survives_a_resume_and_parse_dead_letters_are_not_held() -> None:
    clock = WallClock(T0 + 100)
    logic = _logic(clock)
    broken = DeadLetter(reason="json: bad", seq=4, raw="{")
    logic.on_item(ParsedChunk([OFFERED, ANSWERED, broken], PartitionProgress(0, 2, 4)))
    assert [letter.reason for letter in _tick(logic).output.dead_letters] == ["json: bad"]
    # A restart an hour later: partition 1 gets a fresh `partition_idle_s` to report.
    clock.now = T0 + 3700
    resumed = _logic(clock, resume=logic.snapshot())
    assert _tick(resumed).heartbeat["reorder_buffered"] == 2
    resumed.on_item(_chunk(1, 4, LOGIN))
    merged = _tick(resumed)
    assert (merged.heartbeat["events_total"], merged.heartbeat["dead_letters_total"]) == (3, 1)
    assert merged.heartbeat["reorder_buffered"] == 0


def test_live_the_future_limit_is_relative_to_the_wall_clock() -> None:
    clock = WallClock(1_000_000.0)
    gate: EventTimeGate[str] = EventTimeGate(jump_s=3600, past_s=7200, confirm=3, max_future_s=3600)
    gate.follow_wall_clock(clock)
    ahead = "ts: more than 3600 s after the wall clock"
    # The first event does not anchor the check: two hours ahead of the wall clock.
    assert gate.offer(1_000_000.0 + 7200, "two hours ahead") == [("two hours ahead", ahead)]
    assert gate.newest is None
    assert gate.offer(1_000_000.0 + 3600, "at the bound") == [("at the bound", None)]
    clock.now += 60
    assert gate.offer(1_000_000.0 + 3660, "moved") == [("moved", None)]  # moves with the clock
    assert gate.offer(1_000_000.0 + 3661, "beyond") == [("beyond", ahead)]
    # The past limit still follows the newest event accepted.
    assert gate.offer(1_000_000.0 + 3660 - 7201, "old") == [
        ("old", "ts: more than 7200 s before the newest event time seen "
         "(too old to check for duplicates)")
    ]  # fmt: skip
    # The clock is not part of the state: the pipeline attaches it again after a resume.
    assert pickle.loads(pickle.dumps(gate)).wall_clock is None


def test_the_floor_on_the_wall_clock_refuses_events_ahead_of_it_a_replay_does_not() -> None:
    ahead: list[Parsed] = [ParsedEvent(0, offered("c1", 2 * 3600 + 1))]
    expected: list[tuple[Clock, list[str]]] = [
        ("wall", ["ts: more than 7200 s after the wall clock"]),
        ("event", []),
    ]
    for clock_mode, reasons in expected:
        settings = sample_settings(max_future_s=7200)
        logic = FloorLogic(settings, clock_mode, None, None, wall_clock=WallClock(T0))
        logic.on_item(ahead)
        [final] = logic.on_eof()[0]
        assert [letter.reason for letter in final.output.dead_letters] == reasons
