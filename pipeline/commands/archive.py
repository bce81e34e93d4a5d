"""`wallboard archive run` and `wallboard archive once`: closed intervals and alert
transitions from Redis to Parquet (`<archive-dir>/day=YYYY-MM-DD/<kind>.parquet`,
`alerts.parquet`), for the 7/30-day views and the reports."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType

import redis

from pipeline.archive.archiver import Archiver
from pipeline.logsafe import configure_logging
from pipeline.redis_keys import DEFAULT_REDIS_URL
from schemas.config import ConfigError, Settings, load_settings

DEFAULT_ARCHIVE_DIR = "var/archive"


def _archiver(args: argparse.Namespace) -> Archiver | None:
    try:
        settings: Settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    url = args.redis_url or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    return Archiver(settings, redis.Redis.from_url(url), Path(args.archive_dir))


def _once(args: argparse.Namespace) -> int:
    archiver = _archiver(args)
    if archiver is None:
        return 2
    try:
        read = archiver.drain()
        alerts = archiver.alerts.drain()
    except redis.RedisError as exc:
        print(f"error: Redis unavailable: {exc}", file=sys.stderr)
        return 1
    print(f"archived {read} interval entries into {archiver.archive_dir}")
    if alerts:
        print(f"archived {alerts} alert transitions into {archiver.archive_dir}")
    return 0


def _run(args: argparse.Namespace) -> int:
    configure_logging(fmt="%(asctime)s %(levelname)s %(message)s")
    archiver = _archiver(args)
    if archiver is None:
        return 2

    def _stop(signum: int, frame: FrameType | None) -> None:
        archiver.stop_event.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    logging.getLogger("pipeline.archive").info(
        "archiver started: %s → %s", archiver.keys.intervals(), archiver.archive_dir
    )
    archiver.run_forever(args.poll_s)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    archive = subparsers.add_parser("archive", help="archive closed intervals to Parquet")
    actions = archive.add_subparsers(dest="archive_command", metavar="ACTION", required=True)
    for name, func, text in (
        ("run", _run, "archive continuously until interrupted"),
        ("once", _once, "archive what is in Redis now, then exit"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("--config", help="TOML configuration file (timezone, redis_prefix)")
        action.add_argument(
            "--redis-url", help=f"Redis URL (default $REDIS_URL or {DEFAULT_REDIS_URL})"
        )
        action.add_argument(
            "--archive-dir", default=DEFAULT_ARCHIVE_DIR,
            help=f"directory of the day partitions ({DEFAULT_ARCHIVE_DIR})",
        )
        if name == "run":
            action.add_argument("--poll-s", type=float, default=1.0,
                                help="longest wait for new entries, seconds (1.0)")
        action.set_defaults(func=func)
