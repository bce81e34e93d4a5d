"""The Redis writer against a real Redis: what it writes, what it skips, TTLs and bounds."""

from __future__ import annotations

import pickle
from dataclasses import replace
from typing import Any

import orjson
import redis

from pipeline.engine import AlertTransition, DeadLetter, EngineOutput, HistoryPoint, TimelineRecord
from pipeline.floor_logic import Tick
from pipeline.redis_keys import DAY_TTL_S, TIMELINE_MAXLEN, RedisKeys
from pipeline.sinks import RedisStateWriter, fail_fast_client, marker_key
from schemas.config import Settings

MINUTE = 1772413200  # 2026-03-02T09:00:00+08:00


def untyped(client: redis.Redis) -> Any:
    """The client with redis-py's union return types waived (tests read known types)."""
    return client


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
    assert orjson.loads(untyped(redis_client).get(redis_keys.entity("queue", "claims"))) == {
        "15m": {"service_level": 0.9}
    }
    assert orjson.loads(untyped(redis_client).get(redis_keys.entity("all"))) == {
        "15m": {"offered": 3}
    }
    assert orjson.loads(untyped(redis_client).get(redis_keys.snapshot()))["agents"] == {
        "a1": {"state": "ready"}
    }
    assert 0 < untyped(redis_client).ttl(redis_keys.entity("agent", "a1")) <= DAY_TTL_S
    assert untyped(redis_client).ttl(redis_keys.entity("queue", "claims")) == -1
    heartbeat = orjson.loads(untyped(redis_client).get(redis_keys.heartbeat()))
    assert heartbeat == {
        "processed_at": "p",
        "last_event_ts": "2026-03-02T09:00:00+08:00",
        "redis_ok": True,
        "redis_error": None,
    }


def test_writer_skips_entities_whose_json_did_not_change(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    writer = _writer(redis_client, redis_prefix)
    writer.write(_tick(MINUTE, 0.9))
    # Overwrite behind the writer's back: an unchanged entity must not be rewritten...
    untyped(redis_client).set(redis_keys.entity("queue", "claims"), b"sentinel")
    writer.write(_tick(MINUTE + 1, 0.9))
    assert untyped(redis_client).get(redis_keys.entity("queue", "claims")) == b"sentinel"
    # ...and a changed one must.
    writer.write(_tick(MINUTE + 2, 0.8))
    assert orjson.loads(untyped(redis_client).get(redis_keys.entity("queue", "claims"))) == {
        "15m": {"service_level": 0.8}
    }


def test_an_agent_that_leaves_the_snapshot_loses_its_key_instead_of_keeping_its_last_state(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    writer = _writer(redis_client, redis_prefix)
    busy = _tick(MINUTE, 0.9)
    busy.snapshot["agents"] = {"a1": {"state": "busy"}, "a2": {"state": "ready"}}
    writer.write(busy)
    assert untyped(redis_client).exists(redis_keys.entity("agent", "a1")) == 1
    # Next day: a1 has nothing in any window any more, a2 is unchanged.
    later = _tick(MINUTE + 86400, 0.9)
    later.snapshot["agents"] = {"a2": {"state": "ready"}}
    writer.write(later)
    assert untyped(redis_client).exists(redis_keys.entity("agent", "a1")) == 0
    assert orjson.loads(untyped(redis_client).get(redis_keys.entity("agent", "a2"))) == {
        "state": "ready"
    }


def test_a_new_writer_deletes_entity_keys_of_an_earlier_run_that_its_snapshot_lacks(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    stale = redis_keys.entity("agent", "gone")
    untyped(redis_client).set(stale, b'{"state":"busy"}')
    writer = _writer(redis_client, redis_prefix)
    writer.adopt_existing_entities()
    writer.write(_tick(MINUTE, 0.9))
    assert untyped(redis_client).exists(stale) == 0
    assert untyped(redis_client).exists(redis_keys.entity("agent", "a1")) == 1


def test_alert_transitions_keep_the_active_hash_and_the_history_stream(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    alert = {"id": "wait_breach:claims:1772413200", "kind": "wait_breach", "cleared_at": None}
    cleared = dict(alert, cleared_at="2026-03-02T09:05:00+08:00")
    writer = _writer(redis_client, redis_prefix)
    writer.write(
        _tick(MINUTE, 0.9, EngineOutput(alert_transitions=[AlertTransition("raised", alert)]))
    )
    assert untyped(redis_client).hkeys(redis_keys.alerts_active()) == [
        b"wait_breach:claims:1772413200"
    ]
    writer.write(
        _tick(
            MINUTE + 300, 0.9, EngineOutput(alert_transitions=[AlertTransition("cleared", cleared)])
        )
    )
    assert untyped(redis_client).hlen(redis_keys.alerts_active()) == 0
    history = untyped(redis_client).xrange(redis_keys.alerts_history())
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
    entries = untyped(redis_client).xrange(redis_keys.history("queue", "claims"))
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
    [(_, letter)] = untyped(redis_client).xrange(redis_keys.dead_letter())
    assert (letter[b"reason"], letter[b"raw"], letter[b"seq"]) == (
        b"type: field required",
        b'{"event_id":"x"}',
        b"7",
    )
    [(_, record)] = untyped(redis_client).xrange(redis_keys.agent_timeline("a1"))
    assert (record[b"ts"], record[b"kind"], orjson.loads(record[b"data"])) == (
        b"2026-03-02T09:00:00.500000+08:00",
        b"state",
        {"state": "ready", "reason": None},
    )
    assert 0 < untyped(redis_client).ttl(redis_keys.agent_timeline("a1")) <= DAY_TTL_S


class _Clock:
    """A hand-moved monotonic clock for the writer's backoff (seconds)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_writer_keeps_state_while_redis_is_down_and_catches_up_after_backoff(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys, redis_url: str
) -> None:
    clock = _Clock()
    dead = fail_fast_client("redis://127.0.0.1:1/0")
    writer = RedisStateWriter(dead, Settings(redis_prefix=redis_prefix), clock=clock)
    letter = DeadLetter("json: bad", 1, "{")
    writer.write(_tick(MINUTE, 0.7, EngineOutput(dead_letters=[letter])))
    assert writer.redis_ok is False
    assert [a.item for a in writer.pending()] == [letter]
    writer.client = redis_client  # the server is back...
    writer.write(_tick(MINUTE + 1, 0.75))
    assert writer.redis_ok is False  # ...but the writer waits out its backoff (0.5 s)
    clock.now += 0.5
    writer.write(_tick(MINUTE + 2, 0.8))
    assert writer.redis_ok is True
    assert writer.pending() == []
    assert orjson.loads(untyped(redis_client).get(redis_keys.entity("queue", "claims"))) == {
        "15m": {"service_level": 0.8}
    }
    assert untyped(redis_client).xlen(redis_keys.dead_letter()) == 1
    # The first heartbeat after the outage says so; the next one is normal again.
    heartbeat = orjson.loads(untyped(redis_client).get(redis_keys.heartbeat()))
    assert heartbeat["redis_ok"] is False
    writer.write(_tick(MINUTE + 3, 0.8))
    assert orjson.loads(untyped(redis_client).get(redis_keys.heartbeat()))["redis_ok"] is True


def test_backoff_doubles_up_to_five_seconds(redis_prefix: str) -> None:
    clock = _Clock()
    dead = fail_fast_client("redis://127.0.0.1:1/0")
    writer = RedisStateWriter(dead, Settings(redis_prefix=redis_prefix), clock=clock)
    waits = []
    for second in range(8):
        writer.write(_tick(MINUTE + second, 0.7))
        waits.append(writer._retry_at - clock.now)
        clock.now = writer._retry_at
    assert waits == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0]


def test_replayed_appends_are_written_once_whatever_their_order_and_ticks(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    alert = {"id": "late_login:a1:1772413200", "kind": "late_login"}
    letters = [DeadLetter("late", seq, f"line {seq}") for seq in range(3)]
    record = TimelineRecord("a1", MINUTE + 0.25, "state", {"state": "ready", "reason": None})
    first = EngineOutput(
        dead_letters=letters[:2], alert_transitions=[AlertTransition("raised", alert)]
    )
    writer = _writer(redis_client, redis_prefix)
    writer.write(replace(_tick(MINUTE, 0.9, first), run_id="run-1"))
    # After a crash the same run replays: other grouping, other order, plus new items.
    again = EngineOutput(
        dead_letters=[letters[2], letters[1], letters[0]],
        alert_transitions=[AlertTransition("raised", alert)],
        timeline=[record],
    )
    resumed = _writer(redis_client, redis_prefix)
    resumed.write(replace(_tick(MINUTE, 0.9, again), run_id="run-1"))
    resumed.write(replace(_tick(MINUTE, 0.9, EngineOutput(timeline=[record])), run_id="run-1"))
    assert [f[b"seq"] for _, f in untyped(redis_client).xrange(redis_keys.dead_letter())] == [
        b"0",
        b"1",
        b"2",
    ]
    assert untyped(redis_client).xlen(redis_keys.alerts_history()) == 1
    assert untyped(redis_client).xlen(redis_keys.agent_timeline("a1")) == 1
    assert resumed.appends_skipped == 4
    # A new run (fresh state) appends the same content again, as a rerun should.
    _writer(redis_client, redis_prefix).write(replace(_tick(MINUTE, 0.9, first), run_id="run-2"))
    assert untyped(redis_client).xlen(redis_keys.dead_letter()) == 5
    assert untyped(redis_client).xlen(redis_keys.alerts_history()) == 2


def test_marker_sets_are_bounded_like_their_streams(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    writer = _writer(redis_client, redis_prefix)
    records = [
        TimelineRecord("a1", MINUTE + n, "state", {"state": "ready", "reason": None})
        for n in range(TIMELINE_MAXLEN + 5)
    ]
    writer.write(replace(_tick(MINUTE, 0.9, EngineOutput(timeline=records)), run_id="r"))
    markers = marker_key(redis_keys, redis_keys.agent_timeline("a1"))
    assert markers == f"{redis_prefix}:appended:timeline:agent:a1"
    assert untyped(redis_client).zcard(markers) == TIMELINE_MAXLEN
    assert 0 < untyped(redis_client).ttl(markers) <= DAY_TTL_S


def test_unwritten_appends_survive_in_the_sink_recovery_state(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    dead = fail_fast_client("redis://127.0.0.1:1/0")
    letter = DeadLetter("json: bad", 4, "{")
    writer = RedisStateWriter(dead, Settings(redis_prefix=redis_prefix))
    writer.write(replace(_tick(MINUTE, 0.7, EngineOutput(dead_letters=[letter])), run_id="r"))
    kept = pickle.loads(pickle.dumps(writer.pending()))  # what Bytewax stores per epoch
    resumed = RedisStateWriter(redis_client, Settings(redis_prefix=redis_prefix), pending=kept)
    assert resumed.flush() is True
    [(_, fields)] = untyped(redis_client).xrange(redis_keys.dead_letter())
    assert (fields[b"reason"], fields[b"seq"]) == (b"json: bad", b"4")


def test_a_tick_of_many_points_per_stream_is_written_in_order_and_once(
    redis_client: redis.Redis, redis_prefix: str, redis_keys: RedisKeys
) -> None:
    """Appends are batched per stream (split every `APPEND_ONCE_BATCH`); replayed minutes and
    tokens repeated inside one tick are still written once, in order."""
    points = [
        HistoryPoint("team", "t1", MINUTE + 60 * n, {"15m": {"handled": n}}) for n in range(1200)
    ]
    writer = _writer(redis_client, redis_prefix)
    writer.write(_tick(MINUTE, 0.9, EngineOutput(history=points[:700])))
    records = [
        TimelineRecord("a1", MINUTE + n, "state", {"state": "ready", "reason": None})
        for n in range(1100)
    ]
    output = EngineOutput(history=points[300:], timeline=records + records[:3])
    writer.write(replace(_tick(MINUTE, 0.9, output), run_id="r"))
    entries = untyped(redis_client).xrange(redis_keys.history("team", "t1"))
    expected_ids = [f"{(MINUTE + 60 * n) * 1000}-0".encode() for n in range(1200)]
    assert [i for i, _f in entries] == expected_ids
    assert orjson.loads(entries[-1][1][b"kpis"]) == {"15m": {"handled": 1199}}
    timeline = untyped(redis_client).xrange(redis_keys.agent_timeline("a1"))
    assert len(timeline) == 1100
    assert orjson.loads(timeline[-1][1][b"data"]) == {"state": "ready", "reason": None}
    assert writer.appends_skipped == 3


def test_writes_refused_at_maxmemory_are_kept_and_retried_exactly_once(tmp_path: Any) -> None:
    from pipeline.redis_server import EmbeddedRedis

    clock = _Clock()
    keys = RedisKeys("full")
    letter = DeadLetter("json: bad", 1, "{")
    with EmbeddedRedis(data_dir=tmp_path / "redis") as server:
        client = untyped(redis.Redis.from_url(server.url))
        writer = RedisStateWriter(client, Settings(redis_prefix="full"), clock=clock)
        writer.write(_tick(MINUTE, 0.7))
        client.config_set("maxmemory-policy", "noeviction")
        client.config_set("maxmemory", 1)  # below what is used: every write refused
        writer.write(_tick(MINUTE + 1, 0.8, EngineOutput(dead_letters=[letter])))
        assert writer.redis_ok is False
        assert writer.redis_error == "OOM command not allowed when used memory > 'maxmemory'."
        assert [a.item for a in writer.pending()] == [letter]
        assert client.xlen(keys.dead_letter()) == 0
        client.config_set("maxmemory", 0)
        clock.now += 0.5
        writer.write(_tick(MINUTE + 2, 0.9))
        assert (writer.redis_ok, writer.redis_error, writer.pending()) == (True, None, [])
        assert client.xlen(keys.dead_letter()) == 1
        assert orjson.loads(client.get(keys.entity("queue", "claims"))) == {
            "15m": {"service_level": 0.9}
        }
        # The first heartbeat after the refusals says so, and why.
        heartbeat = orjson.loads(client.get(keys.heartbeat()))
        assert (heartbeat["redis_ok"], heartbeat["redis_error"]) == (
            False,
            "OOM command not allowed when used memory > 'maxmemory'.",
        )
        client.close()


def test_appends_still_unwritten_at_the_end_are_reported_for_the_exit_status(
    redis_prefix: str,
) -> None:
    from pipeline.sinks import RedisStateSink

    sink = RedisStateSink("redis://127.0.0.1:1/0", Settings(redis_prefix=redis_prefix), 0.0)
    part = sink.build_part("out", "redis", None)
    letter = DeadLetter("json: bad", 1, "{")
    part.write_batch([_tick(MINUTE, 0.7, EngineOutput(dead_letters=[letter]))])
    part.close()
    [failure] = sink.failures
    assert failure.startswith("1 appends and the final state not written to redis: ")
