"""Agent KPIs (kpi-semantics §4) on a hand-computed hour, now = 10:00:00 (+08:00).

a1 (bj_claims_a, beijing): login 09:00:00; answers c1 09:10:00, ends it 09:20:00, wraps up
   09:21:00 (handle 600 + 60 = 660); not_ready break 09:30:00; ready 09:40:00; a second
   login at 09:45:00 is rejected (already logged in); logout 09:50:00.
   Timeline: ready 09:00-09:10, busy 09:10-09:20, acw 09:20-09:21, ready 09:21-09:30,
   break 09:30-09:40, ready 09:40-09:50, logged out after.
a2 (bj_claims_a, beijing): login 09:55:00; not_ready lunch 09:56:00 until now.
a3 (cd_service_a, chengdu): login 09:58:00 and nothing else: ready 120 s.
Rolling windows clip agent time to [now - W, now]: 15m [09:45, 10:00], 30m [09:30, 10:00],
60m [09:00, 10:00]; interval [10:00, 10:00] is empty.
"""

from __future__ import annotations

from typing import Any

import pytest

from schemas.config import Settings
from tests.reference.scenario import Events, sample_settings


def hour() -> Events:
    e = Events()
    e.login("09:00:00", "a1", "bj_claims_a", "beijing")
    e.offered("09:09:50", "c1", "claims_report")
    e.answered("09:10:00", "c1", "a1")
    e.ended("09:20:00", "c1", "a1")
    e.wrapped("09:21:00", "c1", "a1")
    e.state("09:30:00", "a1", "not_ready", "break")
    e.state("09:40:00", "a1", "ready")
    e.login("09:45:00", "a1", "bj_claims_b", "chengdu")
    e.logout("09:50:00", "a1")
    e.login("09:55:00", "a2", "bj_claims_a", "beijing")
    e.state("09:56:00", "a2", "not_ready", "lunch")
    e.login("09:58:00", "a3", "cd_service_a", "chengdu")
    return e


def agent(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "logged_in_s": 0.0, "busy_s": 0.0, "acw_s": 0.0, "ready_s": 0.0, "not_ready_s": 0.0,
        "not_ready_by_reason_s": {}, "utilization": None, "occupancy": None, "handled": 0,
        "aht_s": None, "ultra_short": 0, "ultra_long": 0,
    }
    base.update(values)
    return base


A1_15M = agent(logged_in_s=300.0, ready_s=300.0, utilization=1.0, occupancy=0.0)
A1_30M = agent(logged_in_s=1200.0, ready_s=600.0, not_ready_s=600.0,
               not_ready_by_reason_s={"break": 600.0}, utilization=0.5, occupancy=0.0)
# 60m: ready 600 + 540 + 600 = 1740, busy 600, acw 60, break 600; logged in 3000.
A1_60M = agent(logged_in_s=3000.0, busy_s=600.0, acw_s=60.0, ready_s=1740.0,
               not_ready_s=600.0, not_ready_by_reason_s={"break": 600.0},
               utilization=2400 / 3000, occupancy=660 / 2400, handled=1, aht_s=660.0)
A2_15M = agent(logged_in_s=300.0, ready_s=60.0, not_ready_s=240.0,
               not_ready_by_reason_s={"lunch": 240.0}, utilization=0.2, occupancy=0.0)
A3_15M = agent(logged_in_s=120.0, ready_s=120.0, utilization=1.0, occupancy=0.0)


@pytest.fixture(scope="module")
def snap() -> dict[str, Any]:
    return hour().snapshot("10:00:00")


def test_agent_time_is_clipped_to_each_window(snap: dict[str, Any]) -> None:
    a1 = snap["agents"]["a1"]
    assert a1["15m"] == A1_15M
    assert a1["30m"] == A1_30M
    assert a1["60m"] == A1_60M
    assert a1["day"] == A1_60M
    assert a1["interval"] == agent()


def test_agent_state_now_and_since(snap: dict[str, Any]) -> None:
    a1, a2, a3 = (snap["agents"][a] for a in ("a1", "a2", "a3"))
    assert (a1["state"], a1["state_since"], a1["reason"]) == (
        "logged_out", "2026-03-02T09:50:00+08:00", None)
    # The rejected 09:45 login does not change a1's team or site.
    assert (a1["team"], a1["site"]) == ("bj_claims_a", "beijing")
    assert (a2["state"], a2["state_since"], a2["reason"]) == (
        "not_ready", "2026-03-02T09:56:00+08:00", "lunch")
    assert a2["15m"] == A2_15M
    assert (a3["state"], a3["state_since"], a3["team"]) == (
        "ready", "2026-03-02T09:58:00+08:00", "cd_service_a")
    assert a3["15m"] == A3_15M


def test_team_rollup_adds_agent_time_and_counts_agents_now(snap: dict[str, Any]) -> None:
    team = snap["teams"]["bj_claims_a"]
    # 15m: a1 ready 300 + a2 ready 60 / lunch 240.
    assert team["15m"] == agent(
        logged_in_s=600.0, ready_s=360.0, not_ready_s=240.0,
        not_ready_by_reason_s={"lunch": 240.0}, utilization=0.6, occupancy=0.0)
    # 60m: a1's 3000 s plus a2's 300 s.
    assert team["60m"] == agent(
        logged_in_s=3300.0, busy_s=600.0, acw_s=60.0, ready_s=1800.0, not_ready_s=840.0,
        not_ready_by_reason_s={"break": 600.0, "lunch": 240.0}, utilization=2460 / 3300,
        occupancy=660 / 2460, handled=1, aht_s=660.0)
    assert (team["staffed"], team["ready"], team["busy"], team["acw"], team["not_ready"]) == (
        1, 0, 0, 0, 1)
    assert sorted(snap["teams"]) == ["bj_claims_a", "cd_service_a"]


def test_site_agents_and_queue_agents_now(snap: dict[str, Any]) -> None:
    beijing = snap["sites"]["beijing"]["agents"]
    assert beijing["15m"] == snap["teams"]["bj_claims_a"]["15m"]
    assert (beijing["staffed"], beijing["not_ready"]) == (1, 1)
    chengdu = snap["sites"]["chengdu"]["agents"]
    assert (chengdu["staffed"], chengdu["ready"], chengdu["15m"]) == (1, 1, A3_15M)
    # claims_report is served by bj_claims_a and bj_claims_b; policy_service by
    # cd_service_a and cd_service_b.
    assert snap["queues"]["claims_report"]["agents_now"] == {
        "staffed": 1, "ready": 0, "busy": 0, "acw": 0, "not_ready": 1}
    assert snap["queues"]["policy_service"]["agents_now"] == {
        "staffed": 1, "ready": 1, "busy": 0, "acw": 0, "not_ready": 0}


def test_busy_and_acw_override_the_explicit_state_and_return_to_it() -> None:
    e = Events()
    e.login("09:00:00", "a1", "bj_claims_a", "beijing")
    e.state("09:01:00", "a1", "not_ready", "meeting")
    e.offered("09:01:30", "c1", "claims_report")
    e.answered("09:02:00", "c1", "a1")
    e.offered("09:02:30", "c2", "claims_report")
    e.answered("09:03:00", "c2", "a1")  # two active contacts
    e.ended("09:04:00", "c1", "a1")  # c2 still active: busy
    e.ended("09:05:00", "c2", "a1")  # acw (two pending)
    e.wrapped("09:06:00", "c1", "a1")
    snap = e.snapshot("09:07:00")
    a1 = snap["agents"]["a1"]
    # ready 60, meeting 60, busy 09:02-09:05 = 180, acw 09:05-now = 120.
    assert a1["15m"] == agent(
        logged_in_s=420.0, busy_s=180.0, acw_s=120.0, ready_s=60.0, not_ready_s=60.0,
        not_ready_by_reason_s={"meeting": 60.0}, utilization=360 / 420, occupancy=300 / 360,
        handled=1, aht_s=240.0)
    assert (a1["state"], a1["state_since"]) == ("acw", "2026-03-02T09:05:00+08:00")
    e.wrapped("09:08:00", "c2", "a1")
    later = e.snapshot("09:09:00")["agents"]["a1"]
    # Back to the explicit not_ready (meeting) after the last wrap-up.
    assert (later["state"], later["state_since"], later["reason"]) == (
        "not_ready", "2026-03-02T09:08:00+08:00", "meeting")


def test_contact_work_without_login_counts_handled_but_no_time() -> None:
    e = Events()
    e.offered("09:00:00", "c1", "claims_report")
    e.answered("09:00:10", "c1", "a9")
    e.ended("09:01:10", "c1", "a9")
    e.wrapped("09:01:20", "c1", "a9")
    a9 = e.snapshot("09:05:00")["agents"]["a9"]
    assert a9["15m"] == agent(handled=1, aht_s=70.0)
    assert (a9["state"], a9["state_since"], a9["team"]) == ("logged_out", None, None)


def test_relogin_resets_the_explicit_state_to_ready() -> None:
    e = Events()
    e.login("09:00:00", "a1", "bj_claims_a", "beijing")
    e.state("09:00:30", "a1", "not_ready", "break")
    e.logout("09:01:00", "a1")
    e.state("09:01:30", "a1", "not_ready", "other")  # logged out: rejected
    e.login("09:02:00", "a1", "bj_claims_b", "beijing")
    snap = e.snapshot("09:03:00")
    a1 = snap["agents"]["a1"]
    assert (a1["state"], a1["team"]) == ("ready", "bj_claims_b")
    assert a1["15m"] == agent(
        logged_in_s=120.0, ready_s=90.0, not_ready_s=30.0,
        not_ready_by_reason_s={"break": 30.0}, utilization=0.75, occupancy=0.0)
    assert sorted(snap["teams"]) == ["bj_claims_b"]


def outbound_settings() -> Settings:
    """The sample config with a 30 s long_away limit on `outbound`: it must not apply."""
    base = sample_settings()
    defaults = base.team_defaults
    limits = {**defaults.long_away_s, "outbound": 30.0}
    return base.model_copy(
        update={"team_defaults": defaults.model_copy(update={"long_away_s": limits})}
    )


def outbound_call() -> Events:
    """a1: login 09:00:00, ready 60 s, outbound 09:01:00-09:02:40 (100 s), ready after."""
    e = Events()
    e.login("09:00:00", "a1", "bj_claims_a", "beijing")
    e.state("09:01:00", "a1", "not_ready", "outbound")
    e.state("09:02:40", "a1", "ready")
    return e


def outbound_with_contact() -> Events:
    """a1: ready 09:00-09:01; outbound from 09:01:00; a queue call answered 09:02:00, ended
    09:03:00, wrapped up 09:03:30 during it; ready again 09:05:00."""
    e = Events()
    e.login("09:00:00", "a1", "bj_claims_a", "beijing")
    e.state("09:01:00", "a1", "not_ready", "outbound")
    e.offered("09:01:30", "c1", "claims_report")
    e.answered("09:02:00", "c1", "a1")
    e.ended("09:03:00", "c1", "a1")
    e.wrapped("09:03:30", "c1", "a1")
    e.state("09:05:00", "a1", "ready")
    return e


def test_outbound_call_is_busy_time_and_never_a_queue_contact() -> None:
    # Hand-worked (§4): ready 60 + 40 = 100, outbound 100 s = busy, not_ready 0;
    # occupancy 100 / 200 = 0.5, utilization 1, handled 0.
    settings = outbound_settings()
    snap = outbound_call().snapshot("09:03:20", settings)
    expected = agent(logged_in_s=200.0, busy_s=100.0, ready_s=100.0, utilization=1.0,
                     occupancy=0.5)
    for name in ("15m", "30m", "60m", "day"):
        assert snap["agents"]["a1"][name] == expected, name
    assert snap["teams"]["bj_claims_a"]["15m"] == expected
    # No queue contact, and no long_away although a 30 s limit is configured.
    assert snap["queues"]["claims_report"]["day"]["offered"] == 0
    assert snap["alerts"] == []
    during = outbound_call().snapshot("09:01:40", settings)
    a1 = during["agents"]["a1"]
    assert (a1["state"], a1["state_since"], a1["reason"]) == (
        "busy", "2026-03-02T09:01:00+08:00", None)
    team = during["teams"]["bj_claims_a"]
    assert (team["busy"], team["not_ready"], team["ready"]) == (1, 0, 0)


def test_contact_work_decides_the_state_during_an_outbound_call() -> None:
    # busy 09:01:00-09:03:00 (outbound, then the contact: one busy state) = 120, acw
    # 09:03:00-09:03:30 = 30, busy (outbound) 09:03:30-09:05:00 = 90, ready 60 + 60 = 120;
    # logged in 360; occupancy 240 / 360; handled 1, aht 60 + 30 = 90.
    e = outbound_with_contact()
    at_0230 = e.snapshot("09:02:30")["agents"]["a1"]
    assert (at_0230["state"], at_0230["state_since"]) == ("busy", "2026-03-02T09:01:00+08:00")
    at_0320 = e.snapshot("09:03:20")["agents"]["a1"]
    assert (at_0320["state"], at_0320["state_since"]) == ("acw", "2026-03-02T09:03:00+08:00")
    at_0400 = e.snapshot("09:04:00")["agents"]["a1"]
    assert (at_0400["state"], at_0400["state_since"]) == ("busy", "2026-03-02T09:03:30+08:00")
    snap = e.snapshot("09:06:00")
    assert snap["agents"]["a1"]["15m"] == agent(
        logged_in_s=360.0, busy_s=210.0, acw_s=30.0, ready_s=120.0, utilization=1.0,
        occupancy=240 / 360, handled=1, aht_s=90.0)
    day = snap["queues"]["claims_report"]["day"]
    assert (day["offered"], day["answered"]) == (1, 1)
