"""What the `users`, `screens` and `audit` commands share: the Redis they talk to, the
prefix, and who the operator is (for the audit trail)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import UTC, datetime

import redis

from pipeline.access.audit import AuditLog
from pipeline.access.keys import AccessKeys
from pipeline.redis_keys import DEFAULT_REDIS_URL
from schemas.config import Settings, load_settings


def add_redis_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="TOML configuration (redis_prefix, [access])")
    parser.add_argument(
        "--redis-url",
        help=f"Redis URL, redis:// or rediss://, user:password@ for ACL "
        f"(default $REDIS_URL or {DEFAULT_REDIS_URL})",
    )
    parser.add_argument("--prefix", help="Redis key prefix (default: config redis_prefix)")


def settings_of(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def redis_client(args: argparse.Namespace) -> redis.Redis:
    url = args.redis_url or os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def access_keys(args: argparse.Namespace, settings: Settings) -> AccessKeys:
    return AccessKeys(args.prefix or settings.redis_prefix)


def operator() -> str:
    """`cli:<OS user>`: who ran a configuration command."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry in some containers
        return "cli:unknown"


def now() -> datetime:
    return datetime.now(tz=UTC)


def audit_config_change(
    args: argparse.Namespace, settings: Settings, target: str, detail: str
) -> bool:
    """Append a `config_change` entry; False (and a warning) when Redis is unreachable."""
    client = redis_client(args)
    try:
        AuditLog(client, access_keys(args, settings), settings.access.audit_maxlen).record(
            "config_change", who=operator(), at=now(), target=target, detail=detail
        )
    except (redis.RedisError, OSError) as exc:
        print(f"warning: change not written to the audit trail: {exc}", file=sys.stderr)
        return False
    finally:
        client.close()
    return True
