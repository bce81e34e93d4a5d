"""Redis keys of the access package, under the same prefix as `pipeline.redis_keys`."""

from __future__ import annotations


class AccessKeys:
    """`<prefix>:audit` and `<prefix>:access:*` (see docs/redis-layout.md)."""

    def __init__(self, prefix: str = "wb") -> None:
        self.prefix = prefix

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def audit(self) -> str:
        """Stream: actions of signed-in people, screens and operators."""
        return self._k("audit")

    def audit_refused(self) -> str:
        """Stream: refused sign-ins and unauthenticated requests, bounded on its own so
        that anonymous traffic can never evict the authenticated trail."""
        return self._k("audit", "refused")

    def screens(self) -> str:
        """Hash: screen name → JSON {token_sha256, created_at, created_by}."""
        return self._k("access", "screens")

    def screen_tokens(self) -> str:
        """Hash: sha256 of a screen token → screen name (the lookup on every request)."""
        return self._k("access", "screen_tokens")

    def signin_window(self, window: int) -> str:
        """Hash: sign-in attempts of one fixed window (number = epoch seconds // length),
        field per address and per user-and-address pair; TTL two windows."""
        return self._k("access", "signin", str(window))

    def session(self, digest: str) -> str:
        """Hash {user, issued_at} of one session, by the SHA-256 of its cookie token."""
        return self._k("access", "session", digest)

    def removed_users(self) -> str:
        """Set: users removed by `wallboard users remove` (refused at sign-in even by a
        dashboard still running with the old config); `users add` takes a name out."""
        return self._k("access", "removed_users")

    def user_sessions(self, user: str) -> str:
        """Set: the session digests of one user (for revoking them all)."""
        return self._k("access", "user_sessions", user)
