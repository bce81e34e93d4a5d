"""Replay throughput of the whole flow against a plain parse-and-count loop (the floor)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import orjson
import redis

from bench.common import Figure
from pipeline.flow import build_flow
from pipeline.runner import run_flow
from pipeline.sinks import RedisStateSink
from pipeline.sources import FileReplaySource, open_events
from schemas.config import Settings


def floor_events_per_s(path: Path) -> tuple[float, int]:
    """Parse every line with the same JSON library and count types in a dict."""
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    n = 0
    with open_events(path) as handle:
        for line in handle:
            try:
                counts[orjson.loads(line).get("type", "")] += 1
            except orjson.JSONDecodeError:
                counts["bad"] += 1
            n += 1
    return n / (time.perf_counter() - started), n


def flow_events_per_s(path: Path, settings: Settings, redis_url: str) -> float:
    """The full dataflow on one worker: parse, validate, dedupe, KPIs, alerts, Redis writes."""
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{settings.redis_prefix}:*", count=1000):
        client.delete(key)
    flow = build_flow(
        settings, FileReplaySource(path, speed=0), RedisStateSink(redis_url, settings)
    )
    started = time.perf_counter()
    run_flow(flow, workers=1)
    elapsed = time.perf_counter() - started
    with open_events(path) as handle:
        lines = sum(1 for _ in handle)
    return lines / elapsed


def measure(path: Path, settings: Settings, redis_url: str) -> list[Figure]:
    floor, _ = floor_events_per_s(path)
    flow = flow_events_per_s(
        path, settings.model_copy(update={"redis_prefix": "wbbench"}), redis_url
    )
    return [
        Figure(
            "replay throughput (1 worker, sample day, Redis sink)",
            flow,
            "events/s",
            floor,
            "orjson parse + dict loop",
            "≥ 150,000 events/s and ≥ 0.35 of floor",
            flow >= 150_000 and flow / floor >= 0.35,
        )
    ]
