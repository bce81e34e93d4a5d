"""All eight alert kinds (kpi-semantics §5), raised and cleared at hand-computed times."""

from __future__ import annotations

from typing import Any

from tests.reference.scenario import Events, alerts_of, epoch, ts

# The default severities of kpi-semantics §5.
SEVERITY = {
    "ultra_short_contact": "info", "late_login": "info", "ultra_long_contact": "warning",
    "abnormal_logout": "warning", "long_away": "warning", "wait_breach": "warning",
    "sl_breach": "critical", "abandon_spike": "critical",
}


def alert(kind: str, ident: str, subject: str, raised: str, cleared: str | None,
          **evidence: Any) -> dict[str, Any]:
    return {"id": ident, "kind": kind, "severity": SEVERITY[kind], "subject": subject,
            "raised_at": ts(raised), "cleared_at": None if cleared is None else ts(cleared),
            "evidence": evidence}


def test_ultra_short_contact_at_end_for_voice_only() -> None:
    e = Events()
    e.offered("09:00:00", "c1", "claims_report")
    e.answered("09:00:05", "c1", "a1")
    e.ended("09:00:14.5", "c1", "a1")  # 9.5 s < 10 s
    e.wrapped("09:00:20", "c1", "a1")  # handled, so a1 is listed
    e.offered("09:00:00", "c2", "claims_report")
    e.answered("09:00:05", "c2", "a2")
    e.ended("09:00:15", "c2", "a2")  # exactly 10 s: not ultra-short
    e.offered("09:00:00", "c3", "chat_service", "chat")
    e.answered("09:00:05", "c3", "a3")
    e.ended("09:00:06", "c3", "a3")  # chat has no ultra-short threshold
    snap = e.snapshot("09:10:00")
    assert snap["alerts"] == [
        {**alert("ultra_short_contact", "ultra_short_contact:c1", "agent:a1",
                 "09:00:14.500000", "09:00:14.500000", contact_id="c1", queue="claims_report",
                 conversation_s=9.5, threshold_s=10.0)},
    ]
    assert snap["agents"]["a1"]["15m"]["ultra_short"] == 1


def test_ultra_long_contact_raised_while_active_and_cleared_at_end() -> None:
    e = Events()
    e.offered("09:00:00", "c1", "claims_report")
    e.answered("09:00:10", "c1", "a1")
    e.ended("09:30:00", "c1", "a1")
    e.wrapped("09:31:00", "c1", "a1")  # handled, so a1 is listed
    e.offered("09:00:00", "c2", "chat_claims", "chat")
    e.answered("09:00:10", "c2", "a2")
    e.ended("09:30:10", "c2", "a2")  # chat limit 1800 s: ends exactly at the limit
    assert alerts_of(e.snapshot("09:20:09"), "ultra_long_contact") == []
    raised = alert("ultra_long_contact", "ultra_long_contact:c1", "agent:a1",
                   "09:20:10", None, contact_id="c1", queue="claims_report", threshold_s=1200.0)
    assert alerts_of(e.snapshot("09:20:10"), "ultra_long_contact") == [raised]
    assert alerts_of(e.snapshot("09:29:59"), "ultra_long_contact") == [raised]
    later = e.snapshot("09:40:00")
    assert alerts_of(later, "ultra_long_contact") == [{**raised, "cleared_at": ts("09:30:00")}]
    assert later["agents"]["a1"]["15m"]["ultra_long"] == 0
    assert later["agents"]["a1"]["30m"]["ultra_long"] == 1


def test_abnormal_logout_active_contact_and_early_logout() -> None:
    e = Events()
    e.login("08:00:00", "a1", "bj_claims_a", "beijing", shift_start="08:00:00",
            shift_end="17:00:00")
    e.offered("09:00:00", "c1", "claims_report")
    e.answered("09:00:05", "c1", "a1")
    e.logout("09:10:00", "a1")
    e.login("08:00:00", "a2", "bj_claims_a", "beijing", shift_end="09:15:00")
    e.logout("09:10:00", "a2")  # exactly shift_end - 300: not early
    e.offered("09:00:00", "c3", "claims_report")
    e.answered("09:00:05", "c3", "a3")
    e.login("08:00:00", "a3", "bj_claims_a", "beijing")
    e.ended("09:10:00", "c3", "a3")
    e.logout("09:10:00", "a3")  # the end at the same ts comes first: no active contact
    snap = e.snapshot("09:15:00")
    assert alerts_of(snap, "abnormal_logout") == [
        alert("abnormal_logout", f"abnormal_logout:a1:{epoch('09:10:00')}",
              "agent:a1", "09:10:00", "09:10:00", reasons=["active_contact", "early_logout"],
              active_contacts=1, shift_end=ts("17:00:00")),
    ]


def test_abnormal_logout_on_third_login_within_30_minutes() -> None:
    e = Events()
    for login, logout in (("09:00:00", "09:05:00"), ("09:10:00", "09:15:00"),
                          ("09:29:59", "09:35:00"), ("09:40:00", "09:45:00")):
        e.login(login, "a1", "bj_claims_a", "beijing")
        e.logout(logout, "a1")
    snap = e.snapshot("10:00:00")
    # Logins at 09:00, 09:10, 09:29:59 -> 3 within (ts - 1800, ts]; at 09:40 the window
    # (09:10:00, 09:40:00] excludes 09:10 -> only 2.
    assert alerts_of(snap, "abnormal_logout") == [
        alert("abnormal_logout", f"abnormal_logout:a1:{epoch('09:29:59')}",
              "agent:a1", "09:29:59", "09:29:59", reasons=["frequent_relogin"],
              logins_in_window=3),
    ]


def test_late_login_once_per_shift_start() -> None:
    e = Events()
    e.login("09:05:00", "a1", "bj_claims_a", "beijing", shift_start="09:00:00")  # 300: ok
    e.login("09:05:01", "a2", "bj_claims_a", "beijing", shift_start="09:00:00")
    e.logout("09:06:00", "a2")
    e.login("09:20:00", "a2", "bj_claims_a", "beijing", shift_start="09:00:00")  # same shift
    snap = e.snapshot("09:30:00")
    assert alerts_of(snap, "late_login") == [
        alert("late_login", f"late_login:a2:{epoch('09:00:00')}", "agent:a2",
              "09:05:01", "09:05:01", shift_start=ts("09:00:00"), late_by_s=301.0),
    ]


def test_long_away_raised_after_the_reason_limit_and_cleared_when_it_ends() -> None:
    e = Events()
    e.login("09:00:00", "a1", "bj_claims_a", "beijing")
    e.state("09:00:00", "a1", "not_ready", "break")  # break limit 900 s
    e.state("09:20:00", "a1", "not_ready", "other")  # a new state: other, limit 300 s
    e.state("09:25:00", "a1", "ready")  # other lasted exactly 300 s: no alert
    assert alerts_of(e.snapshot("09:14:59"), "long_away") == []
    raised = alert("long_away", f"long_away:a1:{epoch('09:00:00')}", "agent:a1",
                   "09:15:00", None, reason="break", limit_s=900.0)
    assert alerts_of(e.snapshot("09:15:00"), "long_away") == [raised]
    assert alerts_of(e.snapshot("09:30:00"), "long_away") == [
        {**raised, "cleared_at": ts("09:20:00")}]


def test_wait_breach_merges_overlapping_waits_per_queue() -> None:
    e = Events()
    e.offered("09:00:00", "c1", "claims_report")
    e.offered("09:01:00", "c2", "claims_report")
    e.answered("09:02:30", "c1", "a1")  # c1 over 120 s from 09:02:00 to 09:02:30
    e.answered("09:03:30", "c2", "a1")  # c2 from 09:03:00: 30 s later, within the hold
    e.offered("09:04:00", "c3", "claims_report")
    e.offered("09:04:30", "c4", "claims_report")
    e.abandoned("09:07:00", "c3")  # c3 09:06:00-09:07:00, c4 09:06:30-open: one interval
    e.abandoned("09:08:00", "c4")
    e.offered("09:00:00", "c5", "chat_service", "chat")  # chat: 300 s
    e.answered("09:05:00", "c5", "a2")
    snap = e.snapshot("09:07:30")
    q = "queue:claims_report"
    evidence = {"threshold_s": 120.0, "longest_wait_s": 120.0, "contacts_over": 1}
    assert alerts_of(snap, "wait_breach") == [
        # Below the threshold 09:02:30-09:03:00 (30 s < the 60 s clear hold): one alert,
        # cleared 60 s after c2's answer at 09:03:30.
        alert("wait_breach", f"wait_breach:claims_report:{epoch('09:02:00')}", q,
              "09:02:00", "09:04:30", **evidence),
        alert("wait_breach", f"wait_breach:claims_report:{epoch('09:06:00')}", q,
              "09:06:00", None, **evidence),
    ]
    # c4 leaves at 09:08:00: the alert clears at exactly 09:09:00, not a second before.
    assert alerts_of(e.snapshot("09:08:59"), "wait_breach")[1]["cleared_at"] is None
    assert alerts_of(e.snapshot("09:09:00"), "wait_breach")[1]["cleared_at"] == ts("09:09:00")


def _minus(clock: str, seconds: int) -> str:
    """A local clock string `seconds` earlier ("10:00:00" - 30 -> "09:59:30")."""
    h, m, s = (int(p) for p in clock.split(":"))
    total = h * 3600 + m * 60 + s - seconds
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def sl_day(answers: list[tuple[str, int, int]]) -> Events:
    """claims_report answers: (answer time, how many, wait seconds)."""
    e = Events()
    n = 0
    for clock, count, wait in answers:
        for _ in range(count):
            n += 1
            e.offered(_minus(clock, wait), f"c{n}", "claims_report")
            e.answered(clock, f"c{n}", "a1")
    return e


def test_sl_breach_needs_the_hold_and_clears_above_target_plus_margin() -> None:
    # 10:00:00: 10 answers waiting 30 s (out of SL) -> SL 0.0 with 10 contacts.
    # 10:01:40: 40 answers in SL -> 40/50 = 0.80: not below target, not above 0.82.
    # 10:03:20: 10 more in SL -> 50/60 = 0.833 > 0.82: cleared.
    e = sl_day([("10:00:00", 10, 30), ("10:01:40", 40, 5), ("10:03:20", 10, 5)])
    assert alerts_of(e.snapshot("10:00:59"), "sl_breach") == []
    raised = alert("sl_breach", f"sl_breach:claims_report:{epoch('10:01:00')}",
                   "queue:claims_report", "10:01:00", None, service_level=0.0, target=0.8,
                   contacts=10)
    assert alerts_of(e.snapshot("10:01:00"), "sl_breach") == [raised]
    assert alerts_of(e.snapshot("10:03:19"), "sl_breach") == [raised]
    assert alerts_of(e.snapshot("10:03:20"), "sl_breach") == [
        {**raised, "cleared_at": ts("10:03:20")}]


def test_sl_breach_clears_when_contacts_drop_below_the_minimum() -> None:
    # 10 bad answers at 10:00:00 leave the rolling 15 min at 10:15:00.
    e = sl_day([("10:00:00", 10, 30)])
    raised = alert("sl_breach", f"sl_breach:claims_report:{epoch('10:01:00')}",
                   "queue:claims_report", "10:01:00", None, service_level=0.0, target=0.8,
                   contacts=10)
    assert alerts_of(e.snapshot("10:14:59"), "sl_breach") == [raised]
    assert alerts_of(e.snapshot("10:15:00"), "sl_breach") == [
        {**raised, "cleared_at": ts("10:15:00")}]


def test_sl_breach_hold_restarts_after_a_false_second() -> None:
    # 9 bad answers at 10:00:00 (below the 10-contact minimum), the 10th at 10:00:30:
    # the condition holds from 10:00:30, so the alert is raised at 10:01:30.
    e = sl_day([("10:00:00", 9, 30), ("10:00:30", 1, 30)])
    assert alerts_of(e.snapshot("10:01:29"), "sl_breach") == []
    assert [a["raised_at"] for a in alerts_of(e.snapshot("10:01:30"), "sl_breach")] == [
        ts("10:01:30")]


def test_abandon_spike_raised_after_hold_and_cleared_at_or_below_rate() -> None:
    e = Events()
    for n in range(10):  # 10 abandons after 10 s (not short): rate 1.0
        e.offered("09:59:50", f"x{n}", "complaints")
        e.abandoned("10:00:00", f"x{n}")
    for n in range(90):  # 90 answers at 10:01:40: rate 10/100 = 0.10 -> cleared
        e.offered("10:01:35", f"y{n}", "complaints")
        e.answered("10:01:40", f"y{n}", "a1")
    assert alerts_of(e.snapshot("10:00:59"), "abandon_spike") == []
    raised = alert("abandon_spike", f"abandon_spike:complaints:{epoch('10:01:00')}",
                   "queue:complaints", "10:01:00", None, abandon_rate=1.0, threshold=0.1,
                   contacts=10)
    assert alerts_of(e.snapshot("10:01:39"), "abandon_spike") == [raised]
    assert alerts_of(e.snapshot("10:01:40"), "abandon_spike") == [
        {**raised, "cleared_at": ts("10:01:40")}]


def test_alert_list_keeps_today_and_active_ones_in_order() -> None:
    e = Events()
    e.raw('{"event_id":"y1","ts":"2026-03-01T10:00:00+08:00","type":"contact.offered",'
          '"contact_id":"old","queue":"claims_report","channel":"voice"}')
    e.raw('{"event_id":"y2","ts":"2026-03-01T10:01:00+08:00","type":"contact.answered",'
          '"contact_id":"old","agent_id":"a1"}')
    e.raw('{"event_id":"y3","ts":"2026-03-01T10:01:03+08:00","type":"contact.ended",'
          '"contact_id":"old","agent_id":"a1"}')  # ultra-short yesterday: not listed
    e.raw('{"event_id":"y4","ts":"2026-03-01T23:00:00+08:00","type":"contact.offered",'
          '"contact_id":"open","queue":"complaints","channel":"voice"}')  # still waiting
    e.offered("09:00:00", "c1", "claims_report")
    e.answered("09:00:01", "c1", "a2")
    e.ended("09:00:02", "c1", "a2")
    snap = e.snapshot("09:10:00")
    assert [(a["id"], a["raised_at"], a["cleared_at"]) for a in snap["alerts"]] == [
        (f"wait_breach:complaints:{epoch('00:00:00') - 3600 + 120}",
         "2026-03-01T23:02:00+08:00", None),
        ("ultra_short_contact:c1", ts("09:00:02"), ts("09:00:02")),
    ]
