"""5. CPU per refresh: re-running the DuckDB reference over today's events vs streaming.

Batch: `reference_snapshot` over every event of the day up to `at` (load + SQL + render).
Streaming: the engine fed up to one second before `at`, then the CPU of parsing and
ingesting the last second's events plus one snapshot at `at` — what a live tick costs.
CPU is process time (all threads, DuckDB's included).
"""

from __future__ import annotations

import math
import time
from datetime import datetime

from bench.common import Figure, sample_lines
from pipeline.engine import FloorEngine
from pipeline.reference import reference_snapshot
from schemas.config import Settings
from schemas.events import InvalidEvent, parse_event

AT_LOCAL = ("09:00", "12:00", "18:00")
TARGET_FACTOR = 50


def _streaming_cpu(
    lines: list[tuple[float, bytes]], ats: list[float], settings: Settings
) -> list[float]:
    """One pass over the day; at each of `ats` (ascending), the CPU of its last second."""
    engine = FloorEngine(settings)
    costs = []
    seq = 0

    def feed_until(limit: float) -> None:
        nonlocal seq
        while seq < len(lines) and lines[seq][0] < limit:
            try:
                engine.ingest(parse_event(lines[seq][1]), seq)
            except InvalidEvent:
                pass
            seq += 1

    for at in ats:
        feed_until(at - 1)
        engine.snapshot(math.floor(at) - 1)
        engine.drain()
        started = time.process_time()
        feed_until(at)
        engine.snapshot(math.floor(at))
        engine.drain()
        costs.append(time.process_time() - started)
    return costs


def _batch_cpu(lines: list[tuple[float, bytes]], at: datetime, settings: Settings) -> float:
    today = [line for ts, line in lines if ts <= at.timestamp()]
    started = time.process_time()
    reference_snapshot(today, at, settings)
    return time.process_time() - started


def _timed_lines() -> list[tuple[float, bytes]]:
    out = []
    for line in sample_lines():
        try:
            ts = parse_event(line).ts.timestamp()
        except InvalidEvent:
            ts = -math.inf  # broken lines go first; both sides see them
        out.append((ts, line))
    return out


def measure(settings: Settings) -> list[Figure]:
    lines = _timed_lines()
    day = datetime.fromtimestamp(max(ts for ts, _ in lines), tz=settings.zone).date()
    ats = []
    for hhmm in AT_LOCAL:
        hour, minute = (int(part) for part in hhmm.split(":"))
        ats.append(datetime(day.year, day.month, day.day, hour, minute, tzinfo=settings.zone))
    streams = _streaming_cpu(lines, [at.timestamp() for at in ats], settings)
    figures = []
    for hhmm, at, stream in zip(AT_LOCAL, ats, streams, strict=True):
        batch = _batch_cpu(lines, at, settings)
        factor = batch / stream if stream else math.inf
        last = hhmm == "18:00"
        figures.append(
            Figure(
                f"5. CPU per refresh at {hhmm}: streaming (1 s ingest + snapshot)",
                stream * 1000,
                "ms",
                batch * 1000,
                "DuckDB reference over the day so far",
                f"≥ {TARGET_FACTOR}× less than batch" if last else "—",
                factor >= TARGET_FACTOR if last else None,
                f"batch/stream = {factor:,.0f}×",
            )
        )
    return figures
