"""Soak: a live feed at 5,000 events/s through the Redis input streams, for a bounded time.

Publishes the sample day (looped, ids suffixed per loop so every copy is new, times moved
to the wall clock at publishing so the feed is live) into 2 partitions at a steady rate,
runs `wallboard run --source redis --clock wall` against it, and prints:
- p50/p99 latency (seconds) from each batch's `XADD` to the first heartbeat (written with
  the snapshot, in the same Redis pipeline) whose `events_total` covers the batch;
- the dead-letter count (heartbeat and stream length) and the rates achieved.

`python -m bench.soak [--seconds 60] [--rate 5000]`; at most 600 s.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import orjson
import redis

from pipeline.redis_keys import RedisKeys
from pipeline.redis_server import EmbeddedRedis
from pipeline.redis_source import publish_lines
from pipeline.sources import open_events
from schemas.events import InvalidEvent, parse_event

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DAY = REPO / "replay_data" / "sample_day.jsonl.gz"
SAMPLE_CONFIG = REPO / "replay_data" / "sample_config.toml"
MAX_SECONDS = 600.0
BATCH_S = 0.1
PARTITIONS = 2
_IDS = ("event_id", "contact_id", "parent_contact_id", "agent_id")
_TIMES = ("shift_start", "shift_end")


def _sample() -> list[tuple[dict[str, object] | None, bytes, bool]]:
    """Each sample line as (JSON object or None, raw line, valid)."""
    out: list[tuple[dict[str, object] | None, bytes, bool]] = []
    with open_events(SAMPLE_DAY) as handle:
        for raw in handle:
            line = raw.rstrip(b"\r\n")
            try:
                parse_event(line)
                valid = True
            except InvalidEvent:
                valid = False
            try:
                body = orjson.loads(line)
            except orjson.JSONDecodeError:
                body = None
            out.append((body if isinstance(body, dict) else None, line, valid))
    return out


def _live(body: dict[str, object] | None, raw: bytes, loop: int, now: float) -> bytes:
    """The line as a live event of copy `loop`: ids suffixed, `ts` = now (shifts kept)."""
    if body is None or not isinstance(body.get("ts"), str):
        return raw
    event = dict(body)
    for field in _IDS:
        if isinstance(event.get(field), str):
            event[field] = f"{event[field]}~{loop}"
    try:
        original = datetime.fromisoformat(str(event["ts"]))
    except ValueError:
        return raw
    if original.tzinfo is None:
        return raw
    shift = now - original.timestamp()
    event["ts"] = datetime.fromtimestamp(now, tz=UTC).isoformat()
    for field in _TIMES:
        value = event.get(field)
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value).timestamp() + shift
                event[field] = datetime.fromtimestamp(moment, tz=UTC).isoformat()
            except ValueError:
                pass
    return orjson.dumps(event)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def soak(url: str, seconds: float, rate: float) -> dict[str, float]:
    """Run the soak against Redis at `url`; returns the figures (seconds, counts, per s)."""
    prefix = f"soak-{uuid.uuid4().hex[:8]}"
    keys = RedisKeys(prefix)
    client = redis.Redis.from_url(url)
    sample = _sample()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "soak.toml"
        config.write_text(
            f'redis_prefix = "{prefix}"\n' + SAMPLE_CONFIG.read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        pipeline = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "pipeline.cli", "run", "--source", "redis"]
            + ["--partitions", str(PARTITIONS), "--clock", "wall"]
            + ["--config", str(config), "--redis-url", url],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            return _drive(client, keys, sample, seconds, rate)
        finally:
            pipeline.terminate()
            pipeline.wait(timeout=30)
            stale = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if stale:
                client.delete(*stale)


def _drive(
    client: redis.Redis,
    keys: RedisKeys,
    sample: list[tuple[dict[str, object] | None, bytes, bool]],
    seconds: float,
    rate: float,
) -> dict[str, float]:
    per_batch = max(1, round(rate * BATCH_S))
    sent_at: list[tuple[int, float]] = []  # (valid events through this batch, XADD time)
    latencies: list[float] = []
    valid_total = published = 0
    position = loop = 0
    started = time.monotonic()
    next_batch = started
    pending = 0  # index into sent_at of the oldest batch not yet seen in the heartbeat
    while time.monotonic() - started < seconds:
        now = time.time()
        lines: list[bytes] = []
        for _ in range(per_batch):
            body, raw, valid = sample[position]
            lines.append(_live(body, raw, loop, now))
            valid_total += valid
            position += 1
            if position == len(sample):
                position, loop = 0, loop + 1
        publish_lines(client, keys, lines, PARTITIONS)
        published += len(lines)
        sent_at.append((valid_total, time.monotonic()))
        pending = _observe(client, keys, sent_at, pending, latencies)
        next_batch += BATCH_S
        time.sleep(max(0.0, next_batch - time.monotonic()))
    elapsed = time.monotonic() - started
    deadline = time.monotonic() + 30
    while pending < len(sent_at) and time.monotonic() < deadline:
        time.sleep(0.05)
        pending = _observe(client, keys, sent_at, pending, latencies)
    beat = orjson.loads(client.get(keys.heartbeat()) or b"{}")
    return {
        "published": published,
        "publish_rate_per_s": published / elapsed,
        "latency_p50_s": _percentile(latencies, 0.50) if latencies else math.nan,
        "latency_p99_s": _percentile(latencies, 0.99) if latencies else math.nan,
        "batches_unseen": len(sent_at) - pending,
        "dead_letters_heartbeat": beat.get("dead_letters_total", -1),
        "dead_letters_stream": client.xlen(keys.dead_letter()),
        "events_total": beat.get("events_total", -1),
    }


def _observe(
    client: redis.Redis,
    keys: RedisKeys,
    sent_at: list[tuple[int, float]],
    pending: int,
    latencies: list[float],
) -> int:
    """Record the latency of every batch the newest heartbeat covers; returns the next one."""
    raw = client.get(keys.heartbeat())
    if raw is None:
        return pending
    seen_at = time.monotonic()
    processed = orjson.loads(raw).get("events_total", 0)
    while pending < len(sent_at) and sent_at[pending][0] <= processed:
        latencies.append(seen_at - sent_at[pending][1])
        pending += 1
    return pending


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="publishing time (<= 600)")
    parser.add_argument("--rate", type=float, default=5000.0, help="events per second")
    args = parser.parse_args([] if argv is None else argv)
    seconds = min(args.seconds, MAX_SECONDS)
    url = os.environ.get("REDIS_URL")
    if url:
        figures = soak(url, seconds, args.rate)
    else:
        with tempfile.TemporaryDirectory() as folder, EmbeddedRedis(data_dir=folder) as server:
            figures = soak(server.url, seconds, args.rate)
    print(f"soak: {seconds:.0f} s at {args.rate:.0f} events/s through {PARTITIONS} streams")
    for name, value in figures.items():
        print(f"  {name:24} {value:,.3f}" if isinstance(value, float) else f"  {name:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
