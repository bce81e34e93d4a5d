"""Self-benchmark of `FloorEngine.ingest` (run by hand, not collected by pytest):

    .venv/bin/python -m tests.engine.bench_ingest [events]

Builds a synthetic floor (8 queues, 300 agents, contacts every ~0.2 s of event time),
then times `ingest` alone and `ingest` with one snapshot per second of event time.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from pipeline.engine import FloorEngine
from tests.engine.helpers import (
    T0,
    abandoned,
    answered,
    ended,
    login,
    offered,
    sample_settings,
    state,
    wrapup,
)

QUEUES = [
    ("claims_report", "voice"),
    ("policy_service", "voice"),
    ("complaints", "voice"),
    ("new_policy_callback", "voice"),
    ("chat_claims", "chat"),
    ("chat_service", "chat"),
]


def synthetic(n_events: int, seed: int = 1) -> list[Any]:
    rng = random.Random(seed)
    agents = [f"ag{i:03d}" for i in range(300)]
    events: list[Any] = [login(a, -10, team="bj_claims_a") for a in agents]
    i = 0
    while len(events) < n_events:
        t = i * 0.2
        queue, channel = QUEUES[i % len(QUEUES)]
        cid = f"k{i}"
        agent = agents[i % len(agents)]
        events.append(offered(cid, t, queue=queue, channel=channel))
        if rng.random() < 0.1:
            events.append(abandoned(cid, t + rng.uniform(1, 60)))
        else:
            a = t + rng.uniform(1, 40)
            e = a + rng.uniform(5, 300)
            events += [answered(cid, a, agent), ended(cid, e, agent), wrapup(cid, e + 15, agent)]
        if rng.random() < 0.05:
            events.append(state(agent, t, "not_ready", "break"))
            events.append(state(agent, t + 300, "ready"))
        i += 1
    events.sort(key=lambda e: e.ts)
    return events[:n_events]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    events = synthetic(n)
    engine = FloorEngine(sample_settings())
    started = time.perf_counter()
    for seq, event in enumerate(events):
        engine.ingest(event, seq)
    ingest_s = time.perf_counter() - started
    print(f"ingest only: {n} events in {ingest_s:.2f} s = {n / ingest_s:,.0f} events/s")
    engine = FloorEngine(sample_settings())
    started = time.perf_counter()
    next_tick = T0
    snapshots = 0
    for seq, event in enumerate(events):
        engine.ingest(event, seq)
        ts = event.ts.timestamp()
        if ts >= next_tick + 60:
            engine.snapshot(int(ts))
            engine.drain()
            snapshots += 1
            next_tick = int(ts)
    total_s = time.perf_counter() - started
    print(
        f"with a snapshot per minute of event time ({snapshots}): {n / total_s:,.0f} events/s, "
        f"{(total_s - ingest_s) / max(snapshots, 1) * 1000:.1f} ms per snapshot (approx.)"
    )


if __name__ == "__main__":
    main()
