"""Agent KPIs (spec §4): time in state, clipping, chat concurrency, rollups, now-counts.

Times are seconds after T0 (09:00:00 +08:00).
a1 (team bj_claims_a): login 0; answers c1 at 25, ends 85, wraps up 100; not_ready break at
   150, lunch at 200, ready at 260.
   At now 300: ready 25 + 50 + 40 = 115, busy 60, acw 15, not_ready 110 (break 50, lunch 60).
a2 (team bj_claims_b, chat): login 0; answers h1 at 100 and h2 at 120; h2 ends and wraps up
   at 140; h1 ends 160 and wraps up 180. Busy while any chat is active: 100..160 = 60,
   acw 160..180 = 20, ready 100 + 120 = 220. Handled 2: h2 20 s, h1 80 s, aht 50.
"""

from __future__ import annotations

from typing import Any

import pytest

from schemas.config import Settings
from tests.engine.helpers import (
    T0,
    answered,
    ended,
    login,
    logout,
    offered,
    run,
    sample_settings,
    state,
    wrapup,
)


def scenario() -> list[Any]:
    return [
        login("a1", 0),
        login("a2", 0, team="bj_claims_b"),
        offered("c1", 10),
        answered("c1", 25, "a1"),
        ended("c1", 85, "a1"),
        offered("h1", 90, queue="chat_claims", channel="chat"),
        wrapup("c1", 100, "a1"),
        answered("h1", 100, "a2"),
        offered("h2", 110, queue="chat_claims", channel="chat"),
        answered("h2", 120, "a2"),
        ended("h2", 140, "a2"),
        wrapup("h2", 140, "a2"),
        state("a1", 150, "not_ready", "break"),
        ended("h1", 160, "a2"),
        wrapup("h1", 180, "a2"),
        state("a1", 200, "not_ready", "lunch"),
        state("a1", 260, "ready"),
    ]


A1 = {
    "logged_in_s": 300.0,
    "busy_s": 60.0,
    "acw_s": 15.0,
    "ready_s": 115.0,
    "not_ready_s": 110.0,
    "not_ready_by_reason_s": {"break": 50.0, "lunch": 60.0},
    "utilization": 190 / 300,
    "occupancy": 75 / 190,
    "handled": 1,
    "aht_s": 75.0,
    "ultra_short": 0,
    "ultra_long": 0,
}
A2 = {
    "logged_in_s": 300.0,
    "busy_s": 60.0,
    "acw_s": 20.0,
    "ready_s": 220.0,
    "not_ready_s": 0.0,
    "not_ready_by_reason_s": {},
    "utilization": 1.0,
    "occupancy": 80 / 300,
    "handled": 2,
    "aht_s": 50.0,
    "ultra_short": 0,
    "ultra_long": 0,
}


@pytest.fixture(scope="module")
def snap() -> dict[str, Any]:
    return run(scenario(), 300)[1]


def test_agent_time_in_state_and_ratios(snap: dict[str, Any]) -> None:
    for name in ("15m", "30m", "60m", "interval", "day"):
        assert snap["agents"]["a1"][name] == A1, name
        assert snap["agents"]["a2"][name] == A2, name


def test_agent_state_now(snap: dict[str, Any]) -> None:
    a1 = snap["agents"]["a1"]
    assert (a1["state"], a1["state_since"], a1["reason"]) == (
        "ready",
        "2026-03-02T09:04:20+08:00",
        None,
    )
    assert (a1["team"], a1["site"]) == ("bj_claims_a", "beijing")


def test_team_and_site_rollups_add_durations(snap: dict[str, Any]) -> None:
    team = snap["teams"]["bj_claims_b"]
    assert team["15m"] == A2
    assert (team["staffed"], team["ready"], team["busy"]) == (1, 1, 0)
    site = snap["sites"]["beijing"]["agents"]
    assert site["day"] == (
        {
            "logged_in_s": 600.0,
            "busy_s": 120.0,
            "acw_s": 35.0,
            "ready_s": 335.0,
            "not_ready_s": 110.0,
            "not_ready_by_reason_s": {"break": 50.0, "lunch": 60.0},
            "utilization": 490 / 600,
            "occupancy": 155 / 490,
            "handled": 3,
            "aht_s": 175 / 3,
            "ultra_short": 0,
            "ultra_long": 0,
        }
    )
    assert (site["staffed"], site["ready"], site["not_ready"]) == (2, 2, 0)


def test_queue_agents_now_counts_teams_serving_it(snap: dict[str, Any]) -> None:
    # claims_report is served by bj_claims_a and bj_claims_b.
    assert snap["queues"]["claims_report"]["agents_now"] == {
        "staffed": 2, "ready": 2, "busy": 0, "acw": 0, "not_ready": 0,
    }
    assert snap["queues"]["chat_claims"]["agents_now"]["staffed"] == 0


def test_now_counts_by_state_mid_scenario() -> None:
    # At 130: a1 in acw? no: a1 ready (wrapped up at 100); a2 busy with h1 and h2.
    snap = run(scenario(), 130)[1]
    assert snap["agents"]["a2"]["state"] == "busy"
    assert snap["agents"]["a2"]["state_since"] == "2026-03-02T09:01:40+08:00"
    assert snap["teams"]["bj_claims_b"]["busy"] == 1
    snap = run(scenario(), 170)[1]
    assert snap["agents"]["a2"]["state"] == "acw"
    assert snap["agents"]["a1"]["state"] == "not_ready"
    assert snap["agents"]["a1"]["reason"] == "break"
    assert snap["teams"]["bj_claims_a"]["not_ready"] == 1


def test_state_time_is_clipped_to_each_window() -> None:
    # a1 logs out at 600; now 1200. 15m = [300, 1200]: logged in 300..600, ready since 260.
    events = [*scenario(), logout("a1", 600), logout("a2", 600)]
    snap = run(events, 1200)[1]
    a1 = snap["agents"]["a1"]
    assert a1["15m"]["logged_in_s"] == 300.0
    assert a1["15m"]["ready_s"] == 300.0
    assert a1["15m"]["handled"] == 0
    assert a1["30m"]["logged_in_s"] == 600.0
    assert a1["30m"]["ready_s"] == 415.0
    assert (a1["state"], a1["state_since"]) == ("logged_out", "2026-03-02T09:10:00+08:00")


def test_explicit_state_resumes_after_contact_work() -> None:
    # not_ready (meeting) at 10; a contact 20..40 (busy), wrap-up 50; back to not_ready.
    events = [
        login("a1", 0),
        state("a1", 10, "not_ready", "meeting"),
        offered("c1", 15),
        answered("c1", 20, "a1"),
        ended("c1", 40, "a1"),
        wrapup("c1", 50, "a1"),
    ]
    a1 = run(events, 100)[1]["agents"]["a1"]
    assert a1["15m"]["not_ready_by_reason_s"] == {"meeting": 60.0}
    assert (a1["15m"]["busy_s"], a1["15m"]["acw_s"], a1["15m"]["ready_s"]) == (20.0, 10.0, 10.0)
    assert (a1["state"], a1["reason"], a1["state_since"]) == (
        "not_ready",
        "meeting",
        "2026-03-02T09:00:50+08:00",
    )


def test_agent_without_login_appears_when_it_handled_a_contact() -> None:
    events = [
        offered("c1", 0),
        answered("c1", 5, "a9"),
        ended("c1", 50, "a9"),
        wrapup("c1", 60, "a9"),
    ]
    snap = run(events, 100)[1]
    a9 = snap["agents"]["a9"]
    assert (a9["state"], a9["state_since"], a9["team"]) == ("logged_out", None, None)
    assert (a9["15m"]["handled"], a9["15m"]["logged_in_s"]) == (1, 0.0)
    assert snap["teams"] == {}


def test_agent_time_is_clipped_to_interval_and_local_day() -> None:
    # Logged in at 08:58:20 (T0 - 100); now 09:05 (T0 + 300): the interval began at 09:00.
    snap = run([login("a1", -100)], 300)[1]
    a1 = snap["agents"]["a1"]
    assert (a1["15m"]["logged_in_s"], a1["interval"]["logged_in_s"]) == (400.0, 300.0)
    assert a1["day"]["logged_in_s"] == 400.0


def test_final_segments_are_split_at_local_midnight() -> None:
    # Logged in 100 s before midnight (+08:00), a state change after it, now 200 s after it.
    midnight = -9 * 3600
    events = [
        login("a1", midnight - 100),
        state("a1", midnight + 50, "not_ready", "break"),
        state("a1", midnight + 150, "ready"),
    ]
    # Decide in live mode (watermark = latest - 30) so the segments become final first.
    engine, _ = run(events, midnight + 200, finish=False)
    engine.ingest(offered("late", midnight + 250), 99)
    a1 = engine.snapshot(T0 + midnight + 200)["agents"]["a1"]
    assert a1["day"]["logged_in_s"] == 200.0
    assert a1["day"]["not_ready_by_reason_s"] == {"break": 100.0}
    assert a1["60m"]["logged_in_s"] == 300.0


def outbound_settings() -> Settings:
    """The sample config with a 30 s long_away limit on `outbound`: it must not apply."""
    base = sample_settings()
    defaults = base.team_defaults
    limits = {**defaults.long_away_s, "outbound": 30.0}
    return base.model_copy(
        update={"team_defaults": defaults.model_copy(update={"long_away_s": limits})}
    )


def test_outbound_call_is_busy_time_and_never_a_queue_contact() -> None:
    # Hand-worked (kpi-semantics §4): login 0, ready 0..60, outbound (not_ready reason
    # outbound) 60..160, ready 160..200; now 200. busy 100, ready 60 + 40 = 100,
    # not_ready 0, occupancy 100 / 200 = 0.5, utilization 200 / 200 = 1, handled 0.
    events = [
        login("a1", 0),
        state("a1", 60, "not_ready", "outbound"),
        state("a1", 160, "ready"),
    ]
    settings = outbound_settings()
    snap = run(events, 200, settings)[1]
    expected = {
        "logged_in_s": 200.0,
        "busy_s": 100.0,
        "acw_s": 0.0,
        "ready_s": 100.0,
        "not_ready_s": 0.0,
        "not_ready_by_reason_s": {},
        "utilization": 1.0,
        "occupancy": 0.5,
        "handled": 0,
        "aht_s": None,
        "ultra_short": 0,
        "ultra_long": 0,
    }
    for name in ("15m", "30m", "60m", "day"):
        assert snap["agents"]["a1"][name] == expected, name
    assert snap["teams"]["bj_claims_a"]["15m"] == expected
    # No queue contact, and no long_away although a 30 s limit is configured.
    assert snap["queues"]["claims_report"]["day"]["offered"] == 0
    assert snap["alerts"] == []
    # During the call the agent is busy (reason null) and counted busy now.
    during = run(events, 100, settings)[1]
    a1 = during["agents"]["a1"]
    assert (a1["state"], a1["state_since"], a1["reason"]) == (
        "busy",
        "2026-03-02T09:01:00+08:00",
        None,
    )
    team = during["teams"]["bj_claims_a"]
    assert (team["busy"], team["not_ready"], team["ready"]) == (1, 0, 0)
    assert during["alerts"] == []
