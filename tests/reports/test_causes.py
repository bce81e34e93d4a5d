"""The cause analysis of a missed interval, pinned by hand-worked cases.

Queue `claims`: voice, target 80 % within 20 s, max occupancy 0.85 (default), 15-minute
intervals. Forecast 100 contacts at a planned AHT of 180 s = 100 × 180 / 900 = 20 Erlangs.
By hand (Erlang C, SL = 1 − C(N, A)·e^(−(N−A)·20/180)):
- A = 20: N = 23 gives SL 0.77 (< 0.80); N = 24 gives SL 0.809 and occupancy 20/24 = 0.833
  → 24 agents.
- A = 28 (140 contacts, +40 %): N = 32 has occupancy 28/32 = 0.875 > 0.85; N = 33 gives
  SL 0.844, occupancy 0.848 → 33 agents.
"""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pipeline.reports.causes import IntervalFacts, agents_required, decompose, sentence
from tests.reports.sim import settings

START = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _erlang_c_sl(agents: int, erlangs: float, aht_s: float, within_s: float) -> float:
    top = erlangs**agents / math.factorial(agents) * agents / (agents - erlangs)
    bottom = sum(erlangs**k / math.factorial(k) for k in range(agents)) + top
    return 1 - top / bottom * math.exp(-(agents - erlangs) * within_s / aht_s)


def test_the_requirements_are_the_hand_worked_erlang_c_agents() -> None:
    assert _erlang_c_sl(23, 20.0, 180.0, 20.0) < 0.8 <= _erlang_c_sl(24, 20.0, 180.0, 20.0)
    assert 28 / 32 > 0.85 >= 28 / 33
    assert _erlang_c_sl(33, 28.0, 180.0, 20.0) >= 0.8
    assert agents_required("claims", 100, 180.0, 900, settings()) == 24
    assert agents_required("claims", 140, 180.0, 900, settings()) == 33


def _facts(actual: float, actual_aht: float, available: float | None) -> IntervalFacts:
    return IntervalFacts("claims", START, 900, 0.55, 0.8, forecast=100.0, actual=actual,
                         planned_aht_s=180.0, actual_aht_s=actual_aht, available=available)


def test_volume_forty_percent_above_forecast_is_the_whole_cause() -> None:
    d = decompose(_facts(140, 180.0, 24.0), settings())

    assert (d.required_plan, d.required_volume, d.required_handling, d.required_actual) == (
        24, 33, 24, 33)
    assert (d.volume, d.handling, d.staffing, d.shortfall) == (9.0, 0.0, 0.0, 9.0)
    assert d.shares() == {"volume": 1.0}
    assert sentence(d, "en") == (
        "2026-03-02 10:00 claims: service level 55.0% missed the 80.0% target; 9.0 agents "
        "short (24.0 available, 33 required): volume above forecast (140 contacts vs 100.0 "
        "forecast) 100.0%.")
    assert sentence(d, "zh") == (
        "2026-03-02 10:00 claims：服务水平 55.0%，低于目标 80.0%；"
        "缺 9.0 名坐席（在岗 24.0，需 33）："
        "来话量高于预测（实际 140，预测 100.0） 占 100.0%。")


def test_fewer_agents_than_planned_is_the_whole_cause() -> None:
    d = decompose(_facts(100, 180.0, 20.0), settings())

    assert (d.volume, d.handling, d.staffing, d.shortfall) == (0.0, 0.0, 4.0, 4.0)
    assert sentence(d, "en") == (
        "2026-03-02 10:00 claims: service level 55.0% missed the 80.0% target; 4.0 agents "
        "short (20.0 available, 24 required): fewer agents than required (20.0 available vs "
        "24 planned) 100.0%.")
    assert sentence(d, "zh") == (
        "2026-03-02 10:00 claims：服务水平 55.0%，低于目标 80.0%；"
        "缺 4.0 名坐席（在岗 20.0，需 24）："
        "在岗坐席少于计划需求（在岗 20.0，计划需 24） 占 100.0%。")


def test_volume_and_handle_time_split_symmetrically_and_add_up_to_the_shortfall() -> None:
    # 140 contacts at 252 s (AHT +40 %): R(F,h0)=24, R(V,h0)=33, R(F,h)=R(V,h0)=33 (same
    # traffic, 28 Erlangs), R(V,h)=45 (39.2 Erlangs); 22 available.
    d = decompose(_facts(140, 252.0, 22.0), settings())

    assert (d.required_plan, d.required_volume, d.required_handling) == (24, 33, 33)
    assert d.required_actual == agents_required("claims", 140, 252.0, 900, settings())
    assert d.volume == d.handling == (d.required_actual - 24) / 2
    assert d.staffing == 2.0
    assert d.volume + d.handling + d.staffing == pytest.approx(d.shortfall)
    assert list(d.shares()) == ["handling", "volume", "staffing"]


def test_a_miss_with_enough_agents_is_not_blamed_on_volume_handling_or_staff() -> None:
    d = decompose(_facts(100, 180.0, 25.0), settings())

    assert d.shortfall == -1.0
    assert sentence(d, "en") == (
        "2026-03-02 10:00 claims: service level 55.0% missed the 80.0% target although the "
        "25.0 agents available covered the 24 required at the actual volume and handle time: "
        "not explained by volume, handle time or headcount.")


def test_without_staffed_agents_only_the_rise_in_requirement_is_explained() -> None:
    d = decompose(_facts(140, 180.0, None), settings())

    assert d.staffing is None and d.shortfall is None
    assert sentence(d, "en") == (
        "2026-03-02 10:00 claims: service level 55.0% missed the 80.0% target; agents "
        "required rose from 24 to 33: volume above forecast (140 contacts vs 100.0 forecast) "
        "100.0%; staffed agents are not in the archive.")
