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
    assert g.offer(0, "a") == []  # the first event waits for one that fits it
    assert g.offer(60, "a2") == [("a", None), ("a2", None)]
    assert g.offer(50_000, "jump") == []  # held
    assert g.offer(50_010, "b") == []
    assert g.offer(47_000, "c") == []  # 3,000 s before the jump: still consistent
    assert len(g) == 3
    assert g.offer(50_020, "d") == [("jump", None), ("b", None), ("c", None), ("d", None)]
    assert (g.newest, len(g)) == (50_020, 0)


def test_a_contradicted_jump_is_refused_and_its_followers_are_judged_again() -> None:
    g = gate()
    g.offer(0, "a")
    # Any later event fits the first event `a` (a gap after it is normal): `a` is
    # accepted and this one, a jump from it, is held.
    assert g.offer(90_000, "wrong") == [("a", None)]
    # A follower near the jump, itself a jump from `a`: held behind it.
    assert g.offer(90_100, "also wrong") == []
    # Far before the jump but fine for `a`: refuses the jump; "also wrong" becomes the
    # jump (held again) and this event contradicts it too.
    assert g.offer(60, "good") == [
        ("wrong", f"{LONE} (the next one is 89940 s earlier)"),
        ("also wrong", f"{LONE} (the next one is 90040 s earlier)"),
        ("good", None),
    ]
    assert (g.newest, len(g)) == (60, 0)


def test_events_too_old_anyway_neither_confirm_nor_contradict_a_jump() -> None:
    g = gate()
    g.offer(10_000, "a")
    g.offer(10_010, "a2")
    g.offer(20_000, "jump")
    assert g.offer(1_000, "ancient") == [("ancient", TOO_OLD)]
    assert len(g) == 1
    assert g.flush() == [("jump", None)]  # end of input: nothing contradicted it


def test_between_arrivals_at_most_confirm_events_are_held() -> None:
    g = gate()
    g.offer(0, "a")
    g.offer(10, "a2")
    sizes = []
    for n in range(10):
        g.offer(10_000 + 5000 * n, str(n))  # every event a jump from the one before
        sizes.append(len(g))
    # Each fourth event confirms the jump held; its followers then form the next hold.
    assert sizes == [1, 2, 3, 3, 3, 3, 3, 3, 3, 3]


LONE_FIRST = "ts: a lone first event time, not confirmed by the 3 events that follow"
THREE_YEARS = 3 * 365 * 86400


def test_a_first_event_three_years_ahead_is_refused_once_three_followers_do_not_fit_it() -> None:
    g = gate()
    assert g.offer(THREE_YEARS, "wrong") == []
    assert g.offer(0, "b") == []
    assert g.offer(60, "c") == []
    assert len(g) == 3
    # The third follower that does not fit: the first is refused; "b" is the first now and
    # "c" fits it, so both are accepted, then "d".
    assert g.offer(120, "d") == [
        ("wrong", f"{LONE_FIRST} (the next one is {THREE_YEARS} s earlier)"),
        ("b", None),
        ("c", None),
        ("d", None),
    ]
    assert (g.newest, len(g)) == (120, 0)


def test_a_first_event_20_hours_ahead_is_refused() -> None:
    g = gate()
    decided = [v for n, t in enumerate((20 * 3600, 0, 60, 120, 180)) for v in g.offer(t, n)]
    reason = f"{LONE_FIRST} (the next one is 72000 s earlier)"
    assert decided == [(0, reason), (1, None), (2, None), (3, None), (4, None)]


def test_a_first_event_long_before_the_rest_is_a_gap_not_an_outlier() -> None:
    # Three years before the events after it: as after any event, a gap is normal (kpi-spec
    # §2); the first is accepted and the next is a jump its followers confirm.
    g = gate()
    decided = [v for n, t in enumerate((-THREE_YEARS, 0, 60, 120, 180)) for v in g.offer(t, n)]
    assert decided == [(0, None), (1, None), (2, None), (3, None), (4, None)]


def test_a_first_event_fits_followers_up_to_the_jump_limit_before_it_and_any_time_after() -> None:
    g = gate()
    g.offer(0, "a")
    assert g.offer(-3600, "b") == [("a", None), ("b", None)]
    g = gate()
    g.offer(0, "a")
    assert g.offer(90_000, "b") == [("a", None)]  # "b" is then a jump from "a": held
    assert len(g) == 1
    g = gate()
    g.offer(0, "a")
    assert g.offer(-3601, "b") == []  # does not fit: still held
    assert g.offer(-3700, "c") == []
    # The third that does not fit: "a" is refused; "b" is the first now, "c" fits it.
    assert g.offer(-3650, "d") == [
        ("a", f"{LONE_FIRST} (the next one is 3601 s earlier)"),
        ("b", None),
        ("c", None),
        ("d", None),
    ]


def test_a_first_event_still_held_at_the_end_of_input_is_accepted() -> None:
    g = gate()
    g.offer(0, "a")
    g.offer(-90_000, "b")  # does not fit the first, but only one follower came
    assert g.flush() == [("a", None), ("b", TOO_OLD)]


def test_live_the_wall_clock_anchors_the_first_event_which_is_not_held() -> None:
    g = gate()
    g.follow_wall_clock(lambda: 1000.0)
    assert g.offer(990, "a") == [("a", None)]


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
