"""Everything the dashboard needs for access control, created once per app: the users
from the configuration, the Redis-backed audit log, sign-in limiter, screen registry
and the session signer. No web framework here (see `dashboard.guard`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import redis

from pipeline.access.audit import AuditLog
from pipeline.access.keys import AccessKeys
from pipeline.access.passwords import verify_password
from pipeline.access.principal import Principal, Via, user_principal
from pipeline.access.ratelimit import SignInLimiter
from pipeline.access.screens import ScreenCheck, ScreenRegistry
from pipeline.access.sessions import SessionSigner, session_secret
from schemas.access import AccessSettings


class AccessService:
    """Access control for one dashboard app over the Redis at `redis_url` under `prefix`."""

    def __init__(
        self,
        settings: AccessSettings,
        redis_url: str,
        prefix: str,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        timeout_s: float = 1.0,
    ) -> None:
        self.settings = settings
        self.keys = AccessKeys(prefix)
        # redis-py connects lazily: creating the client opens nothing. The URL may carry
        # an ACL user and password and use rediss:// (TLS).
        self.client = redis.Redis.from_url(
            redis_url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self.audit = AuditLog(self.client, self.keys, settings.audit_maxlen)
        self.limiter = SignInLimiter(
            self.client, self.keys, settings.signin_max_attempts, settings.signin_window_s
        )
        self.screens = ScreenRegistry(self.client, self.keys)
        self.screen_check = ScreenCheck(self.screens, settings.screen_recheck_s, monotonic)
        self._signer: SessionSigner | None = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.settings.auth_enabled

    def signer(self) -> SessionSigner:
        """The session signer; its secret is read (or created in Redis) on first use."""
        with self._lock:
            if self._signer is None:
                secret = session_secret(self.client, self.keys)
                self._signer = SessionSigner(secret, self.settings.session_max_age_s)
            return self._signer

    def user(self, name: str, via: Via) -> Principal | None:
        """The configured user `name` as a principal (None if not configured)."""
        entry = self.settings.users.get(name)
        return user_principal(name, entry, via) if entry else None

    def check_password(self, name: str, password: str) -> Principal | None:
        entry = self.settings.users.get(name)
        if not verify_password(entry.password_hash if entry else None, password):
            return None
        return self.user(name, "password")

    def close(self) -> None:
        self.client.close()
