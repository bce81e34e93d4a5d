"""2. Redis Streams source throughput against bare `XREAD` with the same client settings."""

from __future__ import annotations

import time
from typing import Any

import redis

from bench.common import Figure, clear_prefix, sample_lines, shifted_line
from pipeline.redis_keys import RedisKeys
from pipeline.redis_source import (
    BLOCK_MS,
    READ_COUNT,
    RedisStreamSource,
    input_stream,
    publish_lines,
)

TARGET_RATIO = 0.6
PREFIX = "wbstreams"
PARTITIONS = 2


def _publish(url: str, copies: int) -> int:
    client = redis.Redis.from_url(url)
    keys = RedisKeys(PREFIX)
    lines = sample_lines()
    sent = 0
    for day in range(copies):
        batch = [shifted_line(line, day) for line in lines]
        for start in range(0, len(batch), 5000):
            sent += publish_lines(client, keys, batch[start : start + 5000], PARTITIONS)
    client.close()
    return sent


def xread_events_per_s(url: str, total: int) -> float:
    """Read every partition to its end with plain `XREAD`, as the source does."""
    client = redis.Redis.from_url(url, socket_timeout=10)
    keys = RedisKeys(PREFIX)
    last = {input_stream(keys, n): "0-0" for n in range(PARTITIONS)}
    lengths = {stream: int(client.xlen(stream)) for stream in last}
    read = dict.fromkeys(last, 0)
    n = 0
    started = time.perf_counter()
    done_at = started
    while n < total:
        progressed = False
        for stream, last_id in last.items():
            if read[stream] >= lengths[stream]:
                continue
            reply: Any = client.xread({stream: last_id}, count=READ_COUNT, block=BLOCK_MS)
            if reply:
                [(_, entries)] = reply
                n += len(entries)
                read[stream] += len(entries)
                last[stream] = entries[-1][0]
                progressed = True
                done_at = time.perf_counter()
        if not progressed:
            break
    client.close()
    return n / (done_at - started)


def source_events_per_s(url: str, total: int) -> float:
    """Drive `RedisStreamSource`'s partitions the way Bytewax does (next_batch in turn)."""
    source = RedisStreamSource(url, RedisKeys(PREFIX), PARTITIONS)
    parts = [source.build_part("bench", name, None) for name in source.list_parts()]
    lengths = [int(part.client.xlen(part.stream)) for part in parts]
    read = [0] * len(parts)
    n = 0
    started = time.perf_counter()
    done_at = started
    while n < total:
        progressed = False
        for index, part in enumerate(parts):
            if read[index] >= lengths[index]:
                continue
            for chunk in part.next_batch():
                n += len(chunk)
                read[index] += len(chunk)
                progressed = True
                done_at = time.perf_counter()
        if not progressed:
            break
    for part in parts:
        part.close()
    return n / (done_at - started)


def measure(redis_url: str, copies: int = 4) -> list[Figure]:
    clear_prefix(redis_url, PREFIX)
    total = _publish(redis_url, copies)
    xread = max(xread_events_per_s(redis_url, total) for _ in range(2))
    source = max(source_events_per_s(redis_url, total) for _ in range(2))
    clear_prefix(redis_url, PREFIX)
    return [
        Figure(
            f"2. Redis Streams source ({total:,} entries, {PARTITIONS} partitions)",
            source,
            "events/s",
            xread,
            "XREAD alone, same client",
            f"≥ {TARGET_RATIO} of XREAD",
            source / xread >= TARGET_RATIO,
        )
    ]
