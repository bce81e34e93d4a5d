"""The staffing strip's re-forecast and Erlang A: caption texts and columns as pure
functions, then the queue page's strip from a real Redis snapshot and Parquet archive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
import redis
from pyworkforce.queuing import ErlangC

from dashboard.app import create_app
from dashboard.authz import verify
from dashboard.pages import queue
from dashboard.staffing_views import strip_caption, strip_fields, with_snapshot_interval
from pipeline.access.policy import Page
from pipeline.redis_keys import RedisKeys
from pipeline.staffing.patience import Patience
from pipeline.staffing.requirement import ServiceGoal, Workload, required_staff
from pipeline.staffing.strip import StaffingStrip, empty_actuals
from schemas.snapshot import QueueKpis
from tests.access.conftest import callback_body
from tests.archive.helpers import queue_kpis, write_archive
from tests.dashboard.fixtures import build_snapshot, sample_settings, write_floor, write_snapshot

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 2, 40, 0, tzinfo=UTC)  # Monday 10:40 in Shanghai
SLOTS = ("09:30", "09:45", "10:00", "10:15", "10:30", "10:45")


def _strip(factor: float | None, forecast_so_far: float, patience: Patience | None
           ) -> StaffingStrip:
    return StaffingStrip(intervals=[], actual_so_far=150.0, forecast_so_far=forecast_so_far,
                         intraday_factor=factor, patience=patience)


def test_caption_says_how_the_rest_of_today_was_rescaled_and_which_patience() -> None:
    assert strip_caption(_strip(1.25, 120.0, Patience(120.0, "configured")), 20, "en") == [
        "Closed intervals today: actual 150.0 vs forecast 120.0 contacts → rest of today "
        "× 1.25",
        "Erlang A patience 2:00 (120 s): configured (under 10 abandons in today's closed "
        "intervals to estimate it)",
    ]
    assert strip_caption(_strip(1.0, 12.0, Patience(65.0, "observed")), 20, "zh") == [
        "今日已结束时段：实际 150.0 通 / 预测 12.0 通；预测不足 20 通，余下时段不调整",
        "Erlang A 耐心时长 1:05 (65 s)：今日观测值（等待总时长 / 放弃数）",
    ]
    assert strip_caption(_strip(None, 600.0, Patience(45.0, "observed")), 20, "en") == [
        "Closed intervals today: actual 150.0 vs forecast 600.0 contacts; no interval "
        "left today",
        "Erlang A patience 45 s: observed today (total wait / abandons)",
    ]


def test_erlang_a_column_only_with_a_patience() -> None:
    assert "required_erlang_a" not in strip_fields(_strip(1.0, 0.0, None))
    assert strip_fields(_strip(1.0, 0.0, Patience(90.0, "configured")))[5:7] == (
        "required_erlang_c", "required_erlang_a")


def test_the_snapshot_replaces_the_current_interval_of_the_history_actuals() -> None:
    settings = sample_settings()
    snapshot = build_snapshot(NOW, settings)
    history = pl.DataFrame(
        {"queue": ["claims_report"] * 2,
         "interval_start": [datetime(2026, 3, 2, 10, 15, tzinfo=SHANGHAI),
                            datetime(2026, 3, 2, 10, 30, tzinfo=SHANGHAI)],
         "offered": [24, 10], "aht_s": [250.0, 250.0]},
        schema=empty_actuals(settings).schema,
    )
    merged = with_snapshot_interval(history, "claims_report", snapshot, SHANGHAI, 15)
    assert [(r["interval_start"].strftime("%H:%M"), r["offered"], r["aht_s"])
            for r in merged.iter_rows(named=True)] == [("10:15", 24, 250.0),
                                                       ("10:30", 52, 245.0)]
    assert with_snapshot_interval(history, "nowhere", snapshot, SHANGHAI, 15) is history
    assert with_snapshot_interval(history, "claims_report", None, SHANGHAI, 15) is history


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    """Two past Mondays of claims_report with 30 contacts in each slot 09:30–10:45."""
    entries = [
        ("queue", "claims_report", f"{day}T{slot}:00+08:00",
         queue_kpis(offered=30, answered=30, handled=30, aht_s=180.0))
        for day in ("2026-02-16", "2026-02-23")
        for slot in SLOTS
    ]
    write_archive(tmp_path, entries)
    return tmp_path


def _erlang_c(contacts: float, aht_s: float) -> tuple[int, int]:
    """The reference Erlang C (pyworkforce) for 15 min, 80 % in 20 s, occupancy 0.85."""
    found = ErlangC(transactions=contacts, aht=aht_s / 60, asa=20 / 60, interval=15,
                    shrinkage=0.30).required_positions(service_level=0.8, max_occupancy=0.85)
    return found["raw_positions"], found["positions"]


def _erlang_a(contacts: float, aht_s: float, patience_s: float) -> tuple[int, int]:
    """Erlang A (pinned against the birth-death solution in tests/staffing/test_erlang)."""
    found = required_staff(Workload(contacts, 900, aht_s), ServiceGoal(0.8, 20, 0.85, 0.3),
                           patience_s=patience_s)
    return found.agents, found.agents_with_shrinkage


def test_queue_page_strip_rescales_the_rest_of_today_and_shows_erlang_a(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
    archive_dir: Path,
) -> None:
    floor = write_floor(redis_client, redis_keys, NOW, history_minutes=70)
    base = floor.settings
    settings = base.model_copy(
        update={"staffing": base.staffing.model_copy(update={"patience_s": 120.0})})
    redis_client.set(redis_keys.config(), settings.model_dump_json())
    # 162 contacts today, 12 of them in the open 10:30 interval: 150 in the four closed
    # intervals, forecast 4 × 30 = 120 → the rest of today × 1.25 (30 → 37.5).
    entry = floor.snapshot.queues["claims_report"]
    live = entry.interval.model_copy(update={"offered": 12})
    day = QueueKpis(offered=162, answered=150, abandoned=12)
    queues = {**floor.snapshot.queues,
              "claims_report": entry.model_copy(update={"interval": live, "day": day})}
    write_snapshot(redis_client, redis_keys, floor.snapshot.model_copy(update={"queues": queues}))
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW + timedelta(seconds=2),
                     archive_dir=archive_dir)
    with app.server.test_request_context("/"):
        body, note = queue.staffing(1, {"queue": "claims_report", "lang": "en"})
    assert note == ""
    *caption, table = body
    assert [line.children for line in caption] == [
        "Forecast from the archive's history (last 8 weeks)",
        "Closed intervals today: actual 150.0 vs forecast 120.0 contacts → rest of today "
        "× 1.25",
        "Erlang A patience 2:00 (120 s): configured (under 10 abandons in today's closed "
        "intervals to estimate it)",
    ]
    assert [cell.children for cell in table.children[0].children.children] == [
        "Interval", "Forecast", "Re-forecast", "Actual", "AHT", "Required (Erlang C)",
        "Required (Erlang A)", "To schedule", "Scheduled", "Staffed", "Available", "Gap"]
    # Closed: the forecast 30 at the history's actual AHT 250 s (last minute of each
    # interval: 24 contacts). Open: the re-forecast 37.5 at the snapshot's 245 s (current)
    # or the forecast AHT 180 s. "To schedule" and the gap follow Erlang A.
    assert (_erlang_c(30, 250.0), _erlang_a(30, 250.0, 120.0)) == ((12, 18), (11, 16))
    assert (_erlang_c(37.5, 245.0), _erlang_a(37.5, 245.0, 120.0)) == ((14, 20), (12, 18))
    assert (_erlang_c(37.5, 180.0), _erlang_a(37.5, 180.0, 120.0)) == ((11, 16), (10, 15))
    counts = floor.snapshot.queues["claims_report"].agents_now
    assert (counts.staffed, counts.staffed - counts.not_ready) == (14, 11)
    closed = ["30.0", "—", "24", "4:10", "12", "11", "16", "—", "—", "—", "—"]
    cells = [[cell.children for cell in row.children] for row in table.children[1].children]
    assert cells == [
        ["09:30–09:45", *closed],
        ["09:45–10:00", *closed],
        ["10:00–10:15", *closed],
        ["10:15–10:30", *closed],
        ["10:30–10:45", "30.0", "37.5", "12", "4:05", "14", "12", "18", "—", "14", "11",
         "1 short"],
        ["10:45–11:00", "30.0", "37.5", "—", "3:00", "11", "10", "15", "—", "—", "—", "—"],
    ]


def test_staffing_and_adherence_callbacks_are_judged_as_their_pages(
    redis_url: str, redis_prefix: str,
) -> None:
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW)
    strip = callback_body(app, "q-staffing-body", {"q-params.data": {"queue": "claims_report"}})
    team = callback_body(app, "t-adherence", {"t-params.data": {"team": "bj_claims_a"}})
    tile = callback_body(app, "wb-staffing-gap-value", {})
    assert verify(app, strip).page == Page("queue", "claims_report")
    assert verify(app, team).page == Page("team", "bj_claims_a")
    assert verify(app, tile).page == Page("wallboard")
