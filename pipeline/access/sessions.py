"""Server-side sessions: the `wb_session` cookie is a random 256-bit token; Redis keeps only
its SHA-256 with the user name, so a session exists only while its record does.

Every request looks the record up (no signing key to steal: reading Redis does not give
a usable cookie, and a cookie made up by anyone matches no record). Sign-out deletes the
record, `wallboard users remove` deletes all of a user's records (and marks the name
removed, so a dashboard still running with the old config refuses it), and the TTL
ends the session `access.session_max_age_s` seconds after sign-in (absolute expiry).
The cookie holds no role: the role is looked up in the configuration on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import redis

from pipeline.access.keys import AccessKeys

SESSION_COOKIE = "wb_session"
TOKEN_BYTES = 32
MAX_COOKIE_LENGTH = 128  # a real token is 43 characters; longer values are not looked up


def session_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class SessionStore:
    """Issues, checks and revokes sessions in Redis; `max_age_s` in seconds."""

    def __init__(self, client: redis.Redis, keys: AccessKeys, max_age_s: float) -> None:
        self._client = client
        self._keys = keys
        self.max_age_s = max(1, int(max_age_s))

    def issue(self, user: str, at: datetime) -> str:
        """A new session for `user` (signed in at `at`, aware); returns the cookie value."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        digest = session_digest(token)
        pipe = self._client.pipeline(transaction=True)
        pipe.hset(self._keys.session(digest),
                  mapping={"user": user, "issued_at": at.isoformat(timespec="seconds")})
        pipe.expire(self._keys.session(digest), self.max_age_s)
        # The user's index of sessions lives as long as their newest session.
        pipe.sadd(self._keys.user_sessions(user), digest)
        pipe.expire(self._keys.user_sessions(user), self.max_age_s)
        pipe.execute()
        return token

    def user_of(self, token: str | None) -> str | None:
        """The signed-in user of a cookie, or None if absent, unknown, revoked or expired."""
        if not token or len(token) > MAX_COOKIE_LENGTH:
            return None
        user = self._client.hget(self._keys.session(session_digest(token)), "user")
        return _text(user) if user is not None else None

    def revoke(self, token: str | None) -> str | None:
        """End one session (sign-out); returns its user, None if there was none."""
        if not token or len(token) > MAX_COOKIE_LENGTH:
            return None
        digest = session_digest(token)
        user = self._client.hget(self._keys.session(digest), "user")
        if user is None:
            return None
        pipe = self._client.pipeline(transaction=True)
        pipe.delete(self._keys.session(digest))
        pipe.srem(self._keys.user_sessions(_text(user)), digest)
        pipe.execute()
        return _text(user)

    def remove_user(self, user: str) -> int:
        """End every session of `user` and refuse their sign-ins from now on (removal);
        returns how many sessions there were."""
        digests = [_text(d) for d in self._client.smembers(self._keys.user_sessions(user))]
        pipe = self._client.pipeline(transaction=True)
        for digest in digests:
            pipe.delete(self._keys.session(digest))
        pipe.delete(self._keys.user_sessions(user))
        pipe.sadd(self._keys.removed_users(), user)
        results = pipe.execute()
        return sum(int(r) for r in results[:len(digests)])

    def restore_user(self, user: str) -> None:
        """A user added (again): sign-ins are no longer refused for a past removal."""
        self._client.srem(self._keys.removed_users(), user)

    def is_removed(self, user: str) -> bool:
        return bool(self._client.sismember(self._keys.removed_users(), user))
