"""The archive queries on hand-made Parquet files, with exact values."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.archive.query import (
    AgentDay,
    IntervalCount,
    ProfileSlot,
    QueueDay,
    agent_days,
    interval_counts,
    interval_profile,
    past_days,
    queue_days,
)
from tests.archive.helpers import agent_kpis, queue_kpis, write_archive


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    q = "claims_report"
    write_archive(tmp_path, [
        ("queue", q, "2026-02-20T09:00:00+08:00", queue_kpis(offered=99, answered=99)),
        ("queue", q, "2026-03-02T09:00:00+08:00", queue_kpis(
            offered=10, answered=8, abandoned=2, short_abandoned=1, answered_in_sl=6,
            service_level=6 / 9, asa_s=12.5, handled=7, aht_s=200.0)),
        ("queue", q, "2026-03-02T09:15:00+08:00", queue_kpis(
            offered=20, answered=18, abandoned=1, answered_in_sl=17, service_level=17 / 19,
            asa_s=10.0, handled=16, aht_s=250.0)),
        ("queue", "policy_service", "2026-03-02T09:00:00+08:00", queue_kpis(offered=50)),
        ("queue", q, "2026-03-03T09:00:00+08:00", queue_kpis(
            offered=5, answered=5, answered_in_sl=5, service_level=1.0, asa_s=4.0, handled=5,
            aht_s=100.0)),
        ("queue", q, "2026-03-03T09:30:00+08:00", queue_kpis(offered=1)),
        ("agent", "a001", "2026-03-02T09:00:00+08:00", agent_kpis(
            logged_in_s=900.0, busy_s=500.0, acw_s=100.0, ready_s=200.0, not_ready_s=100.0,
            not_ready_by_reason_s={"break": 100.0}, handled=3, aht_s=200.0, ultra_short=1)),
        ("agent", "a001", "2026-03-02T09:15:00+08:00", agent_kpis(
            logged_in_s=900.0, busy_s=600.0, acw_s=150.0, ready_s=50.0, not_ready_s=100.0,
            not_ready_by_reason_s={"lunch": 100.0}, handled=4, aht_s=187.5, ultra_long=1)),
        ("agent", "a002", "2026-03-02T09:00:00+08:00", agent_kpis(logged_in_s=900.0)),
        ("agent", "a001", "2026-03-04T10:00:00+08:00", agent_kpis(logged_in_s=600.0)),
    ])
    return tmp_path


def test_interval_counts_are_every_interval_of_the_queue_in_the_days(archive: Path) -> None:
    def start(text: str) -> int:
        return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
                   .timestamp())

    assert interval_counts(archive, "claims_report", date(2026, 3, 1), date(2026, 3, 7)) == [
        IntervalCount(start("2026-03-02T09:00"), 10, 200.0),
        IntervalCount(start("2026-03-02T09:15"), 20, 250.0),
        IntervalCount(start("2026-03-03T09:00"), 5, 100.0),
        IntervalCount(start("2026-03-03T09:30"), 1, None),
    ]
    assert interval_counts(archive, "no_such_queue", date(2026, 3, 1), date(2026, 3, 7)) == []


def test_past_days_are_the_whole_days_before_today() -> None:
    assert past_days(date(2026, 3, 8), 7) == (date(2026, 3, 1), date(2026, 3, 7))


def test_daily_totals_recompute_service_level_from_summed_counts(archive: Path) -> None:
    days = queue_days(archive, "claims_report", date(2026, 3, 1), date(2026, 3, 7))

    assert days == [
        QueueDay(day=date(2026, 3, 2), offered=30, answered=26, abandoned=3, short_abandoned=1,
                 answered_in_sl=23, handled=23, service_level=23 / 28, abandon_rate=2 / 28,
                 asa_s=280 / 26, aht_s=5400 / 23),
        QueueDay(day=date(2026, 3, 3), offered=6, answered=5, abandoned=0, short_abandoned=0,
                 answered_in_sl=5, handled=5, service_level=1.0, abandon_rate=0.0,
                 asa_s=4.0, aht_s=100.0),
    ]
    # Not the mean of the intervals' ratios (0.7807...).
    assert days[0].service_level == pytest.approx(0.8214285714285714)


def test_daily_totals_stay_inside_the_date_range(archive: Path) -> None:
    days = queue_days(archive, "claims_report", date(2026, 2, 1), date(2026, 3, 2))
    assert [(d.day, d.offered) for d in days] == [(date(2026, 2, 20), 99),
                                                  (date(2026, 3, 2), 30)]


def test_daily_totals_of_an_unknown_queue_or_an_empty_archive_are_empty(
    archive: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert queue_days(archive, "no_such_queue", date(2026, 3, 1), date(2026, 3, 7)) == []
    empty = tmp_path_factory.mktemp("empty")
    assert queue_days(empty, "claims_report", date(2026, 3, 1), date(2026, 3, 7)) == []
    assert agent_days(empty, "a001", date(2026, 3, 1), date(2026, 3, 7)) == []


def test_a_quoted_id_is_a_value_not_sql(archive: Path) -> None:
    sneaky = "x' OR '1'='1"
    assert queue_days(archive, sneaky, date(2026, 3, 1), date(2026, 3, 7)) == []


def test_interval_profile_sums_each_local_slot_over_the_days(archive: Path) -> None:
    slots = interval_profile(archive, "claims_report", date(2026, 3, 1), date(2026, 3, 7),
                             zone_name="Asia/Shanghai")

    assert slots == [
        ProfileSlot(slot="09:00", days=2, offered=15, offered_per_day=7.5, answered=13,
                    abandoned=2, service_level=11 / 14, asa_s=120 / 13, aht_s=1900 / 12),
        ProfileSlot(slot="09:15", days=1, offered=20, offered_per_day=20.0, answered=18,
                    abandoned=1, service_level=17 / 19, asa_s=10.0, aht_s=250.0),
        ProfileSlot(slot="09:30", days=1, offered=1, offered_per_day=1.0, answered=0,
                    abandoned=0, service_level=None, asa_s=None, aht_s=None),
    ]


def test_interval_profile_slots_follow_the_requested_zone(archive: Path) -> None:
    slots = interval_profile(archive, "claims_report", date(2026, 3, 3), date(2026, 3, 3),
                             zone_name="UTC")
    assert [(s.slot, s.offered) for s in slots] == [("01:00", 5), ("01:30", 1)]


def test_agent_days_recompute_ratios_from_summed_durations(archive: Path) -> None:
    days = agent_days(archive, "a001", date(2026, 3, 1), date(2026, 3, 7))

    assert days == [
        AgentDay(day=date(2026, 3, 2), logged_in_s=1800.0, busy_s=1100.0, acw_s=250.0,
                 ready_s=250.0, not_ready_s=200.0, handled=7, aht_s=1350 / 7,
                 utilization=1600 / 1800, occupancy=1350 / 1600, ultra_short=1, ultra_long=1),
        AgentDay(day=date(2026, 3, 4), logged_in_s=600.0, busy_s=0.0, acw_s=0.0, ready_s=0.0,
                 not_ready_s=0.0, handled=0, aht_s=None, utilization=0.0, occupancy=None,
                 ultra_short=0, ultra_long=0),
    ]
