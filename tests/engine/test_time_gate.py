"""The stream engine's event-time gate, hand-worked, and against the reference's own code.

Times are seconds; jump 3,600 s, past limit (dedupe window) 7,200 s, 3 confirming events.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.engine.time_gate import EventTimeGate
from pipeline.reference.event_time import refused_by_time

LONE = "ts: a lone time jump of more than 3600 s, not confirmed by the events that follow"
TOO_OLD = "ts: more than 7200 s before the newest event time seen (too old to check for duplicates)"


def gate() -> EventTimeGate[str]:
    return EventTimeGate(jump_s=3600, past_s=7200, confirm=3)


def test_a_jump_is_held_and_released_with_its_followers_once_three_confirm_it() -> None:
    g = gate()
    assert g.offer(0, "a") == [("a", None)]
    assert g.offer(50_000, "jump") == []  # held
    assert g.offer(50_010, "b") == []
    assert g.offer(47_000, "c") == []  # 3,000 s before the jump: still consistent
    assert len(g) == 3
    assert g.offer(50_020, "d") == [("jump", None), ("b", None), ("c", None), ("d", None)]
    assert (g.newest, len(g)) == (50_020, 0)


def test_a_contradicted_jump_is_refused_and_its_followers_are_judged_again() -> None:
    g = gate()
    g.offer(0, "a")
    assert g.offer(90_000, "wrong") == []
    # A follower near the jump, itself a jump from `a`: held behind it.
    assert g.offer(90_100, "also wrong") == []
    # Far before the jump but fine for `a`: refuses the jump; "also wrong" becomes the jump
    # (held again) and this event contradicts it too.
    assert g.offer(60, "good") == [
        ("wrong", f"{LONE} (the next one is 89940 s earlier)"),
        ("also wrong", f"{LONE} (the next one is 90040 s earlier)"),
        ("good", None),
    ]
    assert (g.newest, len(g)) == (60, 0)


def test_events_too_old_anyway_neither_confirm_nor_contradict_a_jump() -> None:
    g = gate()
    g.offer(10_000, "a")
    g.offer(20_000, "jump")
    assert g.offer(1_000, "ancient") == [("ancient", TOO_OLD)]
    assert len(g) == 1
    assert g.flush() == [("jump", None)]  # end of input: nothing contradicted it


def test_between_arrivals_at_most_confirm_events_are_held() -> None:
    g = gate()
    g.offer(0, "a")
    sizes = []
    for n in range(10):
        g.offer(10_000 + 5000 * n, str(n))  # every event a jump from the one before
        sizes.append(len(g))
    # Each fourth event confirms the jump held; its followers then form the next hold.
    assert sizes == [1, 2, 3, 3, 3, 3, 3, 3, 3, 3]


# Times on a coarse grid so that jumps, contradictions and ties all happen often.
times = st.lists(st.integers(0, 40).map(lambda n: n * 900), min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(times, st.integers(1, 4))
def test_the_engine_gate_and_the_reference_refuse_the_same_events(
    ts: list[int], confirm: int
) -> None:
    g: EventTimeGate[int] = EventTimeGate(jump_s=3600, past_s=7200, confirm=confirm)
    decided = [v for seq, t in enumerate(ts) for v in g.offer(t, seq)] + g.flush()
    stream = {seq: reason for seq, reason in decided if reason is not None}

    reference = refused_by_time(
        [(seq, t * 1_000_000) for seq, t in enumerate(ts)], 3600, 7200, confirm
    )

    assert sorted(seq for seq, _ in decided) == list(range(len(ts)))
    assert stream == reference
