"""Cardinality: what many distinct names cost, with the default `[limits]`.

Two measurements, each in a child process of its own so its RSS is its own:

- `python -m bench.cardinality flood QUEUES AGENTS [REDIS_URL PREFIX] [--max-agents N]`:
  one event per distinct queue name (`contact.offered`) and one per distinct agent id
  (`agent.login`, with one team per 10 agents and one site per 1,000), interleaved 10 ms
  apart, fed to `FloorEngine` with the default settings; the output is drained every 10,000
  events as the flow does each tick; then one snapshot at the end, written to Redis when a URL is
  given (what the wallboard then reads). Prints JSON: `peak_rss_mb`, `start_rss_mb`
  (after imports), the snapshot's queue / agent / team / site counts and JSON size,
  `entities_refused`, `dead_letters`, `seconds`.
- `python -m bench.cardinality agents N`: N agents through a working morning (login,
  ready, 8 contacts answered, ended and wrapped up on 20 queues, a break), then one
  snapshot. Prints JSON: RSS after imports, after the events (engine state) and with the
  snapshot and its JSON held (what a live pipeline keeps between ticks).

Events are built with `model_construct` (already valid: the point is the engine's state,
not parsing speed).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import orjson

from bench.common import peak_rss_mb, rss_mb
from pipeline.engine import EngineOutput, FloorEngine
from pipeline.floor_logic import Tick
from schemas.config import Settings
from schemas.events import (
    AgentLogin,
    AgentState,
    ContactAnswered,
    ContactEnded,
    ContactOffered,
    ContactWrapupEnded,
    Event,
)
from schemas.snapshot import Heartbeat

T0 = datetime.fromisoformat("2026-03-02T09:00:00+08:00")
DRAIN_EVERY = 10_000


def _offered(n: int, at: datetime, cid: str, queue: str) -> Event:
    return ContactOffered.model_construct(
        event_id=f"o{n}",
        ts=at,
        type="contact.offered",
        contact_id=cid,
        queue=queue,
        channel="voice",
        customer_id=None,
        parent_contact_id=None,
    )


def _login(n: int, at: datetime, agent: str, team: str, site: str) -> Event:
    return AgentLogin.model_construct(
        event_id=f"l{n}",
        ts=at,
        type="agent.login",
        agent_id=agent,
        team=team,
        site=site,
        shift_start=None,
        shift_end=None,
    )


def flood_events(queues: int, agents: int) -> Iterator[Event]:
    for i in range(max(queues, agents)):
        at = T0 + timedelta(milliseconds=10 * i)
        if i < queues:
            yield _offered(i, at, f"c{i}", f"queue-{i:06d}")
        if i < agents:
            yield _login(i, at, f"agent-{i:06d}", f"team-{i // 10:05d}", f"site-{i // 1000:04d}")


def flood(
    queues: int,
    agents: int,
    url: str | None,
    prefix: str | None,
    max_agents: int | None = None,
) -> dict[str, Any]:
    """`max_agents` (and teams at one per 10 agents) below the default keeps a test quick."""
    start_rss = rss_mb()
    began = time.perf_counter()
    limits = {} if max_agents is None else {"max_agents": max_agents, "max_teams": max_agents // 10}
    settings = Settings(redis_prefix=prefix or "wb", limits=limits)
    engine = FloorEngine(settings)
    dead = 0
    for seq, event in enumerate(flood_events(queues, agents)):
        engine.ingest(event, seq)
        if seq % DRAIN_EVERY == 0:
            dead += len(engine.drain().dead_letters)
    now = int(T0.timestamp()) + (10 * max(queues, agents)) // 1000 + 1
    snapshot = engine.snapshot(now)
    output = engine.drain()
    dead += len(output.dead_letters)
    body = orjson.dumps(snapshot)
    if url is not None:
        _write(url, settings, engine, now, snapshot)
    return {
        "start_rss_mb": round(start_rss, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "queues": len(snapshot["queues"]),
        "agents": len(snapshot["agents"]),
        "teams": len(snapshot["teams"]),
        "sites": len(snapshot["sites"]),
        "snapshot_bytes": len(body),
        "entities_refused": engine.stats.entities_refused,
        "dead_letters": dead,
        "seconds": round(time.perf_counter() - began, 1),
    }


def _write(url: str, settings: Settings, engine: FloorEngine, now: int, snapshot: Any) -> None:
    """The final tick into Redis through the real writer (dead letters left out)."""
    import redis

    from pipeline.sinks import RedisStateWriter

    stats = engine.stats
    heartbeat = Heartbeat(
        processed_at=datetime.now(tz=settings.zone).isoformat(),
        last_event_ts=T0.isoformat(),
        watermark_ts=None,
        lag_s=0.0,
        events_total=stats.events_total,
        events_per_s=0.0,
        dead_letters_total=stats.dead_letters_total,
        duplicates_total=stats.duplicates_total,
        late_total=stats.late_total,
        entities_refused=stats.entities_refused,
    ).model_dump()
    client = redis.Redis.from_url(url)
    writer = RedisStateWriter(client, settings)
    writer.write_config()
    writer.write(Tick(now, snapshot, EngineOutput(), heartbeat, final=True))
    client.close()


def working_morning(agents: int) -> Iterator[Event]:
    """Login at 08:00, ready, then per hour one contact per agent on 20 queues (8 hours),
    a break in hour 4; events in time order (agents spread over each hour)."""
    step = timedelta(seconds=3000 / agents)
    base = T0 - timedelta(hours=1)
    n = 0
    for i in range(agents):
        at = base + i * step
        yield _login(n, at, f"agent-{i:06d}", f"team-{i // 10:05d}", f"site-{i // 1000:02d}")
        yield AgentState.model_construct(
            event_id=f"s{n}",
            ts=at + timedelta(seconds=1),
            type="agent.state",
            agent_id=f"agent-{i:06d}",
            state="ready",
            reason=None,
        )
        n += 1
    for hour in range(8):
        for i in range(agents):
            at = T0 + timedelta(hours=hour) + i * step
            agent, cid = f"agent-{i:06d}", f"c{hour}-{i}"
            yield _offered(n, at, cid, f"queue-{i % 20:02d}")
            n += 1
            for kind, name, after in _CONTACT_STEPS:
                fields: dict[str, Any] = {"contact_id": cid, "agent_id": agent}
                if kind is ContactEnded:
                    fields.update(hold_s=None, disposition="completed")
                yield kind.model_construct(
                    event_id=f"x{n}", ts=at + timedelta(seconds=after), type=name, **fields
                )
                n += 1


_CONTACT_STEPS: tuple[tuple[Any, str, int], ...] = (
    (ContactAnswered, "contact.answered", 10),
    (ContactEnded, "contact.ended", 200),
    (ContactWrapupEnded, "contact.wrapup_ended", 230),
)


def per_agent(agents: int) -> dict[str, Any]:
    """Python heap (tracemalloc) of the engine state after the events, and of one
    snapshot plus its JSON; the events themselves are built and freed outside it."""
    import gc
    import tracemalloc

    events = sorted(working_morning(agents), key=lambda e: e.ts)
    tracemalloc.start()
    engine = FloorEngine(Settings())
    for seq, event in enumerate(events):
        engine.ingest(event, seq)
        if seq % DRAIN_EVERY == 0:
            engine.drain()
    engine.drain()
    tracemalloc.stop()  # the events list was allocated before: not traced
    del events
    gc.collect()
    tracemalloc.start()
    engine_bytes = _engine_heap(engine)
    now = int((T0 + timedelta(hours=8)).timestamp())
    snapshot = engine.snapshot(now)
    engine.drain()
    body = orjson.dumps(snapshot)
    snapshot_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {
        "agents": len(snapshot["agents"]),
        "events": engine.stats.events_total,
        "engine_mib": round(engine_bytes / 2**20, 2),
        "snapshot_and_json_mib": round(snapshot_bytes / 2**20, 2),
        "snapshot_json_bytes": len(body),
    }


def _engine_heap(engine: FloorEngine) -> int:
    """Bytes of the engine's object graph (pickled size is a poor proxy; walk it)."""
    import pickle
    import tracemalloc

    # Unpickling a copy under tracemalloc counts exactly what the state allocates.
    blob = pickle.dumps(engine, protocol=pickle.HIGHEST_PROTOCOL)
    before = tracemalloc.get_traced_memory()[0]
    copy = pickle.loads(blob)  # noqa: S301 - our own object
    size = tracemalloc.get_traced_memory()[0] - before
    del copy
    return size


def run_child(*args: str) -> dict[str, Any]:
    """One measurement in a fresh interpreter (its RSS its own)."""
    result = subprocess.run(  # noqa: S603 - ourselves
        [sys.executable, "-m", "bench.cardinality", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "flood":
        args = sys.argv[2:]
        cap = None
        if "--max-agents" in args:
            at = args.index("--max-agents")
            cap = int(args[at + 1])
            del args[at : at + 2]
        extra = args[2:4]
        out = flood(
            int(args[0]),
            int(args[1]),
            extra[0] if extra else None,
            extra[1] if len(extra) > 1 else None,
            cap,
        )
    else:
        out = per_agent(int(sys.argv[2]))
    print(json.dumps(out))
