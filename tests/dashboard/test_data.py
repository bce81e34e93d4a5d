"""`dashboard.data` against a real Redis: reads what the pipeline writes, acks, outages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest
import redis
from dash import no_update

from dashboard.app import create_app
from dashboard.data import Ack, DataUnavailable, WallboardData
from dashboard.pages import team, wallboard
from pipeline.redis_keys import RedisKeys
from pipeline.redis_server import free_port
from tests.dashboard.fixtures import write_floor

NOW = datetime(2026, 3, 2, 2, 30, 0, tzinfo=UTC)


@pytest.fixture
def data(redis_url: str, redis_prefix: str) -> Iterator[WallboardData]:
    reader = WallboardData(redis_url, redis_prefix)
    yield reader
    reader.close()


def test_floor_reads_snapshot_heartbeat_config_and_active_alerts(
    data: WallboardData, redis_client: redis.Redis, redis_keys: RedisKeys
) -> None:
    written = write_floor(redis_client, redis_keys, NOW, history_minutes=30)
    floor = data.floor()
    assert floor.snapshot == written.snapshot
    assert floor.settings == written.settings
    assert floor.heartbeat is not None
    assert floor.heartbeat.processed_at == "2026-03-02T10:30:00+08:00"
    assert [a.id for a in floor.active_alerts] == [
        "long_away:a005:1", "sl_breach:complaints:1", "wait_breach:complaints:1"]


def test_empty_redis_reads_as_no_data_with_default_settings(data: WallboardData) -> None:
    floor = data.floor()
    assert (floor.snapshot, floor.heartbeat, floor.active_alerts) == (None, None, [])
    assert floor.settings.heartbeat_stale_s == 10


def test_history_after_a_cursor_returns_only_new_minutes(
    data: WallboardData, redis_client: redis.Redis, redis_keys: RedisKeys
) -> None:
    write_floor(redis_client, redis_keys, NOW, history_minutes=30)
    everything = data.history("queue", "claims_report")
    assert len(everything) == 31
    assert everything[-1].ts == "2026-03-02T10:30:00+08:00"
    assert everything[-1].kpis["15m"] == {"offered": 40, "service_level": 0.86,
                                          "in_queue": 0, "abandon_rate": 0.04}
    newer = data.history("queue", "claims_report", after_id=everything[-3].entry_id)
    assert [p.ts for p in newer] == ["2026-03-02T10:29:00+08:00", "2026-03-02T10:30:00+08:00"]
    assert data.history("queue", "no_such_queue") == []


def test_timeline_and_alert_history(
    data: WallboardData, redis_client: redis.Redis, redis_keys: RedisKeys
) -> None:
    write_floor(redis_client, redis_keys, NOW, history_minutes=1)
    timeline = data.timeline("a001")
    assert [(e.kind, e.data.get("state")) for e in timeline] == [
        ("state", "ready"), ("state", "busy"), ("contact", None), ("state", "acw"),
        ("state", "not_ready"), ("state", "ready")]
    history = data.alert_history(10)
    assert [h.alert.id for h in history][0] == "sl_breach:complaints:1"  # newest first
    assert {h.transition for h in history} == {"raised"}


def test_acknowledge_stores_who_when_and_note_for_seven_days(
    data: WallboardData, redis_client: redis.Redis, redis_keys: RedisKeys
) -> None:
    at = datetime(2026, 3, 2, 18, 31, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    ack = data.acknowledge("sl_breach:complaints:1", "王丽", "called in two agents", at)
    assert ack == Ack(by="王丽", at="2026-03-02T18:31:05+08:00", note="called in two agents")
    raw = redis_client.hget(redis_keys.alert_acks(), "sl_breach:complaints:1")
    assert isinstance(raw, bytes)
    assert orjson.loads(raw) == {"by": "王丽", "at": "2026-03-02T18:31:05+08:00",
                                 "note": "called in two agents"}
    ttl = redis_client.ttl(redis_keys.alert_acks())
    assert 7 * 24 * 3600 - 5 <= ttl <= 7 * 24 * 3600
    assert data.acks() == {"sl_breach:complaints:1": ack}


def test_unreachable_redis_raises_data_unavailable() -> None:
    reader = WallboardData(f"redis://127.0.0.1:{free_port()}/0", "wb", timeout_s=0.2)
    with pytest.raises(DataUnavailable, match="redis unavailable"):
        reader.floor()
    reader.close()


def test_unreadable_snapshot_raises_data_unavailable(
    data: WallboardData, redis_client: redis.Redis, redis_keys: RedisKeys
) -> None:
    redis_client.set(redis_keys.snapshot(), b'{"now": 3}')
    with pytest.raises(DataUnavailable, match="unreadable value"):
        data.floor()


def test_team_callback_as_a_function(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys
) -> None:
    write_floor(redis_client, redis_keys, NOW, history_minutes=1)
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW + timedelta(seconds=4))
    with app.server.test_request_context("/"):
        rows, summary, beat = team.refresh(1, {"team": "cd_chat", "lang": "en"})
    assert [r["agent_id"] for r in rows] == ["a036", "a037", "a038", "a039", "a040"]
    # The parts add up to staffed: after-call work is counted, not left out.
    assert [s.children for s in summary] == [
        "Staffed 5", "Ready 1", "On contact 1", "After-call work 1", "Not ready 2"]
    assert (beat["stale"], beat["text"], beat["stale_s"]) == (False, "", 10)
    stale_app = create_app(redis_url, redis_prefix, clock=lambda: NOW + timedelta(seconds=11))
    with stale_app.server.test_request_context("/"):
        *_rest, beat = team.refresh(2, {"team": "cd_chat", "lang": "en"})
    assert (beat["stale"], beat["text"]) == (True, "data stale since 10:30:00")


def test_wallboard_tick_with_redis_down_greys_values_and_says_since_when() -> None:
    app = create_app(f"redis://127.0.0.1:{free_port()}/0", "wb", clock=lambda: NOW)
    params = {"queues": ["claims_report"], "lang": "en", "sound": False, "teams": None}
    with app.server.test_request_context("/"):
        out = wallboard.refresh(5, params, "2026-03-02T10:29:40+08:00", None)
    clock_class, status, beat = out[3:6]
    assert clock_class is no_update
    assert beat == {"at": "2026-03-02T02:30:00.000+00:00", "stale": True,
                    "text": "data stale since 10:29:40", "stale_s": 10,
                    "zone": "Asia/Shanghai", "replay": False, "data_now": None}
    assert status == beat["text"]
    # The last values stay on screen, greyed: nothing sent for the 2 rows' 12 values each.
    assert out[0] == [no_update] * 24
    assert out[2] == [no_update] * 2
