"""Live ingestion through Redis Streams gives the same snapshot as the file replay."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import redis

from pipeline.compare import snapshot_differences
from pipeline.floor_logic import Tick
from pipeline.flow import FlowOptions, build_flow
from pipeline.redis_keys import RedisKeys
from pipeline.redis_source import (
    READ_COUNT,
    RedisStreamSource,
    caught_up_seq,
    input_stream,
    partition_of,
    publish_lines,
    seq_of,
)
from pipeline.reference import reference_snapshot
from pipeline.runner import run_flow
from pipeline.sinks import RedisStateSink, TickListSink
from pipeline.sources import FileReplaySource
from schemas.config import Settings
from tests.pipeline.eventlogs import generate
from tests.recovery.harness import redis_state, sample_lines, untyped, write_events


def test_partition_keeps_a_contact_in_one_stream() -> None:
    offered = b'{"type":"contact.offered","contact_id":"c17","ts":"x"}'
    ended = b'{"type":"contact.ended","contact_id":"c17","agent_id":"a9"}'
    assert partition_of(offered, 4) == partition_of(ended, 4)
    assert partition_of(b"not json", 4) == partition_of(b"not json", 4)


def test_seq_follows_stream_ids() -> None:
    assert seq_of(b"1772413200123-4") == 1772413200123_000_004


def test_streams_source_equals_reference(
    redis_client: redis.Redis, redis_url: str, redis_prefix: str
) -> None:
    settings = Settings(redis_prefix=redis_prefix, interval_min=30)
    keys = RedisKeys(redis_prefix)
    log = generate(seed=7, agents=3, contacts=30, minutes=60, noise=3)
    # Published all at once into four partitions: the floor step merges them back into
    # arrival order, whatever order the workers read them in.
    assert publish_lines(redis_client, keys, log.lines, partitions=4) == len(log.lines)
    ticks: list[Tick] = []
    source = RedisStreamSource(redis_url, keys, partitions=4, stop_when_idle_s=0.5)
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


def test_a_backlog_in_four_partitions_writes_what_one_worker_replaying_the_file_writes(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis, redis_prefix: str
) -> None:
    # Two hours of the sample day published at once: the workers read the four partitions
    # at their own pace, hours of event time apart; default lateness and dedupe window.
    lines = sample_lines(12_000)
    replayed, streamed = f"{redis_prefix}-file", f"{redis_prefix}-streams"
    publish_lines(redis_client, RedisKeys(streamed), lines, partitions=4)
    try:
        for prefix, source, workers in (
            (replayed, FileReplaySource(write_events(tmp_path / "day.jsonl", lines)), 1),
            (streamed, RedisStreamSource(redis_url, RedisKeys(streamed), 4, 0.5), 2),
        ):
            settings = Settings(redis_prefix=prefix, tick_s=0.5)
            run_flow(build_flow(settings, source, RedisStateSink(redis_url, settings)), workers)
        # Dead letters' `seq` is the line index in one run and the stream id in the other.
        drop = (b"received_at", b"seq")
        one = redis_state(redis_client, replayed, drop)
        four = {
            name: value
            for name, value in redis_state(redis_client, streamed, drop).items()
            if not name.startswith("in:")
        }
        assert four["heartbeat"]["reorder_buffered"] == 0
        assert four["snapshot"] == one["snapshot"]
        assert four["alerts:history"] == one["alerts:history"]
        assert four == one
    finally:
        for prefix in (replayed, streamed):
            keys = list(redis_client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                redis_client.delete(*keys)


def test_a_published_batch_is_ordered_across_partitions_and_after_earlier_batches(
    redis_client: redis.Redis, redis_prefix: str
) -> None:
    keys = RedisKeys(redis_prefix)
    lines = [f'{{"contact_id":"c{n}","n":{n}}}'.encode() for n in range(6)]
    publish_lines(redis_client, keys, lines[:4], partitions=2)
    publish_lines(redis_client, keys, lines[4:], partitions=2)
    client = untyped(redis_client)
    entries = [
        (seq_of(stream_id), fields[b"event"])
        for n in range(2)
        for stream_id, fields in client.xrange(input_stream(keys, n))
    ]
    assert {len(client.xrange(input_stream(keys, n))) for n in range(2)} == {2, 4}
    ordered = sorted(entries)
    assert [line for _, line in ordered] == lines
    # One millisecond per batch, entries numbered 0, 1, ... across the partitions.
    first, second = ordered[0][0] // 1_000_000, ordered[4][0] // 1_000_000
    assert [seq % 1_000_000 for seq, _ in ordered] == [0, 1, 2, 3, 0, 1]
    assert {seq // 1_000_000 for seq, _ in ordered} == {first, second}
    assert second > first


def test_an_idle_partition_reports_the_server_time_as_its_progress(
    redis_client: redis.Redis, redis_url: str, redis_prefix: str
) -> None:
    keys = RedisKeys(redis_prefix)
    part = RedisStreamSource(redis_url, keys, partitions=2).build_part(
        "events", input_stream(keys, 1), None
    )
    before = caught_up_seq(untyped(redis_client).time())
    [marker] = part.next_batch()
    after = caught_up_seq(untyped(redis_client).time())
    assert marker.lines == []
    assert (marker.progress.partition, marker.progress.partitions) == (1, 2)
    assert before <= marker.progress.seq <= after
    part.close()


def test_a_full_read_reports_only_what_it_read_a_short_one_the_server_time(
    redis_client: redis.Redis, redis_url: str, redis_prefix: str
) -> None:
    keys = RedisKeys(redis_prefix)
    publish_lines(redis_client, keys, [b"{}"] * (READ_COUNT + 1), partitions=1)
    part = RedisStreamSource(redis_url, keys, partitions=1).build_part(
        "events", input_stream(keys, 0), None
    )
    [full] = part.next_batch()
    assert len(full.lines) == READ_COUNT
    assert full.progress.seq == full.lines[-1][0]  # more may follow in the same millisecond
    time.sleep(0.002)  # the server clock moves past the batch's millisecond
    [short] = part.next_batch()
    assert [seq for seq, _ in short.lines] == [full.lines[-1][0] + 1]
    # Caught up: nothing can be added before the server time of the read any more.
    assert short.progress.seq // 1_000_000 > short.lines[-1][0] // 1_000_000
    assert short.progress.seq % 1_000_000 == 999_999
    part.close()
