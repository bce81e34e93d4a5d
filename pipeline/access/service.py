"""Everything the dashboard needs for access control, created once per app: the users
from the configuration, the Redis-backed audit logs, sign-in limiter, screen registry
and the session store. No web framework here (see `dashboard.guard`)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import redis

from pipeline.access.audit import AuditLog
from pipeline.access.keys import AccessKeys
from pipeline.access.passwords import verify_password
from pipeline.access.principal import Principal, Via, user_principal
from pipeline.access.ratelimit import SignInLimiter
from pipeline.access.screens import ScreenCheck, ScreenRegistry
from pipeline.access.sessions import SessionStore
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
        self.refused = AuditLog(self.client, self.keys, settings.audit_refused_maxlen,
                                refused=True)
        self.limiter = SignInLimiter(
            self.client, self.keys, settings.signin_max_attempts, settings.signin_window_s
        )
        self.screens = ScreenRegistry(self.client, self.keys)
        self.screen_check = ScreenCheck(self.screens, settings.screen_recheck_s, monotonic)
        self.sessions = SessionStore(self.client, self.keys, settings.session_max_age_s)
        self.views = RecentViews(monotonic)
        # Entries one signed-in principal may add per kind (see AuditBudget).
        self.denials = AuditBudget(monotonic)
        self.view_budget = AuditBudget(monotonic, per_s=0.5)

    @property
    def enabled(self) -> bool:
        return self.settings.auth_enabled

    def user(self, name: str, via: Via) -> Principal | None:
        """The configured user `name` as a principal (None if not configured)."""
        entry = self.settings.users.get(name)
        return user_principal(name, entry, via) if entry else None

    def check_password(self, name: str, password: str) -> Principal | None:
        """The user if the password matches and they were not removed since start-up."""
        entry = self.settings.users.get(name)
        if not verify_password(entry.password_hash if entry else None, password):
            return None
        if self.sessions.is_removed(name):
            return None
        return self.user(name, "password")

    def close(self) -> None:
        self.client.close()


class RecentViews:
    """Which (viewer, agent) drill-downs were audited lately, so that a page refreshing
    every second writes one `view_agent` entry per `every_s` seconds, not one per tick.

    Bounded: at most `size` pairs are remembered (oldest forgotten first); `monotonic`
    returns seconds (injected by tests).
    """

    def __init__(
        self,
        monotonic: Callable[[], float],
        every_s: float = 300,
        size: int = 10_000,
        reopen_s: float = 10,
    ) -> None:
        self._monotonic = monotonic
        self._every_s = every_s
        self._reopen_s = reopen_s
        self._size = size
        self._lock = threading.Lock()
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()

    def due(self, who: str, agent: str, *, opened: bool = False) -> bool:
        """True when this view should be audited now (and remember it): a page opened
        counts unless the same page was audited in the last `reopen_s` seconds."""
        now = self._monotonic()
        key = (who, agent)
        with self._lock:
            last = self._seen.get(key)
            quiet = self._reopen_s if opened else self._every_s
            if last is not None and now - last < quiet:
                return False
            self._seen[key] = now
            self._seen.move_to_end(key)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
        return True


class AuditBudget:
    """How many entries of one kind (`access_denied`, `view_agent`) one signed-in
    principal may add to the audit trail: a token bucket of `capacity` refilled at `per_s`
    per second, so even a signed-in account posting requests in a loop cannot turn the
    trail over. Entries beyond the budget are counted and reported with the next one.

    Bounded: at most `size` principals are remembered; `monotonic` returns seconds.
    """

    def __init__(
        self,
        monotonic: Callable[[], float],
        capacity: float = 300,
        per_s: float = 0.2,
        size: int = 10_000,
    ) -> None:
        self._monotonic = monotonic
        self._capacity = capacity
        self._per_s = per_s
        self._size = size
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float, int]] = OrderedDict()

    def take(self, who: str) -> int | None:
        """None: do not record this entry; else record it, noting the returned number of
        entries suppressed before it."""
        now = self._monotonic()
        with self._lock:
            tokens, at, suppressed = self._buckets.get(who, (self._capacity, now, 0))
            tokens = min(self._capacity, tokens + (now - at) * self._per_s)
            if tokens < 1:
                self._buckets[who] = (tokens, now, suppressed + 1)
                result = None
            else:
                self._buckets[who] = (tokens - 1, now, 0)
                result = suppressed
            self._buckets.move_to_end(who)
            while len(self._buckets) > self._size:
                self._buckets.popitem(last=False)
        return result
