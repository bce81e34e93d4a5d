"""Redis keys of the access package, under the same prefix as `pipeline.redis_keys`."""

from __future__ import annotations

from typing import Literal

AttemptScope = Literal["user", "ip"]


class AccessKeys:
    """`<prefix>:audit` and `<prefix>:access:*` (see docs/redis-layout.md)."""

    def __init__(self, prefix: str = "wb") -> None:
        self.prefix = prefix

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def audit(self) -> str:
        return self._k("audit")

    def screens(self) -> str:
        """Hash: screen name → JSON {token_sha256, created_at, created_by}."""
        return self._k("access", "screens")

    def screen_tokens(self) -> str:
        """Hash: sha256 of a screen token → screen name (the lookup on every request)."""
        return self._k("access", "screen_tokens")

    def signin_attempts(self, scope: AttemptScope, subject: str) -> str:
        return self._k("access", "signin", scope, subject)

    def session_key(self) -> str:
        return self._k("access", "session_key")
