"""The server half of the watchdog: what each tick's beat tells the browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard import views, watchdog
from tests.dashboard.fixtures import build_snapshot, heartbeat, sample_settings

NOW = datetime(2026, 3, 2, 2, 30, 0, tzinfo=UTC)  # 10:30:00 in Shanghai
SETTINGS = sample_settings()
FRESH = views.Freshness(False, "", "data 0 s old")


def test_live_beat_has_no_data_time() -> None:
    snapshot = build_snapshot(NOW, SETTINGS)
    beat = watchdog.beat(FRESH, SETTINGS, NOW + timedelta(seconds=1), snapshot,
                         heartbeat(NOW + timedelta(seconds=1), SETTINGS))
    assert beat == {"at": "2026-03-02T02:30:01.000+00:00", "stale": False, "text": "",
                    "stale_s": 10, "zone": "Asia/Shanghai", "replay": False, "data_now": None}


def test_a_replay_beat_carries_the_data_time_for_the_clock() -> None:
    snapshot = build_snapshot(NOW, SETTINGS)  # event time 10:30
    wall = NOW + timedelta(days=275, minutes=3)  # the replay runs months later
    beat = watchdog.beat(FRESH, SETTINGS, wall, snapshot, heartbeat(wall, SETTINGS))
    assert (beat["replay"], beat["data_now"]) == (True, "2026-03-02T10:30:00+08:00")


def test_a_stale_beat_carries_the_banner_text() -> None:
    stale = views.Freshness(True, "data stale since 10:29:40", "data stale since 10:29:40")
    beat = watchdog.beat(stale, SETTINGS, NOW)
    assert (beat["stale"], beat["text"], beat["replay"]) == (
        True, "data stale since 10:29:40", False)


def test_config_passes_the_stale_limit_zone_and_texts() -> None:
    limit = SETTINGS.model_copy(update={"heartbeat_stale_s": 3})
    assert watchdog.config(limit, "zh") == {
        "stale_s": 3, "zone": "Asia/Shanghai", "lang": "zh",
        "texts": {"no_updates": "与仪表盘服务器失去联系，最后更新于 {time}",
                  "replay_clock": "回放时间 {time}",
                  "alerts_unknown": "告警状态未知（数据已停止更新）"},
    }
