"""Dedupe, the --at filter, disorder and the contextual acceptance rules (kpi-semantics §1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from tests.reference.scenario import Events


def claims(snap: dict[str, Any], window: str = "15m") -> dict[str, Any]:
    return snap["queues"]["claims_report"][window]


def test_invalid_and_blank_lines_are_skipped_but_keep_their_index() -> None:
    e = Events()
    e.raw("not json")
    e.raw("")
    e.raw('{"event_id":"n","ts":"2026-03-02T09:00:00","type":"contact.offered",'
          '"contact_id":"c9","queue":"claims_report","channel":"voice"}')  # naive ts
    e.raw('{"event_id":"s","ts":"2026-03-02T09:00:00+08:00","type":"survey.response",'
          '"contact_id":"c1","score":5}')  # score out of range
    e.offered("09:00:00", "c1", "claims_report")
    snap = e.snapshot("09:05:00")
    assert (claims(snap)["offered"], claims(snap)["in_queue"]) == (1, 1)


def test_duplicate_event_ids_count_once_and_the_first_arrival_wins() -> None:
    e = Events()
    e.add("contact.offered", "09:00:00", "x1", contact_id="c1", queue="claims_report",
          channel="voice")
    e.add("contact.offered", "09:00:00", "x1", contact_id="c1", queue="claims_report",
          channel="voice")
    # Same id, different content: ignored, so c2 is never offered (and its answer rejected).
    e.add("contact.offered", "09:00:30", "x1", contact_id="c2", queue="claims_report",
          channel="voice")
    e.answered("09:00:40", "c2", "a1")
    snap = e.snapshot("09:05:00")
    assert (claims(snap)["offered"], claims(snap)["answered"], claims(snap)["in_queue"]) == (
        1, 0, 1)


def test_events_after_at_are_dropped_before_dedupe() -> None:
    e = Events()
    # The first arrival of x1 lies after --at, so the second copy (before --at) counts.
    e.add("contact.offered", "09:10:00", "x1", contact_id="late", queue="complaints",
          channel="voice")
    e.add("contact.offered", "09:00:00", "x1", contact_id="c1", queue="claims_report",
          channel="voice")
    snap = e.snapshot("09:05:00")
    assert claims(snap)["offered"] == 1
    assert snap["queues"]["complaints"]["15m"]["offered"] == 0
    assert e.snapshot("09:20:00")["queues"]["complaints"]["15m"]["offered"] == 1
    assert claims(e.snapshot("09:20:00"))["offered"] == 0


def test_outcome_slot_takes_the_first_valid_by_arrival() -> None:
    e = Events()
    e.answered("09:00:05", "c1", "a1")  # before the offer arrives: still valid
    e.offered("09:00:00", "c1", "claims_report")
    e.abandoned("09:00:07", "c1")  # second outcome: rejected
    e.offered("09:00:00", "c2", "claims_report")
    e.answered("08:59:59", "c2", "a1")  # before the offered ts: rejected
    e.abandoned("09:00:30", "c2")  # first valid outcome
    e.offered("09:01:00", "c2", "complaints")  # second offer of c2: rejected
    e.answered("09:00:00", "c3", "a1")  # unknown contact: rejected
    snap = e.snapshot("09:05:00")
    assert {k: claims(snap)[k] for k in ("offered", "answered", "abandoned", "asa_s")} == {
        "offered": 2, "answered": 1, "abandoned": 1, "asa_s": 5.0}
    assert snap["queues"]["complaints"]["15m"]["offered"] == 0


def test_end_wrapup_and_survey_need_the_same_agent_and_order() -> None:
    e = Events()
    e.offered("09:00:00", "c1", "claims_report")
    e.answered("09:00:10", "c1", "a1")
    e.ended("09:02:10", "c1", "a2")  # other agent: rejected
    e.ended("09:00:09", "c1", "a1")  # before the answer: rejected
    e.ended("09:02:10", "c1", "a1", "transferred")  # accepted (conversation 120 s)
    e.ended("09:03:00", "c1", "a1")  # second end: rejected
    e.wrapped("09:02:20", "c1", "a2")  # other agent: rejected
    e.wrapped("09:02:00", "c1", "a1")  # before the end: rejected
    e.wrapped("09:02:40", "c1", "a1")  # accepted (acw 30 s)
    e.survey("09:00:09", "c1", 4)  # before the answer: rejected
    e.survey("09:03:00", "c1", 1)  # accepted
    e.survey("09:04:00", "c1", 4)  # second: rejected
    e.offered("09:00:00", "c2", "claims_report")
    e.abandoned("09:00:20", "c2")
    e.survey("09:01:00", "c2", 4)  # not answered: rejected
    snap = e.snapshot("09:05:00")
    got = {k: claims(snap)[k] for k in ("ended", "transferred", "handled", "aht_s", "surveys",
                                        "satisfied", "csat")}
    assert got == {"ended": 1, "transferred": 1, "handled": 1, "aht_s": 150.0, "surveys": 1,
                   "satisfied": 0, "csat": 0.0}


def test_survey_window_is_inclusive_of_7200_seconds() -> None:
    e = Events()
    e.offered("08:00:00", "c1", "claims_report")
    e.answered("08:00:10", "c1", "a1")
    e.offered("08:00:00", "c2", "claims_report")
    e.answered("08:00:10", "c2", "a1")
    e.survey("10:00:10", "c1", 3)  # exactly 7200 s after the answer
    e.survey("10:00:11", "c2", 3)  # too late
    assert claims(e.snapshot("10:05:00"))["surveys"] == 1


def test_login_logout_toggle_in_canonical_order() -> None:
    e = Events()
    e.logout("08:59:00", "a1")  # logged out already: rejected
    e.state("08:59:30", "a1", "not_ready", "break")  # not logged in: rejected
    # Same ts: the logout (rank 7) sorts after the login (rank 0) whatever the arrival.
    e.logout("09:00:00", "a1")
    e.login("09:00:00", "a1", "bj_claims_a", "beijing")
    e.login("09:01:00", "a1", "bj_claims_b", "beijing")  # logged out at 09:00 -> accepted
    snap = e.snapshot("09:02:00")
    a1 = snap["agents"]["a1"]
    assert (a1["state"], a1["team"], a1["state_since"]) == (
        "ready", "bj_claims_b", "2026-03-02T09:01:00+08:00")
    assert a1["15m"]["logged_in_s"] == 60.0
    assert a1["15m"]["not_ready_s"] == 0.0


def test_late_agent_events_are_rejected() -> None:
    e = Events()
    e.login("09:00:00", "a1", "bj_claims_a", "beijing")
    e.offered("09:10:00", "c1", "claims_report")
    e.state("09:09:30", "a1", "not_ready", "break")  # 30 s behind: within lateness
    e.state("09:09:29", "a1", "ready")  # 31 s behind the newest (09:10:00): late
    a1 = e.snapshot("09:11:00")["agents"]["a1"]
    assert (a1["state"], a1["reason"]) == ("not_ready", "break")


def test_shuffled_arrival_within_lateness_gives_the_same_snapshot() -> None:
    e = Events()
    e.login("09:00:00", "a1", "bj_claims_a", "beijing", shift_start="09:00:00")
    e.login("09:00:05", "a2", "bj_claims_b", "beijing")
    for n in range(12):
        base = 9 * 3600 + 60 + n * 40
        clock = [f"{(base + d) // 3600:02d}:{(base + d) % 3600 // 60:02d}:{(base + d) % 60:02d}"
                 for d in (0, 25, 30, 200, 230)]
        agent = "a1" if n % 2 else "a2"
        e.offered(clock[0], f"c{n}", "claims_report")
        if n % 5 == 4:
            e.abandoned(clock[1], f"c{n}")
            continue
        e.answered(clock[2], f"c{n}", agent)
        e.ended(clock[3], f"c{n}", agent)
        e.wrapped(clock[4], f"c{n}", agent)
    e.state("09:12:00", "a1", "not_ready", "break")
    e.lines.sort(key=lambda line: orjson.loads(line)["ts"])
    ordered = e.snapshot("09:20:00")
    assert ordered["queues"]["claims_report"]["day"]["offered"] == 12
    assert ordered["queues"]["claims_report"]["day"]["handled"] == 10
    # Swap disjoint neighbour pairs at most 30 s apart: every event stays within the
    # lateness of the newest one seen before it.
    lines = list(e.lines)
    for i in range(0, len(lines) - 1, 2):
        first, second = (orjson.loads(lines[j])["ts"] for j in (i, i + 1))
        gap = datetime.fromisoformat(second) - datetime.fromisoformat(first)
        if gap.total_seconds() <= 30:
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
    assert lines != e.lines
    shuffled = Events()
    shuffled.lines = lines
    assert shuffled.snapshot("09:20:00") == ordered


def test_empty_input_lists_configured_queues_and_empty_rollups() -> None:
    snap = Events().snapshot("10:00:00")
    assert sorted(snap["queues"]) == [
        "chat_claims", "chat_service", "claims_report", "complaints", "new_policy_callback",
        "policy_service",
    ]
    assert (snap["agents"], snap["teams"], snap["alerts"]) == ({}, {}, [])
    assert sorted(snap["channels"]) == ["chat", "voice"]
    assert snap["all"]["day"]["offered"] == 0
    assert snap["sites"]["beijing"]["agents"]["day"]["logged_in_s"] == 0.0
