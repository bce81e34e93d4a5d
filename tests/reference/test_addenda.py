"""Decisions recorded in docs/kpi-semantics-addenda.md, pinned on small scenarios."""

from __future__ import annotations

from tests.reference.scenario import Events, alerts_of, epoch, sample_settings, ts


def test_late_answer_counts_for_the_queue_but_does_not_make_the_agent_busy() -> None:
    # Addenda 13 and 15: the answer arrives 40 s behind the newest event (lateness 30 s).
    e = Events()
    e.login("09:00:00", "a1", "bj_claims_a", "beijing")
    e.offered("09:00:10", "c1", "claims_report")
    e.offered("09:01:00", "c2", "claims_report")
    e.answered("09:00:20", "c1", "a1")  # newest is 09:01:00: 40 s late
    e.ended("09:01:10", "c1", "a1")
    e.wrapped("09:01:20", "c1", "a1")
    snap = e.snapshot("09:02:00")
    assert snap["queues"]["claims_report"]["15m"]["answered"] == 1
    a1 = snap["agents"]["a1"]
    assert (a1["15m"]["busy_s"], a1["15m"]["acw_s"], a1["15m"]["ready_s"]) == (0.0, 0.0, 120.0)
    assert (a1["15m"]["handled"], a1["15m"]["aht_s"]) == (1, 60.0)


def test_late_end_keeps_the_agent_busy() -> None:
    e = Events()
    e.login("09:00:00", "a1", "bj_claims_a", "beijing")
    e.offered("09:00:10", "c1", "claims_report")
    e.answered("09:00:20", "c1", "a1")
    e.offered("09:01:00", "c2", "claims_report")
    e.ended("09:00:25", "c1", "a1")  # 35 s behind 09:01:00: late
    a1 = e.snapshot("09:02:00")["agents"]["a1"]
    assert (a1["state"], a1["state_since"]) == ("busy", ts("09:00:20"))
    assert a1["15m"]["busy_s"] == 100.0


def test_wait_breach_ties_count_every_contact_crossing_at_once() -> None:
    e = Events()
    e.offered("09:00:00", "c9", "claims_report")
    e.offered("09:00:00", "c10", "claims_report")
    snap = e.snapshot("09:05:00")
    assert alerts_of(snap, "wait_breach") == [{
        "id": f"wait_breach:claims_report:{epoch('09:02:00')}", "kind": "wait_breach",
        "severity": "warning", "subject": "queue:claims_report", "raised_at": ts("09:02:00"),
        "cleared_at": None,
        "evidence": {"threshold_s": 120.0, "longest_wait_s": 120.0, "contacts_over": 2},
    }]


def test_state_at_now_ignores_events_after_the_whole_second() -> None:
    # Addendum 1: now = 09:05:00; the logout at 09:05:00.4 is after now.
    e = Events()
    e.login("09:00:00", "a1", "bj_claims_a", "beijing")
    e.logout("09:05:00.400", "a1")
    snap = e.snapshot("09:05:00.500")
    a1 = snap["agents"]["a1"]
    assert (a1["state"], a1["15m"]["logged_in_s"]) == ("ready", 300.0)
    assert snap["teams"]["bj_claims_a"]["staffed"] == 1


def test_thirty_minute_intervals_follow_the_setting() -> None:
    e = Events()
    e.offered("09:59:59", "c1", "claims_report")
    e.offered("10:00:00", "c2", "claims_report")
    e.offered("10:20:00", "c3", "claims_report")
    settings = sample_settings().model_copy(update={"interval_min": 30})
    claims = e.snapshot("10:29:59", settings)["queues"]["claims_report"]
    assert (claims["interval"]["offered"], claims["15m"]["offered"]) == (2, 1)
