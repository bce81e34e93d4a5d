"""1. Replay throughput of the whole flow against a plain parse-and-count loop (the floor)."""

from __future__ import annotations

import time
from pathlib import Path

import orjson

from bench.common import Figure, clear_prefix, multi_day_file
from pipeline.flow import FlowOptions, build_flow
from pipeline.runner import run_flow
from pipeline.sinks import RedisStateSink
from pipeline.sources import FileReplaySource, open_events
from schemas.config import Settings

TARGET_EVENTS_PER_S = 150_000
TARGET_FLOOR_RATIO = 0.35


def floor_events_per_s(path: Path) -> tuple[float, int]:
    """Read the same file, parse every line with orjson and update a dict (events by type)."""
    counts: dict[str, int] = {}
    started = time.perf_counter()
    n = 0
    with open_events(path) as handle:
        for line in handle:
            try:
                kind = orjson.loads(line).get("type", "")
            except orjson.JSONDecodeError:
                kind = "bad"
            counts[kind] = counts.get(kind, 0) + 1
            n += 1
    return n / (time.perf_counter() - started), n


def flow_events_per_s(path: Path, settings: Settings, redis_url: str, lines: int) -> float:
    """The full dataflow on one worker: parse, validate, dedupe, KPIs, alerts, Redis writes."""
    clear_prefix(redis_url, settings.redis_prefix)
    flow = build_flow(
        settings,
        FileReplaySource(path, speed=0),
        RedisStateSink(redis_url, settings),
        FlowOptions(recovery=False),  # run_flow below has no recovery store
    )
    started = time.perf_counter()
    run_flow(flow, workers=1)
    return lines / (time.perf_counter() - started)


def measure(workdir: Path, settings: Settings, redis_url: str, days: int = 3) -> list[Figure]:
    path = multi_day_file(workdir, days)
    floor, lines = floor_events_per_s(path)
    flow = flow_events_per_s(
        path, settings.model_copy(update={"redis_prefix": "wbbench"}), redis_url, lines
    )
    return [
        Figure(
            f"1. replay throughput (1 worker, {days} × sample day = {lines:,} events, Redis sink)",
            flow,
            "events/s",
            floor,
            "orjson parse + dict loop",
            f"≥ {TARGET_EVENTS_PER_S:,} events/s and ≥ {TARGET_FLOOR_RATIO} of floor",
            flow >= TARGET_EVENTS_PER_S and flow / floor >= TARGET_FLOOR_RATIO,
            f"floor {floor:,.0f} events/s",
        )
    ]
