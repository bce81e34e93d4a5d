"""`wallboard report-schedule`: make yesterday's day report at `[reports] daily_at` and post
its summary and link to `[reports] channels` (see `pipeline.reports.deliver`)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from pipeline.notify.credentials import CredentialError, resolve_channels
from pipeline.reports.deliver import run_once
from schemas.config import ConfigError, load_settings


def _schedule(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = load_settings(args.config)
        base = Path(args.config).parent if args.config else None
        channels = resolve_channels(settings.notify, os.environ, base)
    except (ConfigError, CredentialError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if settings.reports.daily_at is None:
        print("error: [reports] daily_at is not set: nothing to schedule", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while True:
        for name, outcome in run_once(settings, channels, datetime.now(UTC)):
            state = "delivered" if outcome.delivered else f"not delivered ({outcome.reason})"
            logging.getLogger("pipeline.reports").info("daily report to %s: %s", name, state)
        if args.once or stop.wait(args.tick_s):
            return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "report-schedule", help="post the daily report to chat at [reports] daily_at")
    parser.add_argument("--config", help="TOML configuration ([reports], [notify.channels])")
    parser.add_argument("--tick-s", type=float, default=60.0,
                        help="seconds between checks (60)")
    parser.add_argument("--once", action="store_true", help="check once, then exit")
    parser.set_defaults(func=_schedule)
