"""The Redis writer against a real Redis: what it writes, what it skips, TTLs and bounds."""

from __future__ import annotations

import orjson
import redis

from pipeline.engine import AlertTransition, DeadLetter, EngineOutput, HistoryPoint, TimelineRecord
from pipeline.floor_logic import Tick
from pipeline.redis_keys import DAY_TTL_S, RedisKeys
from pipeline.sinks import RedisStateWriter
from schemas.config import Settings

MINUTE = 1772413200  # 2026-03-02T09:00:00+08:00


def _tick(now: int, queue_sl: float, output: EngineOutput | None = None) -> Tick:
    snapshot = {
        "now": "t",
        "queues": {"claims": {"15m": {"service_level": queue_sl}}},
        "channels": {"voice": {"15m": {}}},
        "sites": {},
        "all": {"15m": {"offered": 3}},
        "agents": {"a1": {"state": "ready"}},
        "teams": {},
        "alerts": [],
    }
    heartbeat = {"processed_at": "p", "last_event_ts": "2026-03-02T09:00:00+08:00"}
    return Tick(now=now, snapshot=snapshot, output=output or EngineOutput(), heartbeat=heartbeat)


def _writer(client: redis.Redis, prefix: str) -> RedisStateWriter:
    return RedisStateWriter(client, Settings(redis_prefix=prefix))


def test_writer_stores_each_entity_and_the_whole_snapshot(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    _writer(redis_client, redis_prefix).write(_tick(MINUTE, 0.9))
    assert orjson.loads(redis_client.get(redis_keys.entity("queue", "claims"))) == {
        "15m": {"service_level": 0.9}
    }
    assert orjson.loads(redis_client.get(redis_keys.entity("all"))) == {"15m": {"offered": 3}}
    assert orjson.loads(redis_client.get(redis_keys.snapshot()))["agents"] == {
        "a1": {"state": "ready"}
    }
    assert 0 < redis_client.ttl(redis_keys.entity("agent", "a1")) <= DAY_TTL_S
    assert redis_client.ttl(redis_keys.entity("queue", "claims")) == -1
    heartbeat = orjson.loads(redis_client.get(redis_keys.heartbeat()))
    assert heartbeat == {
        "processed_at": "p",
        "last_event_ts": "2026-03-02T09:00:00+08:00",
        "redis_ok": True,
    }


def test_writer_skips_entities_whose_json_did_not_change(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    writer = _writer(redis_client, redis_prefix)
    writer.write(_tick(MINUTE, 0.9))
    # Overwrite behind the writer's back: an unchanged entity must not be rewritten...
    redis_client.set(redis_keys.entity("queue", "claims"), b"sentinel")
    writer.write(_tick(MINUTE + 1, 0.9))
    assert redis_client.get(redis_keys.entity("queue", "claims")) == b"sentinel"
    # ...and a changed one must.
    writer.write(_tick(MINUTE + 2, 0.8))
    assert orjson.loads(redis_client.get(redis_keys.entity("queue", "claims"))) == {
        "15m": {"service_level": 0.8}
    }


def test_alert_transitions_keep_the_active_hash_and_the_history_stream(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    alert = {"id": "wait_breach:claims:1772413200", "kind": "wait_breach", "cleared_at": None}
    cleared = dict(alert, cleared_at="2026-03-02T09:05:00+08:00")
    writer = _writer(redis_client, redis_prefix)
    writer.write(
        _tick(MINUTE, 0.9, EngineOutput(alert_transitions=[AlertTransition("raised", alert)]))
    )
    assert redis_client.hkeys(redis_keys.alerts_active()) == [alert["id"].encode()]
    writer.write(
        _tick(
            MINUTE + 300, 0.9, EngineOutput(alert_transitions=[AlertTransition("cleared", cleared)])
        )
    )
    assert redis_client.hlen(redis_keys.alerts_active()) == 0
    history = redis_client.xrange(redis_keys.alerts_history())
    assert [(f[b"transition"], orjson.loads(f[b"alert"])) for _, f in history] == [
        (b"raised", alert),
        (b"cleared", cleared),
    ]


def test_history_points_are_written_once_per_minute_even_when_replayed(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    point = HistoryPoint("queue", "claims", MINUTE, {"15m": {"offered": 1}})
    writer = _writer(redis_client, redis_prefix)
    writer.write(_tick(MINUTE, 0.9, EngineOutput(history=[point])))
    writer.write(_tick(MINUTE, 0.9, EngineOutput(history=[point])))  # e.g. after recovery
    entries = redis_client.xrange(redis_keys.history("queue", "claims"))
    assert [(i, f[b"ts"]) for i, f in entries] == [
        (f"{MINUTE * 1000}-0".encode(), b"2026-03-02T09:00:00+08:00")
    ]


def test_dead_letters_and_timelines_are_appended_with_bounds(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    output = EngineOutput(
        dead_letters=[DeadLetter("type: field required", 7, '{"event_id":"x"}')],
        timeline=[TimelineRecord("a1", MINUTE + 0.5, "state", {"state": "ready", "reason": None})],
    )
    _writer(redis_client, redis_prefix).write(_tick(MINUTE, 0.9, output))
    [(_, letter)] = redis_client.xrange(redis_keys.dead_letter())
    assert (letter[b"reason"], letter[b"raw"], letter[b"seq"]) == (
        b"type: field required",
        b'{"event_id":"x"}',
        b"7",
    )
    [(_, record)] = redis_client.xrange(redis_keys.agent_timeline("a1"))
    assert (record[b"ts"], record[b"kind"], orjson.loads(record[b"data"])) == (
        b"2026-03-02T09:00:00.500000+08:00",
        b"state",
        {"state": "ready", "reason": None},
    )
    assert 0 < redis_client.ttl(redis_keys.agent_timeline("a1")) <= DAY_TTL_S


def test_writer_keeps_state_while_redis_is_down_and_catches_up(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys, redis_url: str
) -> None:
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    writer = RedisStateWriter(dead, Settings(redis_prefix=redis_prefix))
    letter = DeadLetter("json: bad", 1, "{")
    assert writer.write(_tick(MINUTE, 0.7, EngineOutput(dead_letters=[letter]))) is None
    assert writer.redis_ok is False
    writer.client = redis_client  # the server is back
    writer.write(_tick(MINUTE + 1, 0.75))
    assert writer.redis_ok is True
    assert orjson.loads(redis_client.get(redis_keys.entity("queue", "claims"))) == {
        "15m": {"service_level": 0.75}
    }
    assert redis_client.xlen(redis_keys.dead_letter()) == 1
