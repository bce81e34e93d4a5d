"""`wallboard publish FILE --speed X`: play an event file into the Redis input streams."""

from __future__ import annotations

import argparse
import os
import sys
import time

import redis

from pipeline.bounded_lines import bounded_lines
from pipeline.redis_keys import RedisKeys
from pipeline.redis_source import publish_lines
from pipeline.sources import event_epoch, open_events
from schemas.config import ConfigError, load_settings

BATCH = 500


def _publish(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
    except ConfigError as error:
        print(f"wallboard publish: {error}", file=sys.stderr)
        return 2
    url = args.redis_url or os.environ.get("REDIS_URL")
    if not url:
        print("wallboard publish: pass --redis-url or set REDIS_URL", file=sys.stderr)
        return 2
    client = redis.Redis.from_url(url)
    keys = RedisKeys(settings.redis_prefix)
    sent = 0
    anchor: tuple[float, float] | None = None
    batch: list[bytes] = []
    with open_events(args.file) as handle:
        for raw in bounded_lines(handle):
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            if args.speed > 0:
                moment = event_epoch(line)
                if moment is not None:
                    if anchor is None:
                        anchor = (moment, time.monotonic())
                    due = anchor[1] + (moment - anchor[0]) / args.speed
                    if due > time.monotonic() and batch:
                        sent += publish_lines(client, keys, batch, args.partitions)
                        batch = []
                    delay = due - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
            batch.append(line)
            if len(batch) >= BATCH:
                sent += publish_lines(client, keys, batch, args.partitions)
                batch = []
    if batch:
        sent += publish_lines(client, keys, batch, args.partitions)
    print(f"published {sent} events to {args.partitions} stream(s) {keys.prefix}:in:*")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "publish", help="play an event file into the Redis input streams, as a live feed would"
    )
    parser.add_argument("file", help="event file (.jsonl or .jsonl.gz)")
    parser.add_argument("--speed", type=float, default=1.0, help="1 real time, 0 flat out")
    parser.add_argument("--partitions", type=int, default=2, help="number of input streams")
    parser.add_argument("--config", help="TOML configuration (for redis_prefix)")
    parser.add_argument("--redis-url", help="Redis URL (default: $REDIS_URL)")
    parser.set_defaults(func=_publish)
