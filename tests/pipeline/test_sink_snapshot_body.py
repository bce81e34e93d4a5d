"""The writer's serialisation shortcuts write exactly the bytes a plain `dumps` would."""

from __future__ import annotations

from typing import Any

import orjson
import redis

from pipeline.engine import AlertTransition, EngineOutput
from pipeline.floor_logic import Tick
from pipeline.redis_keys import RedisKeys
from pipeline.sinks import RedisStateWriter, dumps, json_object
from schemas.config import Settings

MINUTE = 1772413200  # 2026-03-02T09:00:00+08:00
HEARTBEAT = {"last_event_ts": "2026-03-02T09:00:00+08:00"}


def _snapshot(agents: dict[str, Any], queue_offered: int) -> dict[str, Any]:
    return {
        "now": "2026-03-02T09:00:00+08:00",
        "queues": {
            "理赔": {"15m": {"offered": queue_offered, "service_level": None}},
            "claims": {"15m": {"offered": 1, "service_level": 0.5}},
        },
        "channels": {"voice": {"15m": {"offered": 2}}, "chat": {"15m": {}}},
        "sites": {},
        "all": {"15m": {"offered": 3, "asa_s": 12.25}},
        "agents": agents,
        "teams": {"b_team": {"staffed": 1}, "a_team": {"staffed": 0}},
        "alerts": [{"id": "x:1", "evidence": {"z": 1, "a": [1.5]}, "cleared_at": None}],
    }


def test_json_object_sorts_members_like_orjson() -> None:
    value = {"b": [1], "é": None, "A": {"y": 2, "x": 1}, "a b": "s"}
    members = [(name, dumps(v)) for name, v in value.items()]
    assert json_object(members) == dumps(value)
    assert json_object([]) == b"{}"


def test_snapshot_key_holds_the_snapshot_dumped_whole(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    writer = RedisStateWriter(redis_client, Settings(redis_prefix=redis_prefix))
    agents = {"a2": {"state": "busy", "15m": {"handled": 1}}, "a1": {"state": "ready"}}
    first = _snapshot(agents, 4)
    writer.write(Tick(now=MINUTE, snapshot=first, output=EngineOutput(), heartbeat=HEARTBEAT))
    assert redis_client.get(redis_keys.snapshot()) == dumps(first)
    # The next tick reuses the agent entries (same objects) and changes a queue.
    second = _snapshot(agents, 5)
    writer.write(Tick(now=MINUTE + 1, snapshot=second, output=EngineOutput(), heartbeat=HEARTBEAT))
    assert redis_client.get(redis_keys.snapshot()) == dumps(second)
    assert orjson.loads(redis_client.get(redis_keys.entity("queue", "理赔")) or b"") == {
        "15m": {"offered": 5, "service_level": None}
    }
    assert (
        redis_client.get(redis_keys.entity("agent", "a2"))
        == b'{"15m":{"handled":1},"state":"busy"}'
    )


def test_alerts_raised_and_cleared_in_one_flush_leave_the_active_hash_as_in_order(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    writer = RedisStateWriter(redis_client, Settings(redis_prefix=redis_prefix))
    a = {"id": "ultra_long:c1:1772413200", "cleared_at": None}
    b = {"id": "wait_breach:claims:1772413210", "cleared_at": None}
    transitions = [
        AlertTransition("raised", a),
        AlertTransition("raised", b),
        AlertTransition("cleared", dict(a, cleared_at="2026-03-02T09:00:20+08:00")),
    ]
    writer.write(
        Tick(MINUTE, _snapshot({}, 1), EngineOutput(alert_transitions=transitions), HEARTBEAT)
    )
    assert redis_client.hgetall(redis_keys.alerts_active()) == {
        b"wait_breach:claims:1772413210": dumps(b)
    }
    cleared_b = [AlertTransition("cleared", dict(b, cleared_at="2026-03-02T09:00:30+08:00"))]
    writer.write(
        Tick(MINUTE + 1, _snapshot({}, 1), EngineOutput(alert_transitions=cleared_b), HEARTBEAT)
    )
    assert redis_client.hlen(redis_keys.alerts_active()) == 0
    assert redis_client.xlen(redis_keys.alerts_history()) == 4
