"""Today's staffing strip (forecast vs actual, required vs scheduled vs staffed) and the
forecast history built from the archive's daily totals and typical day."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from pipeline.archive.query import IntervalCount
from pipeline.staffing.archive_history import history_from_intervals
from pipeline.staffing.forecast import forecast
from pipeline.staffing.patience import Patience, QueueWaits
from pipeline.staffing.requirement import ServiceGoal, Workload, required_staff
from pipeline.staffing.roster import Roster, load_roster
from pipeline.staffing.strip import StaffingStrip, current_gap, empty_actuals, staffing_strip
from schemas.config import Settings, load_settings
from tests.conftest import SAMPLE_CONFIG

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 2)


def _settings(**staffing: Any) -> Settings:
    base = load_settings(SAMPLE_CONFIG)
    return Settings.model_validate({**base.model_dump(), "interval_min": 30, "staffing": staffing})


def _at(hour: int, minute: int) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=SHANGHAI)


def _forecast() -> pl.DataFrame:
    starts = [_at(9, 0), _at(9, 30), _at(10, 0)]
    return pl.DataFrame(
        {
            "queue": ["claims_report"] * 3,
            "date": [TODAY] * 3,
            "interval_start": starts,
            "offered": [100.0, 100.0, 0.0],
            "aht_s": [180.0, 180.0, 180.0],
        },
        schema_overrides={"interval_start": pl.Datetime("us", "Asia/Shanghai")},
    )


def _actuals() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "queue": ["claims_report"],
            "interval_start": [_at(9, 0)],
            "offered": [120],
            "aht_s": [240.0],
        },
        schema_overrides={"interval_start": pl.Datetime("us", "Asia/Shanghai")},
    )


def _snapshot(
    now: str, staffed: int, not_ready: int, *, day_offered: int = 0, interval_offered: int = 0
) -> dict[str, Any]:
    windows: dict[str, dict[str, Any]] = {w: {} for w in ("15m", "30m", "60m", "interval", "day")}
    queue_windows = {**windows, "day": {"offered": day_offered},
                     "interval": {"offered": interval_offered}}
    counts = {"staffed": staffed, "ready": 1, "busy": staffed - not_ready - 1, "acw": 0,
              "not_ready": not_ready}
    return {
        "now": now,
        "queues": {"claims_report": {**queue_windows, "site": "beijing", "agents_now": counts}},
        "channels": {"voice": windows, "chat": windows},
        "sites": {},
        "all": windows,
        "agents": {},
        "teams": {},
        "alerts": [],
    }


@pytest.fixture
def roster(tmp_path: Path) -> Roster:
    path = tmp_path / "roster.csv"
    path.write_text(
        "agent_id,team,queues,shift_start,shift_end,breaks\n"
        "a1,bj_claims_a,,2026-03-02T09:00:00+08:00,2026-03-02T11:00:00+08:00,"
        "2026-03-02T09:30:00+08:00/2026-03-02T09:45:00+08:00\n"
        "a2,bj_claims_b,,2026-03-02T09:00:00+08:00,2026-03-02T11:00:00+08:00,\n",
        encoding="utf-8",
    )
    return load_roster(path)


def _rows(strip: StaffingStrip | None) -> list[tuple[Any, ...]]:
    assert strip is not None
    return [
        (r.start.strftime("%H:%M"), r.forecast, r.reforecast, r.actual, r.aht_s,
         r.required_erlang_c, r.required_erlang_a, r.required, r.required_with_shrinkage,
         r.scheduled, r.staffed, r.available, r.gap, r.current)
        for r in strip.intervals
    ]


def test_strip_uses_actual_aht_once_known_and_scheduled_gap_elsewhere(roster: Roster) -> None:
    # 09:40: the snapshot saw 130 contacts today, 10 of them in the open 09:30 interval, so
    # 120 in the closed 09:00 interval against 100 forecast: the rest of today × 1.2.
    strip = staffing_strip(
        "claims_report", _forecast(), _actuals(), _settings(shrinkage=0.3), _at(9, 40),
        snapshot=_snapshot("2026-03-02T01:40:00+00:00", staffed=12, not_ready=2,
                           day_offered=130, interval_offered=10),
        roster=roster,
    )
    assert _rows(strip) == [
        # 09:00 closed: forecast 100 contacts at the actual AHT 240 s → 13.3 erlangs;
        # pyworkforce ErlangC(100, aht=4 min, asa=1/3 min, 30 min, shrinkage 0.3) → 17 / 25
        ("09:00", 100.0, None, 120, 240.0, 17, None, 17, 25, 2.0, None, None, -15.0, False),
        # 09:30 re-forecast 120 at 180 s: pyworkforce ErlangC(120, 3 min, ...) → 16 / 23
        ("09:30", 100.0, 120.0, None, 180.0, 16, None, 16, 23, 1.5, 12, 10, -6.0, True),
        ("10:00", 0.0, 0.0, None, 180.0, 0, None, 0, 0, 2.0, None, None, 2.0, False),
    ]
    assert strip is not None
    assert (strip.actual_so_far, strip.forecast_so_far, strip.intraday_factor) == (
        120.0, 100.0, 1.2)
    assert strip.patience is None
    assert strip.current_gap == -6.0
    assert current_gap(strip.intervals) == -6.0


def test_reforecast_without_snapshot_sums_the_closed_actual_rows() -> None:
    settings = _settings(shrinkage=0.3)
    strip = staffing_strip("claims_report", _forecast(), _actuals(), settings, _at(9, 40))
    assert strip is not None
    assert (strip.actual_so_far, strip.forecast_so_far, strip.intraday_factor) == (
        120.0, 100.0, 1.2)
    assert [r.reforecast for r in strip.intervals] == [None, 120.0, 0.0]


def test_reforecast_waits_for_enough_forecast_so_far() -> None:
    settings = _settings(shrinkage=0.3, intraday_min_forecast=150)
    strip = staffing_strip("claims_report", _forecast(), _actuals(), settings, _at(9, 40))
    assert strip is not None
    assert (strip.actual_so_far, strip.forecast_so_far, strip.intraday_factor) == (
        120.0, 100.0, 1.0)
    assert [(r.reforecast, r.required) for r in strip.intervals] == [
        (None, 17), (100.0, 14), (0.0, 0)]


def test_strip_without_roster_has_no_schedule_and_gap_only_now() -> None:
    strip = staffing_strip(
        "claims_report", _forecast(), empty_actuals(_settings()), _settings(shrinkage=0.3),
        _at(9, 40), snapshot=_snapshot("2026-03-02T01:40:00+00:00", staffed=16, not_ready=0,
                                       day_offered=100),
    )
    assert strip is not None
    assert [(r.scheduled, r.available, r.gap) for r in strip.intervals] == [
        (None, None, None),
        (None, 16, 2.0),
        (None, None, None),
    ]


def test_strip_shows_erlang_a_beside_erlang_c_with_the_configured_patience() -> None:
    settings = _settings(shrinkage=0.3, patience_s=300)
    strip = staffing_strip("claims_report", _forecast(), empty_actuals(settings), settings,
                           _at(9, 10))
    assert strip is not None
    assert strip.patience == Patience(300.0, "configured")
    # 100 contacts / 30 min at 180 s: Erlang C 14 (pyworkforce); Erlang A with a 300 s
    # mean patience 13 (pipeline.staffing.erlang, pinned in test_erlang); the gap and the
    # agents to schedule follow Erlang A: ceil(13 / 0.7) = 19.
    expected_a = required_staff(Workload(100, 1800, 180), ServiceGoal(0.8, 20, 0.85, 0.3),
                                patience_s=300)
    assert (expected_a.agents, expected_a.agents_with_shrinkage) == (13, 19)
    assert [(r.required_erlang_c, r.required_erlang_a, r.required, r.required_with_shrinkage)
            for r in strip.intervals] == [(14, 13, 13, 19), (14, 13, 13, 19), (0, 0, 0, 0)]


def test_observed_patience_replaces_the_configured_one() -> None:
    settings = _settings(shrinkage=0.3, patience_s=300)
    # (480 s answered + 300 s abandoned waiting) / 12 abandons = 65 s
    waits = QueueWaits(answered_wait_s=480.0, abandoned_wait_s=300.0, abandoned=12)
    strip = staffing_strip("claims_report", _forecast(), empty_actuals(settings), settings,
                           _at(9, 10), waits=waits)
    assert strip is not None
    assert strip.patience == Patience(65.0, "observed")
    # Erlang A, 100 contacts / 30 min at 180 s, 65 s mean patience: 12 agents, 18 to schedule
    assert [(r.required_erlang_c, r.required_erlang_a, r.required_with_shrinkage)
            for r in strip.intervals] == [(14, 12, 18), (14, 12, 18), (0, 0, 0)]


def test_current_only_keeps_the_interval_of_now_after_the_reforecast() -> None:
    settings = _settings(shrinkage=0.3)
    strip = staffing_strip("claims_report", _forecast(), _actuals(), settings, _at(9, 40),
                           current_only=True)
    assert strip is not None
    assert [(r.start, r.reforecast, r.required) for r in strip.intervals] == [
        (_at(9, 30), 120.0, 16)]


def test_strip_is_none_without_forecast_for_the_queue_today() -> None:
    settings = _settings()
    assert staffing_strip("complaints", _forecast(), empty_actuals(settings), settings,
                          _at(9, 40)) is None
    tomorrow = datetime(2026, 3, 3, 9, 40, tzinfo=SHANGHAI)
    assert staffing_strip("claims_report", _forecast(), empty_actuals(settings), settings,
                          tomorrow) is None
    assert current_gap([]) is None


def _interval(day: int, hour: int, minute: int, offered: int, aht_s: float | None
              ) -> IntervalCount:
    start = datetime(2026, 2, day, hour, minute, tzinfo=SHANGHAI)
    return IntervalCount(int(start.timestamp()), offered, aht_s)


def test_archive_history_is_every_archived_interval_in_the_configured_zone() -> None:
    settings = _settings()
    intervals = [_interval(23, 9, 0, 30, 240.0), _interval(23, 9, 30, 10, None),
                 _interval(24, 9, 0, 60, 150.0)]
    history = history_from_intervals("claims_report", intervals, settings)
    assert history.schema["interval_start"] == pl.Datetime("us", "Asia/Shanghai")
    assert [
        (r["queue"], r["interval_start"].strftime("%m-%d %H:%M"), r["offered"], r["aht_s"])
        for r in history.iter_rows(named=True)
    ] == [
        ("claims_report", "02-23 09:00", 30.0, 240.0),
        ("claims_report", "02-23 09:30", 10.0, None),
        ("claims_report", "02-24 09:00", 60.0, 150.0),
    ]


def test_archive_history_is_empty_without_intervals() -> None:
    settings = _settings()
    empty = history_from_intervals("claims_report", [], settings)
    assert empty.is_empty()
    assert empty.schema["interval_start"] == pl.Datetime("us", "Asia/Shanghai")


def test_forecast_from_archive_history_repeats_the_same_weekday() -> None:
    settings = _settings(level_min=1.0, level_max=1.0)
    # Monday 2026-02-23 had 40 contacts; today (Monday 2026-03-02) is forecast the same.
    intervals = [_interval(23, 9, 0, 30, 240.0), _interval(23, 9, 30, 10, 180.0)]
    history = history_from_intervals("claims_report", intervals, settings)
    today = forecast(history, settings, TODAY, days=1)
    # The day total (40) repeats exactly. The shape of so few contacts is smoothed over
    # ±30 min among the open intervals (09:00, 09:30; kernel 1-2-1): 0.75/0.25 becomes
    # (2·0.75 + 0.25)/3 and (0.75 + 2·0.25)/3; a slot keeps count/(count + 300) of its
    # own share: 09:00 (30/330)·0.75 + (300/330)·(1.75/3), 09:30 (10/310)·0.25 +
    # (300/310)·(1.25/3); then the day is renormalized to 40.
    first = 30 / 330 * 0.75 + 300 / 330 * (1.75 / 3)
    second = 10 / 310 * 0.25 + 300 / 310 * (1.25 / 3)
    expected = [
        ("09:00", round(40 * first / (first + second), 9), 240.0),
        ("09:30", round(40 * second / (first + second), 9), 180.0),
    ]
    assert [
        (r["interval_start"].strftime("%H:%M"), round(r["offered"], 9), r["aht_s"])
        for r in today.iter_rows(named=True)
    ] == expected
