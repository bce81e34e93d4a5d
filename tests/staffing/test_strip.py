"""Today's staffing strip (forecast vs actual, required vs scheduled vs staffed) and the
forecast history built from the archive's daily totals and typical day."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from pipeline.archive.query import ProfileSlot, QueueDay
from pipeline.staffing.archive_history import history_from_archive
from pipeline.staffing.forecast import forecast
from pipeline.staffing.roster import Roster, load_roster
from pipeline.staffing.strip import current_gap, empty_actuals, staffing_strip
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


def _snapshot(now: str, staffed: int, not_ready: int) -> dict[str, Any]:
    windows: dict[str, dict[str, Any]] = {w: {} for w in ("15m", "30m", "60m", "interval", "day")}
    counts = {"staffed": staffed, "ready": 1, "busy": staffed - not_ready - 1, "acw": 0,
              "not_ready": not_ready}
    return {
        "now": now,
        "queues": {"claims_report": {**windows, "site": "beijing", "agents_now": counts}},
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


def test_strip_uses_actual_aht_once_known_and_scheduled_gap_elsewhere(roster: Roster) -> None:
    strip = staffing_strip(
        "claims_report", _forecast(), _actuals(), _settings(shrinkage=0.3), _at(9, 40),
        snapshot=_snapshot("2026-03-02T01:40:00+00:00", staffed=12, not_ready=2),
        roster=roster,
    )
    rows = [
        (r.start.strftime("%H:%M"), r.forecast, r.actual, r.aht_s, r.required,
         r.required_with_shrinkage, r.scheduled, r.staffed, r.available, r.gap, r.current)
        for r in strip
    ]
    assert rows == [
        # 09:00 closed: forecast 100 contacts at the actual AHT 240 s → 13.3 erlangs;
        # pyworkforce ErlangC(100, aht=4 min, asa=1/3 min, 30 min, shrinkage 0.3) → 17 / 25
        ("09:00", 100.0, 120, 240.0, 17, 25, 2.0, None, None, -15.0, False),
        ("09:30", 100.0, None, 180.0, 14, 20, 1.5, 12, 10, -4.0, True),
        ("10:00", 0.0, None, 180.0, 0, 0, 2.0, None, None, 2.0, False),
    ]
    assert current_gap(strip) == -4.0


def test_strip_without_roster_has_no_schedule_and_gap_only_now() -> None:
    strip = staffing_strip(
        "claims_report", _forecast(), empty_actuals(_settings()), _settings(shrinkage=0.3),
        _at(9, 40), snapshot=_snapshot("2026-03-02T01:40:00+00:00", staffed=16, not_ready=0),
    )
    assert [(r.scheduled, r.available, r.gap) for r in strip] == [
        (None, None, None),
        (None, 16, 2.0),
        (None, None, None),
    ]


def test_strip_ignores_erlang_a_patience() -> None:
    settings = _settings(shrinkage=0.3, patience_s=300)
    strip = staffing_strip("claims_report", _forecast(), empty_actuals(settings), settings,
                           _at(9, 40))
    assert [r.required for r in strip] == [14, 14, 0]


def test_strip_is_empty_without_forecast_for_the_queue_today() -> None:
    settings = _settings()
    assert staffing_strip("complaints", _forecast(), empty_actuals(settings), settings,
                          _at(9, 40)) == []
    tomorrow = datetime(2026, 3, 3, 9, 40, tzinfo=SHANGHAI)
    assert staffing_strip("claims_report", _forecast(), empty_actuals(settings), settings,
                          tomorrow) == []
    assert current_gap([]) is None


def _day(day: date, offered: int, aht_s: float | None = 200.0) -> QueueDay:
    return QueueDay(day, offered, offered, 0, 0, offered, offered, 1.0, 0.0, 5.0, aht_s)


def _slot(slot: str, offered: int, aht_s: float | None) -> ProfileSlot:
    return ProfileSlot(slot, 2, offered, offered / 2, offered, 0, 1.0, 5.0, aht_s)


def test_archive_history_spreads_each_day_by_the_typical_day_shares() -> None:
    settings = _settings()
    days = [_day(date(2026, 2, 23), 40), _day(date(2026, 2, 24), 80, aht_s=150.0)]
    slots = [_slot("09:00", 30, 240.0), _slot("09:30", 10, None), _slot("10:00", 0, None)]
    history = history_from_archive("claims_report", days, slots, settings)
    assert history.schema["interval_start"] == pl.Datetime("us", "Asia/Shanghai")
    assert [
        (r["interval_start"].strftime("%m-%d %H:%M"), r["offered"], r["aht_s"])
        for r in history.iter_rows(named=True)
    ] == [
        ("02-23 09:00", 30.0, 240.0),
        ("02-23 09:30", 10.0, 200.0),
        ("02-24 09:00", 60.0, 240.0),
        ("02-24 09:30", 20.0, 150.0),
    ]


def test_archive_history_is_empty_without_contacts() -> None:
    settings = _settings()
    assert history_from_archive("claims_report", [], [], settings).is_empty()
    empty_day = [_day(date(2026, 2, 23), 0)]
    assert history_from_archive("claims_report", empty_day, [_slot("09:00", 0, None)],
                                settings).is_empty()


def test_forecast_from_archive_history_repeats_the_same_weekday() -> None:
    settings = _settings(level_min=1.0, level_max=1.0)
    # Monday 2026-02-23 had 40 contacts; today (Monday 2026-03-02) is forecast the same.
    days = [_day(date(2026, 2, 23), 40)]
    slots = [_slot("09:00", 30, 240.0), _slot("09:30", 10, 180.0)]
    history = history_from_archive("claims_report", days, slots, settings)
    today = forecast(history, settings, TODAY, days=1)
    assert [
        (r["interval_start"].strftime("%H:%M"), r["offered"], r["aht_s"])
        for r in today.iter_rows(named=True)
    ] == [("09:00", 30.0, 240.0), ("09:30", 10.0, 180.0)]
