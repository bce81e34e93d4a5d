"""Without archive history, the staffing strip and the wallboard's gap tile use the
configured `[staffing] forecast` file (as the demo sets it) and say so."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import redis

from dashboard.app import create_app
from dashboard.pages import queue, wallboard
from pipeline.redis_keys import RedisKeys
from tests.dashboard.fixtures import write_floor

NOW = datetime(2026, 3, 2, 2, 30, 0, tzinfo=UTC)  # Monday 10:30 in Shanghai


def _with_forecast_file(client: redis.Redis, keys: RedisKeys, tmp_path: Path) -> Path:
    """The sample floor, and a config whose `[staffing] forecast` is a 2-interval file
    for claims_report today (the same 40 + 20 contacts at 3:00 as two past Mondays of
    archive history would give)."""
    floor = write_floor(client, keys, NOW, history_minutes=1)
    path = tmp_path / "forecast.csv"
    path.write_text(
        "queue,interval_start,offered,aht_s\n"
        "claims_report,2026-03-02T10:30:00+08:00,40,180\n"
        "claims_report,2026-03-02T10:45:00+08:00,20.0,180\n",
        encoding="utf-8",
    )
    staffing = floor.settings.staffing.model_copy(update={"forecast": str(path)})
    client.set(keys.config(),
               floor.settings.model_copy(update={"staffing": staffing}).model_dump_json())
    return path


def test_strip_uses_the_configured_forecast_file_without_archive_history(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
    tmp_path: Path,
) -> None:
    _with_forecast_file(redis_client, redis_keys, tmp_path)
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW, archive_dir=tmp_path / "none")
    with app.server.test_request_context("/"):
        body, note = queue.staffing(1, {"queue": "claims_report", "lang": "en"})
        zh_body, _ = queue.staffing(1, {"queue": "claims_report", "lang": "zh"})
        missing = queue.staffing(1, {"queue": "complaints", "lang": "en"})
    assert note == ""
    *caption, table = body
    assert caption[0].children == (
        "Forecast from the configured file forecast.csv (no history in the archive yet)")
    assert zh_body[0].children == "预测来源：配置的预测文件 forecast.csv（归档中还没有历史数据）"
    rows = [[cell.children for cell in row.children] for row in table.children[1].children]
    # interval, forecast, re-forecast, actual, AHT (the snapshot's now, the file's later)
    assert [row[:5] for row in rows] == [
        ["10:30–10:45", "40.0", "40.0", "52", "4:05"],
        ["10:45–11:00", "20.0", "20.0", "—", "3:00"],
    ]
    assert missing == ([], "no forecast (no history in the archive; the forecast file "
                           "forecast.csv has nothing for this queue today)")


def test_gap_tile_uses_the_configured_forecast_file_and_says_so(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
    tmp_path: Path,
) -> None:
    _with_forecast_file(redis_client, redis_keys, tmp_path)
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW, archive_dir=tmp_path / "none")
    params = {"queues": ["claims_report", "complaints"], "lang": "en"}
    with app.server.test_request_context("/"):
        shown = wallboard.staffing_gap(1, params)
        zh = wallboard.staffing_gap(1, {**params, "lang": "zh"})
    # The same 4 short as with archive history (tests/dashboard/test_staffing.py).
    assert shown == ("4 short", "num value status-red", "wb-staffing-gap status-red",
                     "vs forecast file")
    assert zh == ("缺 4 人", "num value status-red", "wb-staffing-gap status-red", "按预测文件")


def test_an_unreadable_forecast_file_is_named_in_the_note(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
    tmp_path: Path,
) -> None:
    path = _with_forecast_file(redis_client, redis_keys, tmp_path)
    path.write_text("queue,offered\nclaims_report,3\n", encoding="utf-8")
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW, archive_dir=tmp_path / "none")
    with app.server.test_request_context("/"):
        assert queue.staffing(1, {"queue": "claims_report", "lang": "en"}) == (
            [], f"forecast file unreadable: {path}: forecast is missing columns "
                "['interval_start']; expected ['queue', 'interval_start', 'offered']")
