"""Live input from Redis Streams: one stream per partition, read as a Bytewax source.

Producers `XADD` each event line under the field `event` to `<prefix>:in:<n>`, choosing the
partition by contact (or agent) so one contact's events stay in order. The dataflow reads
every partition as a `FixedPartitionedSource`; the last stream id read is the partition's
recovery state, so a restarted pipeline continues exactly after what it had processed.

The arrival index `seq` of an entry is derived from its stream id
(`<ms>-<n>` → `ms * 1_000_000 + n`): stable across restarts and, for one Redis server,
comparable across partitions. Redis's own ids order entries of different streams only to
the millisecond, so `publish_lines` assigns the ids itself (one Lua script per batch):
a batch gets one millisecond, later than every id in any input stream, and consecutive
sequence numbers across the streams — the ids then order the whole batch as it was given.
Producers that `XADD ... *` themselves are ordered to the millisecond (events within the
same millisecond of a live feed are concurrent anyway).

Every chunk carries the partition's *progress* (the seq up to which it has read
everything) so the floor step can merge the partitions back into arrival order
(`pipeline.partition_merge`). When a read comes back short of `READ_COUNT` the partition
is caught up: no later `XADD` can get an id before the server time taken (`TIME`, in the
same round trip, just before the `XREAD`; Redis assigns ids from its clock, never below
the stream's last one), so progress moves to just below that millisecond. An idle
partition therefore still reports progress (an empty chunk) about ten times a second and
does not hold back the others.

Entries are read by a Lua script (`_READ_SCRIPT`): `TIME` and `XRANGE` in one atomic step,
with each event line cut to `MAX_LINE_BYTES + 1` bytes on the server, so a 500 MB entry
never reaches this process (the parse step refuses the cut line as over-long, with a
truncated raw). A blocking `XREAD` would hand over whole entries, so an idle partition
polls every `POLL_S` instead, for up to `BLOCK_MS`, before it reports its progress.
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
from pipeline.sources import Chunk, PartitionProgress, RawLine
from schemas.events import MAX_LINE_BYTES

EVENT_FIELD = b"event"
READ_COUNT = 2000
BLOCK_MS = 100
POLL_S = 0.01
INPUT_MAXLEN = 2_000_000
# Lines per publish script: one millisecond's ids each (`n` stays far below SEQ_PER_MS).
PUBLISH_BATCH = 10_000
SEQ_PER_MS = 1_000_000

# KEYS: every input stream; ARGV[1]: MAXLEN; then pairs (1-based index into KEYS, line).
# The batch's millisecond is the server time, or one after the newest id of any input
# stream when that is later; its entries get `<ms>-0`, `<ms>-1`, ... in the given order.
_PUBLISH_SCRIPT = """
redis.replicate_commands()
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    local info = redis.call('XINFO', 'STREAM', key)
    for i = 1, #info, 2 do
      if info[i] == 'last-generated-id' then
        local last = tonumber(string.match(info[i + 1], '^(%d+)'))
        if last >= ms then ms = last + 1 end
      end
    end
  end
end
local stamp = string.format('%.0f', ms)
local n = 0
for i = 2, #ARGV, 2 do
  redis.call('XADD', KEYS[tonumber(ARGV[i])], 'MAXLEN', '~', ARGV[1],
             stamp .. '-' .. n, 'event', ARGV[i + 1])
  n = n + 1
end
return n
"""


# KEYS[1]: the stream; ARGV: last id read, COUNT, longest line kept (bytes). Returns the
# server time and up to COUNT entries after the last id as {id, line}, each line cut to
# the longest kept (a missing `event` field gives an empty line).
_READ_SCRIPT = """
redis.replicate_commands()
local now = redis.call('TIME')
local rows = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
local keep = tonumber(ARGV[3])
local out = {}
for i, row in ipairs(rows) do
  local fields = row[2]
  local line = ''
  for j = 1, #fields, 2 do
    if fields[j] == 'event' then line = fields[j + 1] end
  end
  if #line > keep then line = string.sub(line, 1, keep) end
  out[i] = {row[1], line}
end
return {now, out}
"""


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


def seq_of(stream_id: bytes | str) -> int:
    """The arrival index of a stream entry id `<ms>-<n>`: `ms * SEQ_PER_MS + n`."""
    if isinstance(stream_id, str):
        stream_id = stream_id.encode()
    millis, _, n = stream_id.partition(b"-")
    return int(millis) * SEQ_PER_MS + int(n or 0)


def caught_up_seq(server_time: tuple[int, int]) -> int:
    """The progress of a caught-up partition: the largest seq below every id Redis can
    still assign after `server_time` (`TIME`: seconds, microseconds)."""
    seconds, micros = server_time
    return (seconds * 1000 + micros // 1000) * SEQ_PER_MS - 1


class _StreamPartition(StatefulSourcePartition[Chunk, str]):
    def __init__(
        self,
        url: str,
        stream: str,
        last_id: str,
        stop_when_idle_s: float | None,
        *,
        partition: int = 0,
        partitions: int = 1,
    ) -> None:
        # Fail fast (one immediate reconnect): next_batch retries a second later by itself.
        self.client = redis.Redis.from_url(url, socket_timeout=10, retry=Retry(NoBackoff(), 1))
        self.read_script = self.client.register_script(_READ_SCRIPT)
        self.stream = stream
        self.last_id = last_id
        self.stop_when_idle_s = stop_when_idle_s
        self.partition = partition
        self.partitions = partitions
        self.progress = seq_of(last_id)
        self.last_data = time.monotonic()
        self.awake: datetime | None = None

    def _read(self) -> tuple[tuple[int, int], list[Any]]:
        """(server time, entries after `last_id`), lines cut on the server."""
        reply: Any = self.read_script(
            keys=[self.stream], args=[self.last_id, READ_COUNT, MAX_LINE_BYTES + 1]
        )
        seconds, micros = reply[0]
        return (int(seconds), int(micros)), reply[1]

    def next_batch(self) -> list[Chunk]:
        self.awake = None
        try:
            server_time, entries = self._read()
            waited_until = time.monotonic() + BLOCK_MS / 1000
            while not entries and time.monotonic() < waited_until:
                time.sleep(POLL_S)
                server_time, entries = self._read()
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            # Redis away: keep our position and try again shortly.
            self.awake = datetime.now(UTC) + timedelta(seconds=1)
            return []
        lines: list[RawLine] = [(seq_of(stream_id), line) for stream_id, line in entries]
        if entries:
            self.last_id = entries[-1][0].decode()
            self.progress = max(self.progress, lines[-1][0])
            self.last_data = time.monotonic()
        elif (
            self.stop_when_idle_s is not None
            and time.monotonic() - self.last_data > self.stop_when_idle_s
        ):
            raise StopIteration
        if len(entries) < READ_COUNT:
            self.progress = max(self.progress, caught_up_seq(server_time))
        progress = PartitionProgress(self.partition, self.partitions, self.progress)
        return [Chunk(lines, progress)]

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
        partition = self.list_parts().index(for_part)
        return _StreamPartition(
            self.url,
            for_part,
            resume_state or "0-0",
            self.stop_when_idle_s,
            partition=partition,
            partitions=self.partitions,
        )


def publish_lines(
    client: redis.Redis,
    keys: RedisKeys,
    lines: list[bytes],
    partitions: int,
) -> int:
    """XADD event lines to their partitions with ids in the given order across partitions
    (see the module doc); one pipelined script per `PUBLISH_BATCH` lines. Returns how many
    were sent."""
    streams = [input_stream(keys, n) for n in range(partitions)]
    script = client.register_script(_PUBLISH_SCRIPT)
    pipe = client.pipeline(transaction=False)
    for start in range(0, len(lines), PUBLISH_BATCH):
        args: list[bytes | int] = [INPUT_MAXLEN]
        for line in lines[start : start + PUBLISH_BATCH]:
            args += [partition_of(line, partitions) + 1, line]
        script(keys=streams, args=args, client=pipe)
    pipe.execute()
    return len(lines)
