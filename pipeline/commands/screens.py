"""`wallboard screens add NAME`, `revoke NAME`, `list`: read-only wallboard tokens for
TVs, stored in Redis (only their SHA-256). A revoked token stops working within 10 s."""

from __future__ import annotations

import argparse
import sys
from urllib.parse import quote

import redis

from pipeline.access.cli_support import (
    access_keys,
    add_redis_arguments,
    audit_config_change,
    now,
    operator,
    redis_client,
    settings_of,
)
from pipeline.access.screens import ScreenError, ScreenRegistry
from schemas.config import ConfigError


def _registry(args: argparse.Namespace) -> tuple[ScreenRegistry, redis.Redis]:
    client = redis_client(args)
    return ScreenRegistry(client, access_keys(args, settings_of(args))), client


def _run(args: argparse.Namespace) -> int:
    try:
        settings = settings_of(args)
        registry, client = _registry(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.screens_command == "add":
            token = registry.add(args.name, operator(), now())
            audit_config_change(args, settings, f"screen:{args.name}", "screen token added")
            base = args.base_url.rstrip("/")
            print(f"{base}/wallboard?screen={quote(token)}")
        elif args.screens_command == "revoke":
            registry.revoke(args.name)
            audit_config_change(args, settings, f"screen:{args.name}", "screen token revoked")
            print(f"revoked {args.name}")
        else:
            for screen in registry.list():
                print(f"{screen.name}\t{screen.created_at}\t{screen.created_by}")
    except ScreenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (redis.RedisError, OSError) as exc:
        print(f"error: redis unavailable: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("screens", help="read-only wallboard tokens for TV screens")
    commands = parser.add_subparsers(dest="screens_command", metavar="ACTION", required=True)
    add = commands.add_parser("add", help="create a screen; prints its wallboard URL once")
    add.add_argument("name", metavar="NAME", help="screen name, e.g. bj-floor-2")
    add.add_argument("--base-url", default="http://127.0.0.1:8050",
                     help="the dashboard's address, for the printed URL")
    revoke = commands.add_parser("revoke", help="revoke a screen's token")
    revoke.add_argument("name", metavar="NAME")
    listing = commands.add_parser("list", help="list screens (tokens are not shown)")
    for sub in (add, revoke, listing):
        add_redis_arguments(sub)
        sub.set_defaults(func=_run)
