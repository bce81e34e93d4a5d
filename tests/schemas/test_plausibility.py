from __future__ import annotations

from schemas.plausibility import EventTimeGate


def test_gate_refuses_times_far_from_the_newest_accepted_one() -> None:
    gate = EventTimeGate(max_future_s=86400, max_past_s=7200)
    assert gate.refuse(1_000_000.0) is None  # the first event anchors the check
    assert gate.refuse(1_000_000.0 + 86400) is None  # exactly at the bound: accepted
    assert gate.refuse(1_000_000.0 + 2 * 86400 + 1) == (
        "ts: more than 86400 s after the newest event time seen"
    )
    # The refused event did not move the newest time; an on-time one still passes.
    assert gate.newest == 1_000_000.0 + 86400
    assert gate.refuse(1_000_000.0 + 86400 - 7200) is None
    assert gate.refuse(1_000_000.0 + 86400 - 7201) == (
        "ts: more than 7200 s before the newest event time seen (too old to check for duplicates)"
    )
