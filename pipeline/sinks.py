"""Sinks: the Redis state writer (see docs/redis-layout.md) and an in-memory list sink.

The writer coalesces: per tick it writes only the entities whose JSON changed since the
last tick, all in one pipeline (one round trip). When Redis is unreachable it keeps the
latest state and everything append-only (dead letters, alert transitions, history,
timelines) in bounded buffers and writes them when Redis returns.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterator
from typing import Any

import orjson
import redis
from bytewax.outputs import DynamicSink, StatelessSinkPartition

from pipeline.engine import AlertTransition, DeadLetter, HistoryPoint, TimelineRecord
from pipeline.floor_logic import Tick
from pipeline.redis_keys import (
    ALERT_HISTORY_MAXLEN,
    DAY_TTL_S,
    DEAD_LETTER_MAXLEN,
    HISTORY_MAXLEN,
    TIMELINE_MAXLEN,
    EntityKind,
    RedisKeys,
)
from schemas.config import Settings
from schemas.timefmt import format_ts

log = logging.getLogger(__name__)

PENDING_LIMIT = 200_000
_DUMP = orjson.OPT_SORT_KEYS


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=_DUMP)


def snapshot_entities(snapshot: dict[str, Any]) -> Iterator[tuple[EntityKind, str, Any]]:
    """Every entity of a snapshot as (kind, id, value)."""
    for kind, section in (
        ("queue", "queues"),
        ("channel", "channels"),
        ("site", "sites"),
        ("agent", "agents"),
        ("team", "teams"),
    ):
        for entity_id, value in snapshot.get(section, {}).items():
            yield kind, entity_id, value  # type: ignore[misc]
    if "all" in snapshot:
        yield "all", "", snapshot["all"]


class RedisStateWriter:
    """Writes ticks to Redis. Not thread-safe; one per pipeline process."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.keys = RedisKeys(settings.redis_prefix)
        self._written: dict[str, bytes] = {}
        self._written_staged: dict[str, bytes] = {}
        self._latest: Tick | None = None
        self._pending_appends: deque[tuple[str, Any]] = deque(maxlen=PENDING_LIMIT)
        self.redis_ok = True
        self.dropped_appends = 0

    def write_config(self) -> None:
        self.client.set(self.keys.config(), self.settings.model_dump_json())

    def write(self, tick: Tick) -> None:
        """Queue a tick's appends, then try to bring Redis up to date in one pipeline."""
        self._queue_appends(tick)
        self._latest = tick
        self.flush()

    def flush(self) -> bool:
        tick = self._latest
        if tick is None:
            return True
        pipe = self.client.pipeline(transaction=False)
        changed = self._stage_state(pipe, tick)
        appends = list(self._pending_appends)
        for kind, item in appends:
            self._stage_append(pipe, kind, item, changed)
        heartbeat = dict(tick.heartbeat, redis_ok=True)
        pipe.set(self.keys.heartbeat(), dumps(heartbeat))
        if changed:
            pipe.publish(
                self.keys.updates_channel(),
                dumps({"now": tick.heartbeat["last_event_ts"], "changed": sorted(changed)}),
            )
        try:
            results = pipe.execute(raise_on_error=False)
        except redis.exceptions.ConnectionError as error:
            if self.redis_ok:
                log.warning("redis unreachable, keeping state in memory: %s", error)
            self.redis_ok = False
            self._written_staged.clear()
            return False
        for result in results:
            # History entries use explicit stream ids, so a replayed minute is refused
            # instead of duplicated; anything else is a real error.
            if isinstance(result, redis.exceptions.ResponseError) and (
                "equal or smaller" not in str(result)
            ):
                log.error("redis refused a write: %s", result)
        if not self.redis_ok:
            # Redis may have restarted empty: rewrite everything on the next tick.
            log.warning("redis reachable again; catching up")
            self._written_staged.clear()
            self._written.clear()
            self.write_config()
        self.redis_ok = True
        self._written.update(self._written_staged)
        self._written_staged.clear()
        for _ in appends:
            self._pending_appends.popleft()
        return True

    def _stage_state(self, pipe: Any, tick: Tick) -> set[str]:
        self._written_staged = {}
        changed: set[str] = set()
        if not tick.snapshot:
            return changed
        for kind, entity_id, value in snapshot_entities(tick.snapshot):
            key = self.keys.entity(kind, entity_id)
            body = dumps(value)
            if self._written.get(key) == body:
                continue
            if kind in ("agent", "team"):
                pipe.set(key, body, ex=DAY_TTL_S)
            else:
                pipe.set(key, body)
            self._written_staged[key] = body
            changed.add(f"{kind}:{entity_id}" if entity_id else kind)
        if changed or tick.output.alert_transitions:
            body = dumps(tick.snapshot)
            pipe.set(self.keys.snapshot(), body)
            self._written_staged[self.keys.snapshot()] = body
        return changed

    def _queue_appends(self, tick: Tick) -> None:
        out = tick.output
        items: list[tuple[str, Any]] = []
        items += [("dead_letter", d) for d in out.dead_letters]
        items += [("alert", a) for a in out.alert_transitions]
        items += [("history", h) for h in out.history]
        items += [("timeline", t) for t in out.timeline]
        if len(self._pending_appends) + len(items) > PENDING_LIMIT:
            self.dropped_appends += len(self._pending_appends) + len(items) - PENDING_LIMIT
        self._pending_appends.extend(items)

    def _stage_append(self, pipe: Any, kind: str, item: Any, changed: set[str]) -> None:
        keys = self.keys
        zone = self.settings.zone
        if kind == "dead_letter":
            d: DeadLetter = item
            pipe.xadd(
                keys.dead_letter(),
                {
                    "reason": d.reason,
                    "raw": d.raw,
                    "seq": d.seq,
                    "source": "pipeline",
                    "received_at": format_ts(time.time(), zone),
                },
                maxlen=DEAD_LETTER_MAXLEN,
                approximate=True,
            )
        elif kind == "alert":
            a: AlertTransition = item
            body = dumps(a.alert)
            if a.transition == "raised":
                pipe.hset(keys.alerts_active(), a.alert["id"], body)
            else:
                pipe.hdel(keys.alerts_active(), a.alert["id"])
            pipe.xadd(
                keys.alerts_history(),
                {"transition": a.transition, "alert": body},
                maxlen=ALERT_HISTORY_MAXLEN,
                approximate=True,
            )
            changed.add("alerts")
        elif kind == "history":
            h: HistoryPoint = item
            entity_kind: EntityKind = h.kind  # type: ignore[assignment]
            pipe.xadd(
                keys.history(entity_kind, h.entity_id),
                {"ts": format_ts(h.minute, zone), "kpis": dumps(h.kpis)},
                id=f"{h.minute * 1000}-0",
                maxlen=HISTORY_MAXLEN,
                approximate=True,
            )
        elif kind == "timeline":
            t: TimelineRecord = item
            key = keys.agent_timeline(t.agent_id)
            pipe.xadd(
                key,
                {"ts": format_ts(t.ts, zone), "kind": t.kind, "data": dumps(t.data)},
                maxlen=TIMELINE_MAXLEN,
                approximate=True,
            )
            pipe.expire(key, DAY_TTL_S)


class _RedisPartition(StatelessSinkPartition[Tick]):
    def __init__(self, url: str, settings: Settings) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self.writer = RedisStateWriter(self.client, settings)
        try:
            self.writer.write_config()
        except redis.exceptions.ConnectionError as error:
            log.warning("redis unreachable at start: %s", error)

    def write_batch(self, items: list[Tick]) -> None:
        for tick in items:
            self.writer.write(tick)

    def close(self) -> None:
        self.writer.flush()
        self.client.close()


class RedisStateSink(DynamicSink[Tick]):
    """Writes each tick to Redis; connects when the worker builds it, not before."""

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.settings = settings

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _RedisPartition:
        return _RedisPartition(self.url, self.settings)


class _ListPartition(StatelessSinkPartition[Tick]):
    def __init__(self, ticks: list[Tick]) -> None:
        self.ticks = ticks

    def write_batch(self, items: list[Tick]) -> None:
        self.ticks.extend(items)


class TickListSink(DynamicSink[Tick]):
    """Collects ticks in a list (used by `wallboard kpis` and tests)."""

    def __init__(self, ticks: list[Tick]) -> None:
        self.ticks = ticks

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _ListPartition:
        return _ListPartition(self.ticks)
