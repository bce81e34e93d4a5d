"""The dashboard's past-days views: archive reads (cached per file state) and the pure
functions turning query results into rows, series and notes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dashboard.archive_data import ArchiveData, ArchiveUnavailable, archive_dir_from_env
from dashboard.history_views import (
    daily_series,
    history_note,
    my_week_columns,
    my_week_rows,
    period_total,
    profile_series,
    queue_day_rows,
)
from pipeline.archive.query import AgentDay, ProfileSlot, QueueDay
from schemas.snapshot import AgentKpis
from tests.archive.helpers import queue_kpis, write_archive

TODAY = date(2026, 3, 8)
MAR_2 = QueueDay(day=date(2026, 3, 2), offered=30, answered=26, abandoned=3, short_abandoned=1,
                 answered_in_sl=23, handled=23, service_level=23 / 28, abandon_rate=2 / 28,
                 asa_s=280 / 26, aht_s=5400 / 23)
MAR_4 = QueueDay(day=date(2026, 3, 4), offered=6, answered=5, abandoned=0, short_abandoned=0,
                 answered_in_sl=5, handled=5, service_level=1.0, abandon_rate=0.0, asa_s=4.0,
                 aht_s=100.0)


def test_daily_series_has_every_day_of_the_range_with_gaps_as_none() -> None:
    series = daily_series([MAR_2, MAR_4], TODAY, 7)

    assert series.days == ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04",
                           "2026-03-05", "2026-03-06", "2026-03-07"]
    assert series.offered == [None, 30, None, 6, None, None, None]
    assert series.service_level == [None, 23 / 28, None, 1.0, None, None, None]


def test_period_total_recomputes_ratios_from_the_days_counts() -> None:
    total = period_total([MAR_2, MAR_4])

    assert total == QueueDay(
        day=date(2026, 3, 4), offered=36, answered=31, abandoned=3, short_abandoned=1,
        answered_in_sl=28, handled=28, service_level=28 / 33, abandon_rate=2 / 33,
        asa_s=300 / 31, aht_s=5900 / 28,
    )
    assert period_total([]) is None


def test_queue_day_rows_show_the_total_then_each_day_newest_first() -> None:
    assert queue_day_rows([MAR_2, MAR_4], "en") == [
        {"day": "Total", "offered": "36", "answered": "31", "abandoned": "3",
         "service_level": "84.8%", "abandon_rate": "6.1%", "asa": "0:09", "aht": "3:30"},
        {"day": "2026-03-04", "offered": "6", "answered": "5", "abandoned": "0",
         "service_level": "100.0%", "abandon_rate": "0.0%", "asa": "0:04", "aht": "1:40"},
        {"day": "2026-03-02", "offered": "30", "answered": "26", "abandoned": "3",
         "service_level": "82.1%", "abandon_rate": "7.1%", "asa": "0:10", "aht": "3:54"},
    ]
    assert queue_day_rows([], "en") == []


def test_profile_series_keeps_slot_order_and_per_day_offered() -> None:
    series = profile_series([
        ProfileSlot(slot="09:00", days=2, offered=15, offered_per_day=7.5, answered=13,
                    abandoned=2, service_level=11 / 14, asa_s=120 / 13, aht_s=1900 / 12),
        ProfileSlot(slot="09:30", days=1, offered=1, offered_per_day=1.0, answered=0,
                    abandoned=0, service_level=None, asa_s=None, aht_s=None),
    ])
    assert (series.slots, series.offered_per_day, series.service_level) == (
        ["09:00", "09:30"], [7.5, 1.0], [11 / 14, None]
    )


def test_an_empty_history_says_so_in_either_language() -> None:
    assert history_note(False, "en") == "no history yet"
    assert history_note(False, "zh") == "暂无历史数据"
    assert history_note(True, "en") == ""


def test_my_week_has_seven_past_days_then_today_and_the_team_median() -> None:
    columns = my_week_columns(TODAY, "en")
    assert [(c["id"], c["name"]) for c in columns] == [
        ("kpi", "KPI"), ("2026-03-01", "03-01"), ("2026-03-02", "03-02"),
        ("2026-03-03", "03-03"), ("2026-03-04", "03-04"), ("2026-03-05", "03-05"),
        ("2026-03-06", "03-06"), ("2026-03-07", "03-07"), ("today", "Today"),
        ("median", "Team median"),
    ]
    history = [AgentDay(day=date(2026, 3, 2), logged_in_s=1800.0, busy_s=1100.0, acw_s=250.0,
                        ready_s=250.0, not_ready_s=200.0, handled=7, aht_s=1350 / 7,
                        utilization=1600 / 1800, occupancy=1350 / 1600, ultra_short=1,
                        ultra_long=1)]
    mine = AgentKpis(handled=4, aht_s=150.0, utilization=0.9, occupancy=0.75)
    team = [mine, AgentKpis(handled=6, aht_s=210.0, utilization=0.8, occupancy=0.85),
            AgentKpis(handled=9, aht_s=None, utilization=None, occupancy=None)]

    rows = my_week_rows(history, TODAY, mine, team, "en")

    blank = dict.fromkeys(["2026-03-01", "2026-03-03", "2026-03-04", "2026-03-05",
                           "2026-03-06", "2026-03-07"], "—")
    assert rows == [
        {"kpi": "AHT", **blank, "2026-03-02": "3:12", "today": "2:30", "median": "3:00"},
        {"kpi": "Handled", **blank, "2026-03-02": "7", "today": "4", "median": "6"},
        {"kpi": "Utilization", **blank, "2026-03-02": "88.9%", "today": "90.0%",
         "median": "85.0%"},
        {"kpi": "Occupancy", **blank, "2026-03-02": "84.4%", "today": "75.0%",
         "median": "80.0%"},
    ]


def test_my_week_of_an_agent_unknown_today_shows_dashes() -> None:
    rows = my_week_rows([], TODAY, None, [], "zh")
    assert [set(r.values()) - {r["kpi"]} for r in rows] == [{"—"}] * 4


def test_archive_reads_are_cached_until_the_day_file_changes(tmp_path: Path) -> None:
    write_archive(tmp_path, [("queue", "q1", "2026-03-02T09:00:00+08:00",
                              queue_kpis(offered=3))])
    archive = ArchiveData(tmp_path)

    first = archive.queue_days("q1", TODAY, 7)
    again = archive.queue_days("q1", TODAY, 7)
    assert [(d.day, d.offered) for d in first] == [(date(2026, 3, 2), 3)]
    assert again is first
    assert archive.cache_size() == 1

    # The archiver adds a late interval to that day: the file changes, so it is read again.
    write_archive(tmp_path, [("queue", "q1", "2026-03-02T23:45:00+08:00",
                              queue_kpis(offered=4))])
    assert [(d.day, d.offered) for d in archive.queue_days("q1", TODAY, 7)] == [
        (date(2026, 3, 2), 7)
    ]


def test_an_empty_archive_reads_as_no_days(tmp_path: Path) -> None:
    archive = ArchiveData(tmp_path / "never-created")
    assert archive.queue_days("q1", TODAY, 30) == []
    assert archive.agent_days("a001", TODAY, 7) == []


def test_an_unreadable_day_file_raises_archive_unavailable(tmp_path: Path) -> None:
    broken = tmp_path / "day=2026-03-02" / "queue.parquet"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"not parquet")

    with pytest.raises(ArchiveUnavailable, match="archive unreadable"):
        ArchiveData(tmp_path).queue_days("q1", TODAY, 7)


def test_the_archive_dir_comes_from_wallboard_archive_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WALLBOARD_ARCHIVE_DIR", str(tmp_path))
    assert archive_dir_from_env() == tmp_path
    monkeypatch.delenv("WALLBOARD_ARCHIVE_DIR")
    assert archive_dir_from_env() == Path("var/archive")
