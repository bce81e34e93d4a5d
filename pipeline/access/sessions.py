"""Signed session cookies: the user name and sign-in time, signed with a server secret.

The cookie holds no role: the role is looked up in the configuration on every request, so
a user removed or demoted loses access at the next request. Expiry is absolute
(`access.session_max_age_s` after sign-in), checked from the signed timestamp.
"""

from __future__ import annotations

import os
import secrets

import redis
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from pipeline.access.keys import AccessKeys

SESSION_COOKIE = "wb_session"
SESSION_KEY_ENV = "WALLBOARD_SESSION_KEY"
_SALT = "wallboard-session"


def session_secret(client: redis.Redis, keys: AccessKeys) -> str:
    """`WALLBOARD_SESSION_KEY`, or a random key kept in Redis and shared by all workers."""
    from_env = os.environ.get(SESSION_KEY_ENV)
    if from_env:
        return from_env
    client.set(keys.session_key(), secrets.token_urlsafe(48), nx=True)
    stored = client.get(keys.session_key())
    if stored is None:  # pragma: no cover - deleted between the two calls
        msg = "session key vanished from redis"
        raise RuntimeError(msg)
    return stored.decode() if isinstance(stored, bytes) else str(stored)


class SessionSigner:
    """Makes and reads the `wb_session` cookie value; `max_age_s` in seconds."""

    def __init__(self, secret: str, max_age_s: float) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        self.max_age_s = max_age_s

    def issue(self, user: str) -> str:
        return self._serializer.dumps({"u": user, "n": secrets.token_hex(8)})

    def user_of(self, cookie: str | None) -> str | None:
        """The signed-in user name, or None if absent, forged or expired."""
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=int(self.max_age_s))
        except (SignatureExpired, BadSignature):
            return None
        user = data.get("u") if isinstance(data, dict) else None
        return user if isinstance(user, str) else None
