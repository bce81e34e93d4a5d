"""Read-only screen tokens for TVs: `wallboard screens add NAME` makes one, `revoke`
removes it. Only the token's SHA-256 is stored, so reading Redis does not reveal tokens.

A token never expires by idle time. The dashboard trusts a positive check for
`recheck_s` seconds (≤ 10), so a revoked token stops working within that time; while
Redis cannot be reached it keeps trusting the last positive check (a revocation cannot
have been written then either).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import orjson
import redis

from pipeline.access.keys import AccessKeys

SCREEN_NAME_MAX = 64


class ScreenError(ValueError):
    """A screen name is invalid, already exists or is unknown."""


@dataclass(frozen=True)
class Screen:
    name: str
    created_at: str  # RFC 3339
    created_by: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _valid_name(name: str) -> str:
    if not name or len(name) > SCREEN_NAME_MAX or not all(
        c.isalnum() or c in "_.-" for c in name
    ):
        msg = f"screen name {name!r}: use 1-{SCREEN_NAME_MAX} letters, digits, '_', '.', '-'"
        raise ScreenError(msg)
    return name


class ScreenRegistry:
    """Screens and their token digests in Redis (`<prefix>:access:screens*`)."""

    def __init__(self, client: redis.Redis, keys: AccessKeys) -> None:
        self._client = client
        self._keys = keys

    def add(self, name: str, by: str, at: datetime) -> str:
        """Create screen `name` and return its token (shown once, never stored)."""
        _valid_name(name)
        token = secrets.token_urlsafe(32)
        digest = token_digest(token)
        record = orjson.dumps(
            {"token_sha256": digest, "created_at": at.isoformat(timespec="seconds"),
             "created_by": by}
        )
        if not self._client.hsetnx(self._keys.screens(), name, record):
            msg = f"screen {name!r} already exists: revoke it first"
            raise ScreenError(msg)
        self._client.hset(self._keys.screen_tokens(), digest, name)
        return token

    def revoke(self, name: str) -> None:
        raw = self._client.hget(self._keys.screens(), name)
        if raw is None:
            msg = f"no screen named {name!r}"
            raise ScreenError(msg)
        digest = orjson.loads(raw)["token_sha256"]
        pipe = self._client.pipeline(transaction=True)
        pipe.hdel(self._keys.screen_tokens(), digest)
        pipe.hdel(self._keys.screens(), name)
        pipe.execute()

    def list(self) -> list[Screen]:
        rows = self._client.hgetall(self._keys.screens())
        screens = []
        for name, raw in rows.items():
            data = orjson.loads(raw)
            screens.append(Screen(
                name=name.decode() if isinstance(name, bytes) else str(name),
                created_at=str(data.get("created_at", "")),
                created_by=str(data.get("created_by", "")),
            ))
        return sorted(screens, key=lambda s: s.name)

    def screen_of(self, token: str) -> str | None:
        """The screen a token belongs to, or None if unknown or revoked."""
        raw = self._client.hget(self._keys.screen_tokens(), token_digest(token))
        if raw is None:
            return None
        return raw.decode() if isinstance(raw, bytes) else str(raw)


class ScreenCheck:
    """Per-app cache of positive token checks, re-asked after `recheck_s` seconds.

    `monotonic` returns seconds (injected by tests).
    """

    def __init__(
        self, registry: ScreenRegistry, recheck_s: float, monotonic: Callable[[], float]
    ) -> None:
        self._registry = registry
        self._recheck_s = recheck_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._known: dict[str, tuple[str, float]] = {}  # digest → (screen, checked at)

    def screen_of(self, token: str) -> str | None:
        digest = token_digest(token)
        now = self._monotonic()
        with self._lock:
            cached = self._known.get(digest)
        if cached is not None and now - cached[1] < self._recheck_s:
            return cached[0]
        try:
            screen = self._registry.screen_of(token)
        except (redis.RedisError, OSError):
            return cached[0] if cached else None
        with self._lock:
            if screen is None:
                self._known.pop(digest, None)
            else:
                self._known[digest] = (screen, now)
        return screen
