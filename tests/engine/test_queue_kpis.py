"""Queue KPIs (spec §3) and their rollups from a hand-computed scenario.

T0 = 2026-03-02 09:00:00 +08:00; times below are seconds after T0; now = T0 + 300.
claims_report (voice, beijing, SL 20 s, short abandon < 5 s):
  c1 offered 10, answered 25 by a1 (wait 15, in SL), ended 85 transferred, wrap-up 100
     (handle 75), survey 4 at 120
  c2 offered 30, abandoned 33 (wait 3: short, in SL)
  c3 offered 40, answered 70 by a2 (wait 30, out of SL), ended 130, wrap-up 130 (handle 60),
     survey 2 at 140
  c4 offered 100, abandoned 150 (wait 50: not short, not in SL)
  c5 offered 290, still waiting at now (10 s)
  s1 self-served at 50
chat_claims (chat, chengdu, SL 60 s): h1 offered 60, answered 100 by a3 (wait 40, in SL)
s2: chat self-served without queue at 80 (counts in channel chat and all only).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.engine.helpers import (
    T0,
    abandoned,
    answered,
    ended,
    ev,
    offered,
    run,
    sample_settings,
    wrapup,
)


def scenario() -> list[Any]:
    return [
        offered("c1", 10),
        answered("c1", 25, "a1"),
        offered("c2", 30),
        abandoned("c2", 33),
        offered("c3", 40),
        ev("contact.self_served", 50, contact_id="s1", channel="voice", queue="claims_report"),
        offered("h1", 60, queue="chat_claims", channel="chat"),
        answered("c3", 70, "a2"),
        ev("contact.self_served", 80, contact_id="s2", channel="chat"),
        ended("c1", 85, "a1", "transferred"),
        offered("c4", 100),
        wrapup("c1", 100, "a1"),
        answered("h1", 100, "a3"),
        ev("survey.response", 120, contact_id="c1", score=4),
        ended("c3", 130, "a2"),
        wrapup("c3", 130, "a2"),
        ev("survey.response", 140, contact_id="c3", score=2),
        abandoned("c4", 150),
        offered("c5", 290),
    ]


CLAIMS = {
    "offered": 5,
    "answered": 2,
    "abandoned": 2,
    "short_abandoned": 1,
    "answered_in_sl": 1,
    "abandoned_in_sl": 1,
    "ended": 2,
    "transferred": 1,
    "handled": 2,
    "surveys": 2,
    "satisfied": 1,
    "self_served": 1,
    "service_level": 1 / 3,  # 1 / (2 + 2 - 1)
    "sl_abandons_ignored": 0.5,  # 1 / 2
    "sl_abandons_positive": 0.5,  # (1 + 1) / (2 + 2)
    "answer_rate": 0.5,  # 2 / 4
    "abandon_rate": 1 / 3,  # (2 - 1) / 3
    "asa_s": 22.5,  # (15 + 30) / 2
    "aht_s": 67.5,  # (75 + 60) / 2
    "transfer_rate": 0.5,
    "csat": 0.5,
    "self_service_rate": 1 / 3,  # 1 / (1 + 2)
    "in_queue": 1,
    "longest_wait_s": 10.0,
}
EMPTY = {
    "offered": 0, "answered": 0, "abandoned": 0, "short_abandoned": 0, "answered_in_sl": 0,
    "abandoned_in_sl": 0, "ended": 0, "transferred": 0, "handled": 0, "surveys": 0,
    "satisfied": 0, "self_served": 0, "service_level": None, "sl_abandons_ignored": None,
    "sl_abandons_positive": None, "answer_rate": None, "abandon_rate": None, "asa_s": None,
    "aht_s": None, "transfer_rate": None, "csat": None, "self_service_rate": None,
    "in_queue": 0, "longest_wait_s": None,
}
CHAT_CLAIMS = {
    **EMPTY,
    "offered": 1,
    "answered": 1,
    "answered_in_sl": 1,
    "service_level": 1.0,
    "sl_abandons_ignored": 1.0,
    "sl_abandons_positive": 1.0,
    "answer_rate": 1.0,
    "abandon_rate": 0.0,
    "asa_s": 40.0,
    "self_service_rate": 0.0,
}
WINDOW_NAMES = ("15m", "30m", "60m", "interval", "day")


@pytest.fixture(scope="module")
def snap() -> dict[str, Any]:
    return run(scenario(), 300)[1]


def test_every_queue_kpi_in_every_window(snap: dict[str, Any]) -> None:
    for name in WINDOW_NAMES:
        assert snap["queues"]["claims_report"][name] == pytest.approx(CLAIMS), name
        assert snap["queues"]["chat_claims"][name] == pytest.approx(CHAT_CLAIMS), name
        assert snap["queues"]["complaints"][name] == EMPTY


def test_queue_entry_carries_site_and_agents_now(snap: dict[str, Any]) -> None:
    assert snap["queues"]["claims_report"]["site"] == "beijing"
    assert snap["queues"]["chat_claims"]["site"] == "chengdu"
    assert snap["queues"]["claims_report"]["agents_now"] == {
        "staffed": 0, "ready": 0, "busy": 0, "acw": 0, "not_ready": 0,
    }


def test_channel_rollups_add_counters(snap: dict[str, Any]) -> None:
    assert snap["channels"]["voice"]["15m"] == pytest.approx(CLAIMS)
    # chat_claims plus the queue-less self-served chat: self_service_rate 1 / (1 + 1)
    chat = {**CHAT_CLAIMS, "self_served": 1, "self_service_rate": 0.5}
    assert snap["channels"]["chat"]["15m"] == pytest.approx(chat)


def test_site_rollups_follow_queue_sites(snap: dict[str, Any]) -> None:
    assert sorted(snap["sites"]) == ["beijing", "chengdu"]
    assert {k: v for k, v in snap["sites"]["beijing"]["15m"].items()} == pytest.approx(CLAIMS)
    # The queue-less self-served contact belongs to no site.
    assert snap["sites"]["chengdu"]["day"] == pytest.approx(CHAT_CLAIMS)


def test_all_rollup_recomputes_ratios_from_summed_counts(snap: dict[str, Any]) -> None:
    expected = {
        **CLAIMS,
        "offered": 6,
        "answered": 3,
        "answered_in_sl": 2,
        "self_served": 2,
        "service_level": 0.5,  # 2 / (3 + 2 - 1)
        "sl_abandons_ignored": 2 / 3,
        "sl_abandons_positive": 3 / 5,
        "answer_rate": 3 / 5,
        "abandon_rate": 1 / 4,
        "asa_s": (15 + 30 + 40) / 3,
        "self_service_rate": 2 / 5,
    }
    assert snap["all"]["60m"] == pytest.approx(expected)


def test_rolling_window_is_half_open_at_one_second_resolution() -> None:
    # now = T0 + 1000: 15m holds seconds 101..1000, so 100 is out and 101 is in; an event at
    # 100.5 lies in second 100 and is out too.
    events = [offered("x1", 100), offered("x2", 100.5), offered("x3", 101), offered("x4", 1000)]
    snap = run(events, 1000)[1]
    windows = snap["queues"]["claims_report"]
    assert windows["15m"]["offered"] == 2
    assert windows["30m"]["offered"] == 4
    assert windows["15m"]["in_queue"] == 4
    assert windows["15m"]["longest_wait_s"] == 900.0


def test_event_in_second_now_counts_and_later_contacts_are_not_in_queue() -> None:
    events = [offered("x1", 10), answered("x1", 300.4, "a1")]
    snap = run(events, 300, at_s=300.5)[1]
    w = snap["queues"]["claims_report"]["15m"]
    # Answered at 300.4 lies in second 300 (counted) but is after now for in_queue.
    assert (w["answered"], w["in_queue"], w["longest_wait_s"]) == (1, 1, 290.0)


def test_interval_and_day_start_at_local_boundaries() -> None:
    # now = 09:05 local: the 15-min interval began at 09:00, the day at 00:00 (+08:00).
    midnight = -9 * 3600
    events = [
        offered("y1", midnight - 1),
        offered("y2", midnight),
        offered("y3", -1),
        offered("y4", 0),
    ]
    snap = run(events, 300)[1]
    windows = snap["queues"]["claims_report"]
    assert windows["interval"]["offered"] == 1
    assert windows["day"]["offered"] == 3
    assert windows["60m"]["offered"] == 2


def test_thirty_minute_intervals() -> None:
    settings = sample_settings(interval_min=30)
    # now = 09:40: the interval began at 09:30 (T0 + 1800).
    events = [offered("z1", 1799), offered("z2", 1800), offered("z3", 2400)]
    snap = run(events, 2400, settings)[1]
    assert snap["queues"]["claims_report"]["interval"]["offered"] == 2
    assert snap["now"] == "2026-03-02T09:40:00+08:00"


def test_unconfigured_queue_is_listed_with_default_site() -> None:
    snap = run([offered("q1", 10, queue="mystery")], 20)[1]
    assert snap["queues"]["mystery"]["site"] == "beijing"
    assert snap["queues"]["mystery"]["15m"]["in_queue"] == 1


def test_now_is_formatted_in_local_time() -> None:
    snap = run([offered("q1", 10)], 20)[1]
    assert snap["now"] == "2026-03-02T09:00:20+08:00"
    assert T0 == 1772413200
