"""Live ingestion through Redis Streams gives the same snapshot as the file replay."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import redis

from pipeline.compare import snapshot_differences
from pipeline.floor_logic import Tick
from pipeline.flow import FlowOptions, build_flow
from pipeline.redis_keys import RedisKeys
from pipeline.redis_source import RedisStreamSource, partition_of, publish_lines, seq_of
from pipeline.reference import reference_snapshot
from pipeline.runner import run_flow
from pipeline.sinks import TickListSink
from schemas.config import Settings
from tests.pipeline.eventlogs import generate


def test_partition_keeps_a_contact_in_one_stream() -> None:
    offered = b'{"type":"contact.offered","contact_id":"c17","ts":"x"}'
    ended = b'{"type":"contact.ended","contact_id":"c17","agent_id":"a9"}'
    assert partition_of(offered, 4) == partition_of(ended, 4)
    assert partition_of(b"not json", 4) == partition_of(b"not json", 4)


def test_seq_follows_stream_ids() -> None:
    assert seq_of(b"1772413200123-4") == 1772413200123004


def test_streams_source_equals_reference(
    redis_client: redis.Redis, redis_url: str, redis_prefix: str
) -> None:
    settings = Settings(redis_prefix=redis_prefix, interval_min=30)
    keys = RedisKeys(redis_prefix)
    log = generate(seed=7, agents=3, contacts=30, minutes=60, noise=3)
    # One partition: published all at once, two partitions would be read one after the
    # other, far beyond the lateness (live feeds are paced, so their skew is small).
    assert publish_lines(redis_client, keys, log.lines, partitions=1) == len(log.lines)
    ticks: list[Tick] = []
    source = RedisStreamSource(redis_url, keys, partitions=1, stop_when_idle_s=0.5)
    flow = build_flow(
        settings,
        source,
        TickListSink(ticks),
        FlowOptions(clock="event", at_epoch=log.end.timestamp()),
    )
    run_flow(flow, workers=2)
    [final] = [t for t in ticks if t.final]
    assert (
        snapshot_differences(final.snapshot, reference_snapshot(log.lines, log.end, settings)) == []
    )


def test_unreachable_redis_keeps_the_position_and_retries_a_second_later() -> None:
    source = RedisStreamSource("redis://127.0.0.1:1/0", RedisKeys("wb"), partitions=1)
    part = source.build_part("events", "wb:in:0", "1772413200000-5")
    started = time.monotonic()
    assert part.next_batch() == []
    assert time.monotonic() - started < 1.0  # fails fast, does not stall the worker
    awake = part.next_awake()
    assert awake is not None
    assert 0.5 < (awake - datetime.now(UTC)).total_seconds() <= 1.0
    assert part.snapshot() == "1772413200000-5"
    part.close()
