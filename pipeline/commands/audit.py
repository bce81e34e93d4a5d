"""`wallboard audit`: the newest audit entries (sign-ins, refusals, drill-downs to agents,
acknowledgements, configuration changes), newest first; `--refused` lists the separate
stream of refused sign-ins and anonymous requests instead."""

from __future__ import annotations

import argparse
import sys

import orjson
import redis

from pipeline.access.audit import AuditLog
from pipeline.access.cli_support import access_keys, add_redis_arguments, redis_client, settings_of
from schemas.config import ConfigError


def _run(args: argparse.Namespace) -> int:
    try:
        settings = settings_of(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    client = redis_client(args)
    try:
        entries = AuditLog(client, access_keys(args, settings), refused=args.refused).entries(
            args.count, args.action)
    except (redis.RedisError, OSError) as exc:
        print(f"error: redis unavailable: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    for entry in entries:
        if args.json:
            print(orjson.dumps(entry.__dict__).decode())
        else:
            print("\t".join((entry.at, entry.who, entry.action, entry.target, entry.detail,
                             entry.address)))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("audit", help="list the audit trail (newest first)")
    parser.add_argument("--count", type=int, default=100, help="entries to show (100)")
    parser.add_argument("--action", help="only this action, e.g. view_agent")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--refused", action="store_true",
                        help="the stream of refused sign-ins and unauthenticated requests")
    add_redis_arguments(parser)
    parser.set_defaults(func=_run)
