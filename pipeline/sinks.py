"""Sinks: the Redis state writer (see docs/redis-layout.md) and an in-memory list sink.

The writer coalesces: per tick it writes only the entities whose JSON changed since the
last tick, all in one pipeline (one round trip). When Redis is unreachable it keeps the
latest state and everything append-only (dead letters, alert transitions, history,
timelines) in bounded buffers, retries with exponential backoff, and writes them when
Redis returns.

Exactly once: after a crash, Bytewax resumes from the last recovery snapshot and replays
the input since, so the same appends are produced again (possibly in a different order
and split differently across ticks). Every stream append therefore carries a *token*
derived from its content and the pipeline's `run_id`; a Lua script appends an entry only
if its token is not yet in the stream's marker set (`<prefix>:appended:<stream>`, a sorted
set bounded like the stream). History points use explicit stream ids (`<minute ms>-0`)
instead. Entity keys, the snapshot and the active-alerts hash are overwritten, so they are
idempotent by nature. See docs/operations.md.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import redis
from bytewax.outputs import (
    DynamicSink,
    FixedPartitionedSink,
    StatefulSinkPartition,
    StatelessSinkPartition,
)
from redis.backoff import NoBackoff
from redis.retry import Retry

from pipeline.engine import (
    AlertTransition,
    DeadLetter,
    HistoryPoint,
    IntervalRecord,
    TimelineRecord,
)
from pipeline.floor_logic import Tick
from pipeline.redis_keys import (
    ALERT_HISTORY_MAXLEN,
    DAY_TTL_S,
    DEAD_LETTER_MAXLEN,
    HISTORY_MAXLEN,
    INTERVALS_MAXLEN,
    TIMELINE_MAXLEN,
    EntityKind,
    RedisKeys,
)
from schemas.config import Settings
from schemas.timefmt import format_ts

log = logging.getLogger(__name__)

PENDING_LIMIT = 200_000
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 5.0
CLOSE_WAIT_S = 30.0
_DUMP = orjson.OPT_SORT_KEYS
_UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

# KEYS: stream, marker set. ARGV: stream maxlen, markers kept, TTL seconds (0: none), then
# per entry: its token, the number n of field/value items, the n items. Appends, in order,
# each entry whose token was not seen yet; returns how many it appended.
APPEND_ONCE_LUA = """
local pos = 4
local added = 0
while pos <= #ARGV do
  local token = ARGV[pos]
  local n = tonumber(ARGV[pos + 1])
  if not redis.call('ZSCORE', KEYS[2], token) then
    local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
      unpack(ARGV, pos + 2, pos + 1 + n))
    redis.call('ZADD', KEYS[2], tonumber(string.match(id, '^(%d+)')), token)
    added = added + 1
  end
  pos = pos + 2 + n
end
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[2])
if extra > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
end
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[2], ttl)
end
return added
"""
# KEYS: one history stream. ARGV: stream maxlen, then per point: stream id, ts, kpis JSON.
# Adds each point with its explicit id; a replayed minute (id not above the stream's top) is
# skipped; any other error is returned.
APPEND_HISTORY_LUA = """
for pos = 2, #ARGV, 3 do
  local reply = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], ARGV[pos],
    'ts', ARGV[pos + 1], 'kpis', ARGV[pos + 2])
  if type(reply) == 'table' and reply.err and not string.find(reply.err, 'equal or smaller') then
    return reply
  end
end
return 0
"""
# KEYS: the heartbeat. ARGV: its JSON. Written even while Redis refuses writes for lack of
# memory (Redis 7 script flag), so the heartbeat can say `redis_ok: false` and why.
HEARTBEAT_ALLOW_OOM_LUA = """#!lua flags=allow-oom
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""
# Entries per append-once script call (one call per stream per flush, split when larger).
APPEND_ONCE_BATCH = 500


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=_DUMP)


# Snapshot sections holding one entity per key, with the entity kind of their Redis keys.
ENTITY_SECTIONS: tuple[tuple[EntityKind, str], ...] = (
    ("queue", "queues"),
    ("channel", "channels"),
    ("site", "sites"),
    ("agent", "agents"),
    ("team", "teams"),
)
# Entity kinds whose keys expire (a departed agent or team does not stay forever).
_EXPIRING_KINDS = frozenset({"agent", "team"})


def snapshot_entities(snapshot: dict[str, Any]) -> Iterator[tuple[EntityKind, str, Any]]:
    """Every entity of a snapshot as (kind, id, value)."""
    for kind, section in ENTITY_SECTIONS:
        for entity_id, value in snapshot.get(section, {}).items():
            yield kind, entity_id, value
    if "all" in snapshot:
        yield "all", "", snapshot["all"]


def json_object(members: list[tuple[str, bytes]]) -> bytes:
    """The JSON object of already serialised members, keys sorted: equal to `dumps` of the
    dict they came from (orjson sorts keys by code point, as Python sorts strings)."""
    members.sort(key=lambda member: member[0])
    return b"{" + b",".join(dumps(name) + b":" + body for name, body in members) + b"}"


def fail_fast_client(url: str) -> redis.Redis:
    """A client that fails fast (one immediate reconnect, 2 s connect, 5 s socket timeouts):
    the writer's own backoff decides when to try again, without blocking the worker."""
    return redis.Redis.from_url(
        url, socket_timeout=5, socket_connect_timeout=2, retry=Retry(NoBackoff(), 1)
    )


def marker_key(keys: RedisKeys, stream: str) -> str:
    """The exactly-once marker set of a stream: `<prefix>:appended:<stream without prefix>`."""
    return f"{keys.prefix}:appended:{stream.removeprefix(keys.prefix + ':')}"


@dataclass(frozen=True)
class PendingAppend:
    """One stream append waiting for Redis: `kind` is dead_letter, alert, history or timeline.

    `token` identifies the append across replays (empty for history, which has explicit ids).
    """

    kind: str
    item: Any
    token: str


def append_token(run_id: str, kind: str, item: Any) -> str:
    """`<run_id>:<digest>`: the same for the same content of the same run, whatever the order."""
    if kind == "dead_letter":
        content = f"{item.seq}\0{item.reason}"
    elif kind == "alert":
        content = f"{item.alert['id']}\0{item.transition}"
    elif kind == "timeline":
        content = f"{item.agent_id}\0{item.ts!r}\0{item.kind}\0{dumps(item.data).decode()}"
    elif kind == "interval":
        content = f"{item.kind}\0{item.entity_id}\0{item.interval_start}"
    else:
        return ""
    digest = hashlib.blake2b(content.encode(), digest_size=12).hexdigest()
    return f"{run_id}:{kind}:{digest}"


def tick_appends(tick: Tick) -> list[PendingAppend]:
    """A tick's stream appends, in the order they are written."""
    out = tick.output
    items: list[tuple[str, Any]] = []
    items += [("dead_letter", d) for d in out.dead_letters]
    items += [("alert", a) for a in out.alert_transitions]
    items += [("history", h) for h in out.history]
    items += [("timeline", t) for t in out.timeline]
    items += [("interval", r) for r in out.intervals]
    return [
        PendingAppend(kind, item, append_token(tick.run_id, kind, item)) for kind, item in items
    ]


class RedisStateWriter:
    """Writes ticks to Redis. Not thread-safe; one per pipeline process.

    `pending` resumes appends that a previous execution had not written yet (recovery).
    Retries after a failed write wait `BACKOFF_FIRST_S` doubling up to `BACKOFF_MAX_S`
    (seconds of `clock`, monotonic).
    """

    def __init__(
        self,
        client: redis.Redis,
        settings: Settings,
        pending: list[PendingAppend] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.settings = settings
        self.keys = RedisKeys(settings.redis_prefix)
        self.clock = clock
        self._written: dict[str, bytes] = {}
        self._written_staged: dict[str, bytes] = {}
        # Entity keys that may exist in Redis (written by this writer or found at start):
        # a key whose entity has left the snapshot is deleted, so Redis never keeps a
        # departed agent's last state (see `_stage_state`).
        self._present: set[str] = set()
        self._present_staged: set[str] | None = None
        # Serialisation memo (pure speed-up, see `_entity_json`): per entity key, the value
        # object last serialised and its JSON. Ticks are never mutated once emitted, so a
        # value that is the same object as last tick's has the same JSON.
        self._dumped: dict[str, tuple[Any, bytes]] = {}
        # Final content of the active-alerts hash per alert id staged in this flush
        # (None: delete), so a flush sends one HSET and one HDEL whatever the transitions.
        self._active_staged: dict[str, bytes | None] = {}
        self._latest: Tick | None = None
        self._pending_appends: deque[PendingAppend] = deque(pending or (), maxlen=PENDING_LIMIT)
        self._append_script = client.register_script(APPEND_ONCE_LUA)
        self._history_script = client.register_script(APPEND_HISTORY_LUA)
        self._heartbeat_script = client.register_script(HEARTBEAT_ALLOW_OOM_LUA)
        self._major: int | None = None  # Redis server major version, asked once
        # History points of the flush being staged: stream -> [id, ts, kpis, id, ts, ...].
        self._history_staged: dict[str, list[Any]] = {}
        self.redis_ok = True
        # Why the last flush failed (unreachable, or a write Redis refused), else None.
        self.redis_error: str | None = None
        self.dropped_appends = 0
        self.appends_skipped = 0  # already written before a crash (replayed)
        self._retry_at = 0.0
        self._backoff_s = BACKOFF_FIRST_S
        self._down_since: float | None = None
        # Pipeline positions of the append-once script calls and how many entries each has.
        self._once_indexes: list[tuple[int, int]] = []
        # Append-once entries of the flush being staged: stream -> (maxlen, TTL s, entries).
        self._once_staged: dict[str, tuple[int, int, list[tuple[str, list[Any]]]]] = {}

    def write_config(self) -> None:
        """`wb:config` for the dashboard: everything but `[access]` (users and their
        password hashes stay in the TOML file the dashboard reads itself)."""
        self.client.set(self.keys.config(), self.settings.model_dump_json(exclude={"access"}))

    def adopt_existing_entities(self) -> None:
        """Note the entity keys already under this prefix (an earlier run's), so the first
        snapshot deletes those of entities it no longer holds."""
        for kind, _section in ENTITY_SECTIONS:
            pattern = self.keys.entity(kind, "*")
            self._present.update(
                key.decode() if isinstance(key, bytes) else key
                for key in self.client.scan_iter(match=pattern, count=1000)
            )

    def pending(self) -> list[PendingAppend]:
        """Appends not yet in Redis (what a recovery snapshot of the sink keeps)."""
        return list(self._pending_appends)

    def write(self, tick: Tick) -> None:
        """Queue a tick's appends, then try to bring Redis up to date in one pipeline.

        While backing off after a failure, only queues (the state is kept, not written).
        """
        self._queue_appends(tick)
        self._latest = tick
        if self.redis_ok or self.clock() >= self._retry_at:
            self.flush()

    def flush(self) -> bool:
        """Write the latest state and every pending append; False when Redis is unreachable."""
        tick = self._latest
        if tick is None and not self._pending_appends:
            return True
        pipe = self.client.pipeline(transaction=False)
        self._once_indexes = []
        self._once_staged = {}
        self._history_staged = {}
        self._active_staged = {}
        changed = self._stage_state(pipe, tick) if tick is not None else set()
        appends = list(self._pending_appends)
        for append in appends:
            self._stage_append(pipe, append, changed)
        self._stage_active_alerts(pipe)
        self._stage_once_calls(pipe)
        self._stage_history_calls(pipe)
        if tick is not None:
            # The first heartbeat after an outage says so: it carries what was kept meanwhile.
            heartbeat = dict(tick.heartbeat, redis_ok=self.redis_ok, redis_error=self.redis_error)
            pipe.set(self.keys.heartbeat(), dumps(heartbeat))
            if changed:
                pipe.publish(
                    self.keys.updates_channel(),
                    dumps({"now": tick.heartbeat["last_event_ts"], "changed": sorted(changed)}),
                )
        try:
            results = pipe.execute(raise_on_error=False)
        except _UNREACHABLE as error:
            self._failed(error)
            return False
        # History entries use explicit stream ids, so a replayed minute is refused instead
        # of duplicated; any other error is a write Redis refused (e.g. OOM at `maxmemory`
        # with `noeviction`): the flush failed, everything is kept and retried (the appends
        # are exactly-once, the state is overwritten).
        refused = [
            result
            for result in results
            if isinstance(result, redis.exceptions.ResponseError)
            and "equal or smaller" not in str(result)
        ]
        if refused:
            self._failed(refused[0], refused=len(refused))
            self._write_failure_heartbeat(tick)
            return False
        self.appends_skipped += sum(
            entries - results[i] for i, entries in self._once_indexes if isinstance(results[i], int)
        )
        if not self.redis_ok:
            # Redis may have restarted empty: rewrite everything on the next tick.
            down_s = 0.0 if self._down_since is None else self.clock() - self._down_since
            log.warning(
                "redis reachable again after %.1f s (last error: %s); wrote %d kept "
                "appends, catching up",
                down_s,
                self.redis_error,
                len(appends),
            )
            self._written_staged.clear()
            self._written.clear()
            self.write_config()
        self.redis_ok = True
        self.redis_error = None
        self._backoff_s = BACKOFF_FIRST_S
        self._down_since = None
        self._written.update(self._written_staged)
        self._written_staged.clear()
        if self._present_staged is not None:
            self._present = self._present_staged
            self._present_staged = None
        for _ in appends:
            self._pending_appends.popleft()
        return True

    def _failed(self, error: Exception, refused: int = 0) -> None:
        """A flush failed: keep the state and every append, retry after the backoff.
        `refused`: how many writes Redis answered with an error (0: unreachable)."""
        now = self.clock()
        what = "refuses writes" if refused else "unreachable"
        if self.redis_ok:
            if refused:
                log.warning(
                    "redis refuses writes (%d refused in one flush), keeping the state and "
                    "%d appends in memory for a retry: %s",
                    refused,
                    len(self._pending_appends),
                    describe_redis_error(error),
                )
            else:
                log.warning("redis unreachable, keeping state in memory: %s", error)
            self._down_since = now
        else:
            self._backoff_s = min(self._backoff_s * 2, BACKOFF_MAX_S)
        log.info("redis still %s; next attempt in %.1f s", what, self._backoff_s)
        self.redis_error = describe_redis_error(error)
        self.redis_ok = False
        self._retry_at = now + self._backoff_s
        self._written_staged.clear()
        self._present_staged = None

    def _write_failure_heartbeat(self, tick: Tick | None) -> None:
        """Say in the heartbeat that writes are refused, and why: through a script flagged
        `allow-oom` on Redis 7 (a plain SET is refused at `maxmemory` too), else a SET."""
        if tick is None:
            return
        body = dumps(dict(tick.heartbeat, redis_ok=False, redis_error=self.redis_error))
        try:
            if self._server_major() >= 7:
                self._heartbeat_script(keys=[self.keys.heartbeat()], args=[body])
            else:
                self.client.set(self.keys.heartbeat(), body)
        except redis.exceptions.RedisError as error:
            log.info("could not write the heartbeat either: %s", error)

    def _server_major(self) -> int:
        if self._major is None:
            version = str(self.client.info("server").get("redis_version", "0"))
            self._major = int(version.split(".", maxsplit=1)[0] or 0)
        return self._major

    def flush_within(self, wait_s: float) -> bool:
        """Retry `flush` with backoff for up to `wait_s` seconds (end of input)."""
        deadline = self.clock() + wait_s
        while not self.flush():
            pause = min(self._backoff_s, deadline - self.clock())
            if pause <= 0:
                log.error(
                    "redis still failing at end of input (%s): %d appends not written",
                    self.redis_error,
                    len(self._pending_appends),
                )
                return False
            time.sleep(pause)
        return True

    def _stage_state(self, pipe: Any, tick: Tick) -> set[str]:
        """Stage the entity keys whose JSON changed and, if anything did, the snapshot.

        Expiring keys (agents, teams) get one `SET … EX` each; all other changed keys go in
        one `MSET`, after them."""
        self._written_staged = {}
        self._present_staged = None
        changed: set[str] = set()
        snapshot = tick.snapshot
        if not snapshot:
            return changed
        present: set[str] = set()
        dumped, self._dumped = self._dumped, {}
        members: dict[str, list[tuple[str, bytes]]] = {}
        unexpiring: dict[str, bytes] = {}
        for kind, entity_id, value in snapshot_entities(snapshot):
            key = self.keys.entity(kind, entity_id)
            body = self._entity_json(dumped, key, value)
            if kind != "all":
                members.setdefault(kind, []).append((entity_id, body))
                present.add(key)
            if self._written.get(key) == body:
                continue
            if kind in _EXPIRING_KINDS:
                pipe.set(key, body, ex=DAY_TTL_S)
            else:
                unexpiring[key] = body
            self._written_staged[key] = body
            changed.add(f"{kind}:{entity_id}" if entity_id else kind)
        gone = sorted(self._present - present)
        if gone:
            # Entities that left the snapshot (an agent gone since yesterday, a queue with
            # nothing in any window): their keys must not keep a state that is no longer true.
            pipe.delete(*gone)
            prefix = len(self.keys.prefix) + 1
            changed.update(key[prefix:] for key in gone)
            for key in gone:
                self._written.pop(key, None)
        self._present_staged = present
        if changed or tick.output.alert_transitions or tick.final:
            body = self._snapshot_json(snapshot, members)
            unexpiring[self.keys.snapshot()] = body
            self._written_staged[self.keys.snapshot()] = body
        if unexpiring:
            pipe.mset(unexpiring)
        return changed

    def _entity_json(self, dumped: dict[str, tuple[Any, bytes]], key: str, value: Any) -> bytes:
        """`dumps(value)`, reusing last tick's JSON when `value` is the very same object (a
        snapshot within the same second reuses its agent and team entries)."""
        last = dumped.get(key)
        body = last[1] if last is not None and last[0] is value else dumps(value)
        self._dumped[key] = (value, body)
        return body

    def _snapshot_json(
        self, snapshot: dict[str, Any], members: dict[str, list[tuple[str, bytes]]]
    ) -> bytes:
        """`dumps(snapshot)`, built from the entities' JSON already made for their own keys
        instead of serialising them a second time. (The alerts are dumped as they are: one
        orjson call over the list is cheaper than any per-alert reuse in Python.)"""
        section_kind = {section: kind for kind, section in ENTITY_SECTIONS}
        parts: dict[str, Any] = {}
        for name, value in snapshot.items():
            kind = section_kind.get(name)
            if kind is not None:
                parts[name] = orjson.Fragment(json_object(members.get(kind, [])))
            elif name == "all":
                parts[name] = orjson.Fragment(self._dumped[self.keys.entity("all", "")][1])
            else:
                parts[name] = value
        return dumps(parts)

    def _queue_appends(self, tick: Tick) -> None:
        items = tick_appends(tick)
        if len(self._pending_appends) + len(items) > PENDING_LIMIT:
            dropped = len(self._pending_appends) + len(items) - PENDING_LIMIT
            self.dropped_appends += dropped
            log.error("append buffer full while redis is away: dropping %d oldest", dropped)
        self._pending_appends.extend(items)

    def _stage_append(self, pipe: Any, append: PendingAppend, changed: set[str]) -> None:
        keys = self.keys
        zone = self.settings.zone
        kind, item = append.kind, append.item
        if kind == "dead_letter":
            d: DeadLetter = item
            self._stage_once(
                pipe,
                keys.dead_letter(),
                append.token,
                DEAD_LETTER_MAXLEN,
                0,
                {
                    "reason": d.reason,
                    "raw": d.raw,
                    "seq": d.seq,
                    "source": "pipeline",
                    "received_at": format_ts(time.time(), zone),
                },
            )
        elif kind == "alert":
            a: AlertTransition = item
            body = dumps(a.alert)
            self._active_staged[a.alert["id"]] = body if a.transition == "raised" else None
            self._stage_once(
                pipe,
                keys.alerts_history(),
                append.token,
                ALERT_HISTORY_MAXLEN,
                0,
                {"transition": a.transition, "alert": body},
            )
            changed.add("alerts")
        elif kind == "history":
            h: HistoryPoint = item
            entity_kind: EntityKind = h.kind  # type: ignore[assignment]
            stream = keys.history(entity_kind, h.entity_id)
            staged = self._history_staged.get(stream)
            if staged is None:
                staged = self._history_staged[stream] = []
            staged += [f"{h.minute * 1000}-0", format_ts(h.minute, zone), dumps(h.kpis)]
        elif kind == "interval":
            r: IntervalRecord = item
            fields: dict[str, Any] = {
                "kind": r.kind,
                "id": r.entity_id,
                "interval_start": format_ts(r.interval_start, zone),
                "interval_s": r.interval_s,
                "kpis": dumps(r.kpis),
            }
            # Queue-like records only: the waiting-time sums behind the observed patience.
            if r.answered_wait_s is not None and r.abandoned_wait_s is not None:
                fields["answered_wait_s"] = repr(r.answered_wait_s)
                fields["abandoned_wait_s"] = repr(r.abandoned_wait_s)
            self._stage_once(pipe, keys.intervals(), append.token, INTERVALS_MAXLEN, 0, fields)
        elif kind == "timeline":
            t: TimelineRecord = item
            self._stage_once(
                pipe,
                keys.agent_timeline(t.agent_id),
                append.token,
                TIMELINE_MAXLEN,
                DAY_TTL_S,
                {"ts": format_ts(t.ts, zone), "kind": t.kind, "data": dumps(t.data)},
            )

    def _stage_active_alerts(self, pipe: Any) -> None:
        """The active-alerts hash after this flush's transitions, in one HSET and one HDEL
        (the same end state as one command per transition, in order)."""
        raised = {i: body for i, body in self._active_staged.items() if body is not None}
        cleared = [i for i, body in self._active_staged.items() if body is None]
        if raised:
            pipe.hset(self.keys.alerts_active(), mapping=raised)
        if cleared:
            pipe.hdel(self.keys.alerts_active(), *cleared)
        self._active_staged = {}

    def _stage_once(  # noqa: PLR0913, PLR0917
        self,
        pipe: Any,
        stream: str,
        token: str,
        maxlen: int,
        ttl_s: int,
        fields: dict[str, Any],
    ) -> None:
        """Stage an append that Redis skips when `token` was already appended to `stream`
        (sent by `_stage_once_calls`, batched per stream)."""
        items: list[Any] = []
        for name, value in fields.items():
            items += [name, value]
        staged = self._once_staged.get(stream)
        if staged is None:
            staged = self._once_staged[stream] = (maxlen, ttl_s, [])
        staged[2].append((token, items))

    def _stage_history_calls(self, pipe: Any) -> None:
        """One history script call per stream (per `APPEND_ONCE_BATCH` points)."""
        step = 3 * APPEND_ONCE_BATCH
        for stream, items in self._history_staged.items():
            for begin in range(0, len(items), step):
                self._history_script(
                    keys=[stream], args=[HISTORY_MAXLEN, *items[begin : begin + step]], client=pipe
                )
        self._history_staged = {}

    def _stage_once_calls(self, pipe: Any) -> None:
        """One append-once script call per stream (per `APPEND_ONCE_BATCH` entries)."""
        for stream, (maxlen, ttl_s, entries) in self._once_staged.items():
            keys = [stream, marker_key(self.keys, stream)]
            for begin in range(0, len(entries), APPEND_ONCE_BATCH):
                chunk = entries[begin : begin + APPEND_ONCE_BATCH]
                args: list[Any] = [maxlen, maxlen, ttl_s]
                for token, items in chunk:
                    args += [token, len(items), *items]
                self._once_indexes.append((len(pipe), len(chunk)))
                self._append_script(keys=keys, args=args, client=pipe)
        self._once_staged = {}


def describe_redis_error(error: Exception) -> str:
    """An error as Redis said it: redis-py strips the `OOM` code from an out-of-memory reply
    ("OOM command not allowed when used memory > 'maxmemory'.")."""
    if isinstance(error, redis.exceptions.OutOfMemoryError):
        return f"OOM {error}"
    return str(error)


def preflight_write(url: str, settings: Settings) -> str | None:
    """Write the configuration key once before the pipeline starts: the one-line reason when
    Redis refuses the write (full at `maxmemory`, read-only replica, no permission), else
    None. An unreachable Redis passes: the writer keeps the state until it is back."""
    client = fail_fast_client(url)
    try:
        RedisStateWriter(client, settings).write_config()
    except _UNREACHABLE:
        return None
    except redis.exceptions.RedisError as error:
        kwargs = client.connection_pool.connection_kwargs
        where = f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"
        return f"redis at {where} refuses writes: {describe_redis_error(error)}"
    finally:
        client.close()
    return None


class _RedisPartition(StatefulSinkPartition[Tick, list[PendingAppend]]):
    """The Redis writer as Bytewax's one sink partition; its recovery state is the appends
    it could not write yet (Redis away), so a crash during an outage loses none."""

    def __init__(  # noqa: PLR0913, PLR0917
        self,
        url: str,
        settings: Settings,
        resume: list[PendingAppend] | None,
        close_wait_s: float,
        failures: list[str],
    ) -> None:
        self.client = fail_fast_client(url)
        self.writer = RedisStateWriter(self.client, settings, pending=resume)
        self.close_wait_s = close_wait_s
        self.failures = failures
        try:
            self.writer.write_config()
            self.writer.adopt_existing_entities()
        except _UNREACHABLE as error:
            log.warning("redis unreachable at start: %s", error)
        except redis.exceptions.ResponseError as error:
            # Full since the preflight: the writer keeps everything and retries.
            log.warning("redis refuses writes at start: %s", error)

    def write_batch(self, values: list[Tick]) -> None:
        for tick in values:
            self.writer.write(tick)

    def snapshot(self) -> list[PendingAppend]:
        return self.writer.pending()

    def close(self) -> None:
        if not self.writer.flush_within(self.close_wait_s):
            self.failures.append(
                f"{len(self.writer.pending())} appends and the final state not written to "
                f"redis: {self.writer.redis_error}"
            )
        self.client.close()


class RedisStateSink(FixedPartitionedSink[Tick, list[PendingAppend]]):
    """Writes each tick to Redis from one partition; connects when built, not before.

    Takes `(key, Tick)` items (the flow's keyed ticks). At end of input it waits up to
    `close_wait_s` for an unreachable Redis before giving up on the last appends.
    """

    def __init__(self, url: str, settings: Settings, close_wait_s: float = CLOSE_WAIT_S) -> None:
        self.url = url
        self.settings = settings
        self.close_wait_s = close_wait_s
        # What the partitions could not write by the end (read by `wallboard run` for its
        # exit status); empty when everything reached Redis.
        self.failures: list[str] = []

    def list_parts(self) -> list[str]:
        return ["redis"]

    def build_part(
        self, step_id: str, for_part: str, resume_state: list[PendingAppend] | None
    ) -> _RedisPartition:
        return _RedisPartition(
            self.url, self.settings, resume_state, self.close_wait_s, self.failures
        )


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
