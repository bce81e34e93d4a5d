"""Live input from Redis Streams: one stream per partition, read as a Bytewax source.

Producers `XADD` each event line under the field `event` to `<prefix>:in:<n>`, choosing the
partition by contact (or agent) so one contact's events stay in order. The dataflow reads
every partition as a `FixedPartitionedSource`; the last stream id read is the partition's
recovery state, so a restarted pipeline continues exactly after what it had processed.

The arrival index `seq` of an entry is derived from its stream id
(`<ms>-<n>` → `ms * 1000 + n`): stable across restarts and comparable across partitions.
"""

from __future__ import annotations

import time
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import redis
from bytewax.inputs import FixedPartitionedSource, StatefulSourcePartition
from redis.backoff import NoBackoff
from redis.retry import Retry

from pipeline.redis_keys import RedisKeys
from pipeline.sources import Chunk

EVENT_FIELD = b"event"
READ_COUNT = 2000
BLOCK_MS = 100
INPUT_MAXLEN = 2_000_000


def input_stream(keys: RedisKeys, partition: int) -> str:
    return f"{keys.prefix}:in:{partition}"


def partition_of(line: bytes, partitions: int) -> int:
    """The partition of an event line: by contact id, else agent id, else the whole line."""
    try:
        raw = orjson.loads(line)
        routing = raw.get("contact_id") or raw.get("agent_id") or ""
    except (orjson.JSONDecodeError, AttributeError):
        routing = ""
    data = str(routing).encode() if routing else line
    return zlib.crc32(data) % partitions


def seq_of(stream_id: bytes) -> int:
    millis, _, n = stream_id.partition(b"-")
    return int(millis) * 1000 + int(n or 0)


class _StreamPartition(StatefulSourcePartition[Chunk, str]):
    def __init__(self, url: str, stream: str, last_id: str, stop_when_idle_s: float | None) -> None:
        # Fail fast (one immediate reconnect): next_batch retries a second later by itself.
        self.client = redis.Redis.from_url(url, socket_timeout=10, retry=Retry(NoBackoff(), 1))
        self.stream = stream
        self.last_id = last_id
        self.stop_when_idle_s = stop_when_idle_s
        self.last_data = time.monotonic()
        self.awake: datetime | None = None

    def next_batch(self) -> list[Chunk]:
        self.awake = None
        try:
            reply: Any = self.client.xread(
                {self.stream: self.last_id}, count=READ_COUNT, block=BLOCK_MS
            )
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            # Redis away: keep our position and try again shortly.
            self.awake = datetime.now(UTC) + timedelta(seconds=1)
            return []
        if not reply:
            if (
                self.stop_when_idle_s is not None
                and time.monotonic() - self.last_data > self.stop_when_idle_s
            ):
                raise StopIteration
            return []
        self.last_data = time.monotonic()
        [(_, entries)] = reply
        chunk: Chunk = []
        for stream_id, fields in entries:
            line = fields.get(EVENT_FIELD, b"")
            chunk.append((seq_of(stream_id), line))
        self.last_id = entries[-1][0].decode()
        return [chunk]

    def next_awake(self) -> datetime | None:
        return self.awake

    def snapshot(self) -> str:
        return self.last_id

    def close(self) -> None:
        self.client.close()


class RedisStreamSource(FixedPartitionedSource[Chunk, str]):
    """Read `<prefix>:in:0 … <prefix>:in:<partitions-1>` from the start (or the resume id).

    `stop_when_idle_s` ends the input after that long without new entries (tests, batch
    catch-up); None runs forever.
    """

    def __init__(
        self, url: str, keys: RedisKeys, partitions: int, stop_when_idle_s: float | None = None
    ) -> None:
        self.url = url
        self.keys = keys
        self.partitions = partitions
        self.stop_when_idle_s = stop_when_idle_s

    def list_parts(self) -> list[str]:
        return [input_stream(self.keys, n) for n in range(self.partitions)]

    def build_part(self, step_id: str, for_part: str, resume_state: str | None) -> _StreamPartition:
        return _StreamPartition(self.url, for_part, resume_state or "0-0", self.stop_when_idle_s)


def publish_lines(
    client: redis.Redis,
    keys: RedisKeys,
    lines: list[bytes],
    partitions: int,
) -> int:
    """XADD event lines to their partitions in one pipeline; returns how many were sent."""
    pipe = client.pipeline(transaction=False)
    for line in lines:
        pipe.xadd(
            input_stream(keys, partition_of(line, partitions)),
            {EVENT_FIELD: line},
            maxlen=INPUT_MAXLEN,
            approximate=True,
        )
    pipe.execute()
    return len(lines)
