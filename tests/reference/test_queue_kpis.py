"""Queue KPIs (kpi-semantics §3) on a hand-computed morning, now = 10:05:00 (+08:00).

Windows at now: 15m = seconds (09:50:00, 10:05:00], 30m (09:35:00, ...], 60m
(09:05:00, ...], interval [10:00:00, 10:05:00], day [00:00:00, 10:05:00].

claims_report (voice, SL 20 s, beijing):
  c0 offered 08:00:00, answered 08:00:05 (wait 5, in SL) by a1, ended 08:01:05,
     wrapped 08:01:05 (handle 60)                                    -> day only
  c1 offered 09:50:00 (on the 15m boundary: not in 15m), answered 09:50:10 (wait 10),
     ended 09:52:10, wrapped 09:52:40 (handle 120 + 30 = 150), survey 4 at 09:53:00
  c2 offered 09:51:00, answered 09:51:30 (wait 30, not in SL) by a2, ended 09:55:30
     transferred, wrapped 09:56:00 (handle 240 + 30 = 270), survey 2 at 09:57:00
  c3 offered 09:52:00, abandoned 09:52:03 (wait 3: short, in SL)
  c4 offered 09:53:00, abandoned 09:53:25 (wait 25: not short, not in SL)
  c5 offered 09:58:00, still waiting at now (420 s)
  c8 offered 10:00:00 (interval start), answered 10:00:05 (wait 5), ended 10:00:08,
     wrapped 10:00:08 (handle 3)
  self-served in claims_report at 09:54:00
chat_service (chat, SL 60 s, chengdu):
  c6 offered 09:40:00, answered 09:40:50 (wait 50, in SL) by a2, ended 09:45:50,
     wrapped 09:46:00 (handle 300 + 10 = 310)
  c7 offered 09:59:30, still waiting at now (330 s)
  a chat self-served without a queue at 09:54:30 (channel chat and all only)
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.reference.scenario import Events


def morning() -> Events:
    e = Events()
    e.offered("08:00:00", "c0", "claims_report")
    e.answered("08:00:05", "c0", "a1")
    e.ended("08:01:05", "c0", "a1")
    e.wrapped("08:01:05", "c0", "a1")
    e.offered("09:40:00", "c6", "chat_service", "chat")
    e.answered("09:40:50", "c6", "a2")
    e.ended("09:45:50", "c6", "a2")
    e.wrapped("09:46:00", "c6", "a2")
    e.offered("09:50:00", "c1", "claims_report")
    e.answered("09:50:10", "c1", "a1")
    e.offered("09:51:00", "c2", "claims_report")
    e.answered("09:51:30", "c2", "a2")
    e.offered("09:52:00", "c3", "claims_report")
    e.abandoned("09:52:03", "c3")
    e.ended("09:52:10", "c1", "a1")
    e.wrapped("09:52:40", "c1", "a1")
    e.offered("09:53:00", "c4", "claims_report")
    e.survey("09:53:00", "c1", 4)
    e.abandoned("09:53:25", "c4")
    e.add("contact.self_served", "09:54:00", contact_id="s1", channel="voice",
          queue="claims_report")
    e.add("contact.self_served", "09:54:30", contact_id="s2", channel="chat")
    e.ended("09:55:30", "c2", "a2", "transferred")
    e.wrapped("09:56:00", "c2", "a2")
    e.survey("09:57:00", "c2", 2)
    e.offered("09:58:00", "c5", "claims_report")
    e.offered("09:59:30", "c7", "chat_service", "chat")
    e.offered("10:00:00", "c8", "claims_report")
    e.answered("10:00:05", "c8", "a1")
    e.ended("10:00:08", "c8", "a1")
    e.wrapped("10:00:08", "c8", "a1")
    return e


def kpis(**values: Any) -> dict[str, Any]:
    """A full QueueKpis dict: zero counts and null ratios unless given."""
    base: dict[str, Any] = dict.fromkeys(
        ("offered", "answered", "abandoned", "short_abandoned", "answered_in_sl",
         "abandoned_in_sl", "ended", "transferred", "handled", "surveys", "satisfied",
         "self_served", "in_queue"), 0)
    base.update(dict.fromkeys(
        ("service_level", "sl_abandons_ignored", "sl_abandons_positive", "answer_rate",
         "abandon_rate", "asa_s", "aht_s", "transfer_rate", "csat", "self_service_rate",
         "longest_wait_s")))
    base.update(values)
    return base


# claims_report over 15m: answered c1 c2 c8 (waits 10+30+5 = 45, in SL c1 c8),
# abandoned c3 (short, in SL) c4; SL = 2 / (3 + 2 - 1) = 0.5.
CLAIMS_15M = kpis(
    offered=5, answered=3, abandoned=2, short_abandoned=1, answered_in_sl=2,
    abandoned_in_sl=1, ended=3, transferred=1, handled=3, surveys=2, satisfied=1,
    self_served=1, in_queue=1, longest_wait_s=420.0,
    service_level=0.5, sl_abandons_ignored=2 / 3, sl_abandons_positive=0.6,
    answer_rate=0.6, abandon_rate=0.25, asa_s=15.0, aht_s=423 / 3, transfer_rate=1 / 3,
    csat=0.5, self_service_rate=0.25,
)
# 30m and 60m add c1's offer (09:50:00).
CLAIMS_30M = {**CLAIMS_15M, "offered": 6}
# Interval [10:00:00, 10:05:00]: c8 only.
CLAIMS_INTERVAL = kpis(
    offered=1, answered=1, answered_in_sl=1, ended=1, handled=1, in_queue=1,
    longest_wait_s=420.0, service_level=1.0, sl_abandons_ignored=1.0,
    sl_abandons_positive=1.0, answer_rate=1.0, abandon_rate=0.0, asa_s=5.0, aht_s=3.0,
    transfer_rate=0.0, self_service_rate=0.0,
)
# Day adds c0: answered 4 (waits 50, 3 in SL), handled 4 (150 + 270 + 3 + 60 = 483).
CLAIMS_DAY = kpis(
    offered=7, answered=4, abandoned=2, short_abandoned=1, answered_in_sl=3,
    abandoned_in_sl=1, ended=4, transferred=1, handled=4, surveys=2, satisfied=1,
    self_served=1, in_queue=1, longest_wait_s=420.0,
    service_level=0.6, sl_abandons_ignored=0.75, sl_abandons_positive=4 / 6,
    answer_rate=4 / 6, abandon_rate=0.2, asa_s=12.5, aht_s=120.75, transfer_rate=0.25,
    csat=0.5, self_service_rate=0.2,
)
# chat_service: only c7's offer in 15m; c6 in 30m and later.
CHAT_15M = kpis(offered=1, in_queue=1, longest_wait_s=330.0)
CHAT_30M = kpis(
    offered=2, answered=1, answered_in_sl=1, ended=1, handled=1, in_queue=1,
    longest_wait_s=330.0, service_level=1.0, sl_abandons_ignored=1.0,
    sl_abandons_positive=1.0, answer_rate=1.0, abandon_rate=0.0, asa_s=50.0, aht_s=310.0,
    transfer_rate=0.0, self_service_rate=0.0,
)
EMPTY_NOW = kpis()


@pytest.fixture(scope="module")
def snap() -> dict[str, Any]:
    return morning().snapshot("10:05:00.700")


def test_now_is_the_floor_of_at(snap: dict[str, Any]) -> None:
    assert snap["now"] == "2026-03-02T10:05:00+08:00"


def test_queue_windows_count_each_contact_at_its_completing_second(snap: dict[str, Any]) -> None:
    claims = snap["queues"]["claims_report"]
    assert claims["15m"] == CLAIMS_15M
    assert claims["30m"] == CLAIMS_30M
    assert claims["60m"] == CLAIMS_30M
    assert claims["interval"] == CLAIMS_INTERVAL
    assert claims["day"] == CLAIMS_DAY
    assert claims["site"] == "beijing"


def test_chat_queue_uses_the_chat_service_level_threshold(snap: dict[str, Any]) -> None:
    chat = snap["queues"]["chat_service"]
    assert chat["15m"] == CHAT_15M
    assert chat["30m"] == CHAT_30M
    assert chat["interval"] == kpis(in_queue=1, longest_wait_s=330.0)
    assert chat["site"] == "chengdu"


def test_configured_queues_are_listed_even_when_idle(snap: dict[str, Any]) -> None:
    assert sorted(snap["queues"]) == [
        "chat_claims", "chat_service", "claims_report", "complaints", "new_policy_callback",
        "policy_service",
    ]
    assert snap["queues"]["complaints"]["day"] == EMPTY_NOW
    assert sorted(snap["sites"]) == ["beijing", "chengdu"]


def test_channel_rollup_adds_counters_and_unqueued_self_service(snap: dict[str, Any]) -> None:
    assert snap["channels"]["voice"]["15m"] == CLAIMS_15M
    # chat 15m: c7 offered and waiting, plus the queue-less self-served contact.
    assert snap["channels"]["chat"]["15m"] == kpis(
        offered=1, self_served=1, in_queue=1, longest_wait_s=330.0, self_service_rate=1.0
    )


def test_site_rollup_follows_the_queue_site_from_config(snap: dict[str, Any]) -> None:
    assert snap["sites"]["beijing"]["15m"] == CLAIMS_15M
    # The queue-less chat self-service has no site.
    assert snap["sites"]["chengdu"]["15m"] == CHAT_15M
    assert snap["sites"]["chengdu"]["30m"] == CHAT_30M


def test_all_rollup_recomputes_ratios_from_summed_counters(snap: dict[str, Any]) -> None:
    # 15m: claims_report + c7 offer + chat self-service; in_queue adds (c5, c7), longest
    # is the max (420). self_service_rate = 2 / (2 + 3).
    assert snap["all"]["15m"] == {
        **CLAIMS_15M, "offered": 6, "self_served": 2, "in_queue": 2,
        "self_service_rate": 0.4,
    }
    # 30m: answered c1 c2 c8 c6 (waits 95, in SL 3), handled 4 (423 + 310).
    assert snap["all"]["30m"] == kpis(
        offered=8, answered=4, abandoned=2, short_abandoned=1, answered_in_sl=3,
        abandoned_in_sl=1, ended=4, transferred=1, handled=4, surveys=2, satisfied=1,
        self_served=2, in_queue=2, longest_wait_s=420.0,
        service_level=0.6, sl_abandons_ignored=0.75, sl_abandons_positive=4 / 6,
        answer_rate=4 / 6, abandon_rate=0.2, asa_s=23.75, aht_s=183.25, transfer_rate=0.25,
        csat=0.5, self_service_rate=2 / 6,
    )


def test_waiting_contact_offered_after_now_is_not_in_queue() -> None:
    e = Events()
    e.offered("10:00:00.200", "c1", "claims_report")
    snap = e.snapshot("10:00:00.500")  # now = 10:00:00, the offer is at 10:00:00.2
    claims = snap["queues"]["claims_report"]["15m"]
    assert (claims["offered"], claims["in_queue"], claims["longest_wait_s"]) == (1, 0, None)


def test_outcome_after_now_leaves_the_contact_waiting_at_now() -> None:
    e = Events()
    e.offered("09:59:00", "c1", "claims_report")
    e.answered("10:00:00.250", "c1", "a1")
    claims = e.snapshot("10:00:00.500")["queues"]["claims_report"]["15m"]
    # Answered in second 10:00:00 (counted), but at now = 10:00:00 it was still waiting.
    assert (claims["answered"], claims["in_queue"], claims["longest_wait_s"]) == (1, 1, 60.0)
    assert claims["asa_s"] == 60.25


def test_interval_and_day_start_in_shanghai_time() -> None:
    e = Events()
    # 2026-03-01T15:59:59Z is 23:59:59 local on the day before.
    e.raw('{"event_id":"y","ts":"2026-03-01T15:59:59Z","type":"contact.offered",'
          '"contact_id":"c0","queue":"claims_report","channel":"voice"}')
    e.offered("00:00:00", "c1", "claims_report")
    e.offered("00:29:59", "c2", "claims_report")
    e.offered("00:30:00", "c3", "claims_report")
    claims = e.snapshot("00:44:59")["queues"]["claims_report"]
    # c0 is 23:59:59 local on the day before: in 60m, not in the day.
    assert claims["60m"]["offered"] == 4
    assert claims["day"]["offered"] == 3
    # 15-min interval [00:30:00, 00:44:59]; 15m rolling window (00:29:59, 00:44:59].
    assert claims["interval"]["offered"] == 1
    assert claims["15m"]["offered"] == 1
