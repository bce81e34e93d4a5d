"""The staffing strip on the queue page and the staffing gap tile on the wallboard:
pure view functions with exact values, then both callbacks over a real Redis and a real
Parquet archive."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis
from dash import no_update
from pyworkforce.queuing import ErlangC

from dashboard.app import create_app
from dashboard.data import WallboardData
from dashboard.pages import queue, wallboard
from dashboard.staffing_data import StaffingCache
from dashboard.staffing_views import (
    fmt_agents,
    gap_status,
    gap_text,
    gap_tile,
    strip_rows,
)
from pipeline.redis_keys import RedisKeys
from pipeline.staffing.strip import StripInterval
from tests.archive.helpers import queue_kpis, write_archive
from tests.dashboard.fixtures import sample_settings, write_floor

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 2, 30, 0, tzinfo=UTC)  # Monday 10:30 in Shanghai


def _interval(hour: int, minute: int, gap: float | None, *, current: bool = False
              ) -> StripInterval:
    return StripInterval(
        start=datetime(2026, 3, 2, hour, minute, tzinfo=SHANGHAI), forecast=40.0,
        reforecast=48.0 if current else None, actual=38, aht_s=185.5, required_erlang_c=10,
        required_erlang_a=None, required=10, required_with_shrinkage=15, scheduled=8.5,
        staffed=None, available=None, gap=gap, current=current,
    )


def test_gap_reads_as_agents_short_or_over_and_is_coloured() -> None:
    assert [gap_text(g, "en") for g in (-2.0, -1.5, 0.0, 3.0, None)] == [
        "2 short", "1.5 short", "even", "3 over", "—"]
    assert gap_text(-2.0, "zh") == "缺 2 人"
    assert [gap_status(g) for g in (-0.5, 0.0, 4.0, None)] == ["red", "green", "green", "none"]
    assert [fmt_agents(v) for v in (3, 2.0, 1.25, None)] == ["3", "2", "1.2", "—"]


def test_strip_rows_format_each_interval_and_mark_the_current_one() -> None:
    rows = strip_rows([_interval(10, 0, -1.5), _interval(10, 15, None, current=True)],
                      SHANGHAI, 15, "en")
    assert rows == [
        {"interval": "10:00–10:15", "forecast": "40.0", "reforecast": "—", "actual": "38",
         "aht": "3:05", "required_erlang_c": "10", "required_erlang_a": "—",
         "required_with_shrinkage": "15", "scheduled": "8.5", "staffed": "—",
         "available": "—", "gap": "1.5 short", "gap_status": "red", "current": ""},
        {"interval": "10:15–10:30", "forecast": "40.0", "reforecast": "48.0", "actual": "38",
         "aht": "3:05", "required_erlang_c": "10", "required_erlang_a": "—",
         "required_with_shrinkage": "15", "scheduled": "8.5", "staffed": "—",
         "available": "—", "gap": "—", "gap_status": "none", "current": "1"},
    ]


def test_gap_tile_sums_the_queues_with_a_forecast_and_hides_without_one() -> None:
    assert gap_tile([], "en").__dict__ == {"hidden": True, "text": "—", "status": "none"}
    assert gap_tile([-3.0, 1.0, None], "en").__dict__ == {
        "hidden": False, "text": "2 short", "status": "red"}
    assert gap_tile([2.0], "en").__dict__ == {"hidden": False, "text": "2 over",
                                                "status": "green"}
    assert gap_tile([None], "en").__dict__ == {"hidden": False, "text": "—", "status": "none"}


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    """Two past Mondays of claims_report at 10:30 and 10:45 (15-min intervals)."""
    entries = []
    for day in ("2026-02-16", "2026-02-23"):
        entries += [
            ("queue", "claims_report", f"{day}T10:30:00+08:00",
             queue_kpis(offered=40, answered=40, handled=40, aht_s=180.0)),
            ("queue", "claims_report", f"{day}T10:45:00+08:00",
             queue_kpis(offered=20, answered=20, handled=20, aht_s=180.0)),
        ]
    write_archive(tmp_path, entries)
    return tmp_path


def _monday_forecast() -> tuple[float, float]:
    """The forecast of the archive's two Mondays for 10:30 and 10:45 (contacts), by hand.

    The day repeats: 60. The shape (80 and 40 contacts over the two Mondays: 2/3, 1/3) is
    smoothed over ±30 min among the open intervals (kernel 1-2-3-2-1; the closed ones
    count for nothing): 10:30 (3·2/3 + 2·1/3)/5 = 8/15, 10:45 (2·2/3 + 3·1/3)/5 = 7/15;
    an interval keeps count/(count + 300) of its own share, then the day is renormalized.
    """
    first = 80 / 380 * (2 / 3) + 300 / 380 * (8 / 15)
    second = 40 / 340 * (1 / 3) + 300 / 340 * (7 / 15)
    return 60 * first / (first + second), 60 * second / (first + second)


def _required(contacts: float, aht_s: float) -> tuple[int, int]:
    """The reference Erlang C (pyworkforce) for 15 min, 80 % in 20 s, occupancy 0.85."""
    found = ErlangC(transactions=contacts, aht=aht_s / 60, asa=20 / 60, interval=15,
                    shrinkage=0.30).required_positions(service_level=0.8, max_occupancy=0.85)
    return found["raw_positions"], found["positions"]


def test_queue_page_strip_shows_forecast_actual_required_and_the_gap_now(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
    archive_dir: Path,
) -> None:
    floor = write_floor(redis_client, redis_keys, NOW, history_minutes=1)
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW + timedelta(seconds=2),
                     archive_dir=archive_dir)
    with app.server.test_request_context("/"):
        body, note = queue.staffing(1, {"queue": "claims_report", "lang": "en"})
    assert note == ""
    *caption, table = body
    # Nothing closed today yet (day offered = interval offered in the snapshot), and no
    # patience configured in the sample config.
    assert [line.children for line in caption] == [
        "Forecast from the archive's history (last 8 weeks)",
        "Closed intervals today: actual 0.0 vs forecast 0.0 contacts; under 20 forecast so "
        "far, the rest of today is not rescaled",
        "Erlang C only: no patience configured ([staffing] patience_s), and under 10 "
        "abandons in today's closed intervals to estimate one",
    ]
    assert [cell.children for cell in table.children[0].children.children] == [
        "Interval", "Forecast", "Re-forecast", "Actual", "AHT", "Required (Erlang C)",
        "To schedule", "Scheduled", "Staffed", "Available", "Gap"]
    cells = [[cell.children for cell in row.children] for row in table.children[1].children]
    counts = floor.snapshot.queues["claims_report"].agents_now
    available = counts.staffed - counts.not_ready
    # The live interval's actual and AHT come from the snapshot's interval window (52
    # contacts, 245 s), fresher than the last history minute (10 contacts, 250 s).
    now_forecast, later_forecast = _monday_forecast()
    assert (f"{now_forecast:.1f}", f"{later_forecast:.1f}") == ("33.3", "26.7")
    now_required, now_scheduled = _required(now_forecast, 245.0)
    later_required, later_scheduled = _required(later_forecast, 180.0)
    gap = available - now_required
    assert (now_required, now_scheduled, counts.staffed, available) == (13, 19, 14, 11)
    assert cells == [
        ["10:30–10:45", "33.3", "33.3", "52", "4:05", str(now_required), str(now_scheduled),
         "—", str(counts.staffed), str(available),
         f"{-gap} short" if gap < 0 else f"{gap} over"],
        ["10:45–11:00", "26.7", "26.7", "—", "3:00", str(later_required),
         str(later_scheduled), "—", "—", "—", "—"],
    ]
    assert [row.className for row in table.children[1].children] == ["current", None]


def test_queue_page_without_history_says_no_forecast_yet(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
    tmp_path: Path,
) -> None:
    write_floor(redis_client, redis_keys, NOW, history_minutes=1)
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW, archive_dir=tmp_path)
    with app.server.test_request_context("/"):
        assert queue.staffing(1, {"queue": "claims_report", "lang": "en"}) == (
            [], "no forecast yet (no history in the archive)")
        assert queue.staffing(1, None) == (no_update, no_update)


def test_wallboard_gap_tile_sums_the_shown_queues_and_hides_without_forecast(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
    archive_dir: Path,
) -> None:
    floor = write_floor(redis_client, redis_keys, NOW, history_minutes=1)
    counts = floor.snapshot.queues["claims_report"].agents_now
    # The tile equals the strip's current row: 33.3 contacts forecast at the snapshot's
    # interval AHT (245 s) need 13 agents; 11 are available.
    gap = counts.staffed - counts.not_ready - _required(_monday_forecast()[0], 245.0)[0]
    params = {"queues": ["claims_report", "complaints"], "lang": "en"}
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW, archive_dir=archive_dir)
    with app.server.test_request_context("/"):
        text, value_class, tile_class, source = wallboard.staffing_gap(1, params)
    # complaints has no history, so only claims_report counts.
    assert gap == -2
    assert (text, value_class, tile_class, source) == (
        "2 short", "num value status-red", "wb-staffing-gap status-red", "vs archive forecast")
    empty = create_app(redis_url, redis_prefix, clock=lambda: NOW,
                       archive_dir=archive_dir / "empty")
    with empty.server.test_request_context("/"):
        assert wallboard.staffing_gap(1, params) == (
            "—", "num value status-none", "wb-staffing-gap status-none hidden", "")


def test_forecast_is_computed_once_per_day(
    redis_url: str, redis_prefix: str, archive_dir: Path,
) -> None:
    data = WallboardData(redis_url, redis_prefix, archive_dir=archive_dir)
    settings = sample_settings()
    first = data.staffing.forecast_today(data, "claims_report", date(2026, 3, 2), settings)
    again = data.staffing.forecast_today(data, "claims_report", date(2026, 3, 2), settings)
    tomorrow = data.staffing.forecast_today(data, "claims_report", date(2026, 3, 3), settings)
    data.close()
    assert again is first
    assert tomorrow is not first
    assert [round(x, 9) for x in first["offered"]] == [round(x, 9) for x in _monday_forecast()]


ROSTER = (
    "agent_id,team,queues,shift_start,shift_end,breaks\n"
    "a1,bj_claims_a,,2026-03-02T10:30:00+08:00,2026-03-02T11:00:00+08:00,\n"
)


def test_roster_comes_from_the_configured_path_and_is_reread_when_changed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    base = sample_settings()
    settings = base.model_copy(
        update={"staffing": base.staffing.model_copy(update={"roster": str(path)})})
    cache = StaffingCache()
    first = cache.roster(settings)
    assert first is not None
    assert [s.agent_id for s in first.shifts] == ["a1"]
    assert cache.roster(settings) is first
    path.write_text(ROSTER + ROSTER.splitlines()[1].replace("a1,", "a2,") + "\n",
                    encoding="utf-8")
    changed = cache.roster(settings)
    assert changed is not None
    assert [s.agent_id for s in changed.shifts] == ["a1", "a2"]
    path.write_text(ROSTER.replace("2026-03-02T10:30:00+08:00", "half past ten"),
                    encoding="utf-8")
    assert cache.roster(settings) is None
    assert cache.roster(base) is None  # no `[staffing] roster` configured
