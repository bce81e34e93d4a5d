"""`wallboard alerts test CHANNEL` and `wallboard alerts run`: chat notifications of alerts."""

from __future__ import annotations

import argparse
import logging
import os
import random
import signal
import sys
import threading
from datetime import timedelta
from pathlib import Path
from types import FrameType

import redis

from pipeline.logsafe import configure_logging
from pipeline.notify.clock import SystemClock
from pipeline.notify.credentials import CredentialError, ResolvedChannel, resolve_channels
from pipeline.notify.delivery import deliver_with_retries
from pipeline.notify.messages import build_message
from pipeline.notify.notifier import Notifier
from pipeline.notify.ratelimit import TokenBucket
from pipeline.notify.transport import post
from pipeline.redis_keys import DEFAULT_REDIS_URL
from schemas.config import ConfigError, Settings, load_settings
from schemas.snapshot import Alert
from schemas.timefmt import format_ts


def sample_alert(settings: Settings) -> Alert:
    """A service-level breach on the first configured queue, raised five minutes ago."""
    queue = next(iter(settings.queues), "claims_report")
    rules = settings.queue_rules(queue)
    raised = SystemClock().now() - timedelta(minutes=5)
    return Alert(
        id=f"sl_breach:{queue}:test",
        kind="sl_breach",
        severity="critical",
        subject=f"queue:{queue}",
        raised_at=format_ts(raised.replace(microsecond=0), settings.zone),
        cleared_at=None,
        evidence={"service_level": 0.72, "target": rules.sl_target, "contacts": 25},
    )


def _load(args: argparse.Namespace) -> tuple[Settings, Path | None]:
    config = Path(args.config) if args.config else None
    return load_settings(config), (config.parent if config else None)


def _test(args: argparse.Namespace) -> int:
    try:
        settings, base_dir = _load(args)
        notify = settings.notify
        if args.channel not in notify.channels:
            known = ", ".join(sorted(notify.channels)) or "none"
            print(f"unknown channel {args.channel!r} (configured: {known})", file=sys.stderr)
            return 2
        channel = _resolve_one(settings, args.channel, base_dir)
    except (ConfigError, CredentialError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    clock = SystemClock()
    message = build_message(sample_alert(settings), "test", channel.language, settings, clock.now())
    result = deliver_with_retries(
        channel,
        message,
        notify.retry,
        transport=post,
        bucket=TokenBucket(channel.rate_per_min, channel.burst, clock.monotonic()),
        clock=clock,
        rng=random.Random(),
        stop=threading.Event(),
    )
    status = result.outcome.status if result.outcome.status is not None else "no response"
    verdict = "delivered" if result.outcome.delivered else f"failed: {result.outcome.reason}"
    print(f"channel {channel.name} ({channel.vendor}): HTTP {status}, {verdict}")
    return 0 if result.outcome.delivered else 1


def _resolve_one(settings: Settings, name: str, base_dir: Path | None) -> ResolvedChannel:
    """Only the channel under test needs its URL; the others may be unset here."""
    notify = settings.notify
    only = notify.model_copy(update={"channels": {name: notify.channels[name]}})
    return resolve_channels(only, os.environ, base_dir)[name]


def _run(args: argparse.Namespace) -> int:
    configure_logging(fmt="%(asctime)s %(levelname)s %(message)s")
    try:
        settings, base_dir = _load(args)
        channels = resolve_channels(settings.notify, os.environ, base_dir)
    except (ConfigError, CredentialError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not settings.notify.enabled or not channels:
        print("notifications are disabled or no channel is configured", file=sys.stderr)
        return 2
    url = args.redis_url or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    client = redis.Redis.from_url(url)
    notifier = Notifier(settings, client, channels)

    def _stop(signum: int, frame: FrameType | None) -> None:
        notifier.stop_event.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    logging.getLogger("pipeline.notify").info(
        "notifier started: channels %s", ", ".join(sorted(channels))
    )
    notifier.run_forever()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    alerts = subparsers.add_parser("alerts", help="send alerts to team chat webhooks")
    actions = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    test = actions.add_parser("test", help="send a sample message to one channel")
    test.add_argument("channel", metavar="CHANNEL", help="channel name under [notify.channels]")
    test.add_argument("--config", help="TOML configuration file")
    test.set_defaults(func=_test)
    run = actions.add_parser("run", help="run the notifier until interrupted")
    run.add_argument("--config", help="TOML configuration file")
    run.add_argument("--redis-url", help=f"Redis URL (default $REDIS_URL or {DEFAULT_REDIS_URL})")
    run.set_defaults(func=_run)
