"""Sign-in rate limit: at most N attempts per user name and per client address in a
fixed window (seconds), counted in Redis so every dashboard worker shares the count."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from pipeline.access.keys import AccessKeys

# One address may try several names (a shared office NAT): allow more per address.
PER_ADDRESS_FACTOR = 4


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    retry_after_s: int  # seconds until the window ends (0 when allowed)


class SignInLimiter:
    def __init__(
        self, client: redis.Redis, keys: AccessKeys, max_attempts: int, window_s: float
    ) -> None:
        self._client = client
        self._keys = keys
        self.max_attempts = max_attempts
        self.window_s = max(1, int(window_s))

    def attempt(self, user: str, address: str) -> Allowance:
        """Count one attempt for `user` from `address`; refuse beyond the limits."""
        user_key = self._keys.signin_attempts("user", user.lower()[:64])
        address_key = self._keys.signin_attempts("ip", address)
        pipe = self._client.pipeline(transaction=True)
        for key in (user_key, address_key):
            # The window starts at the first attempt (SET NX EX: works on Redis 6).
            pipe.set(key, 0, ex=self.window_s, nx=True)
            pipe.incr(key)
        pipe.ttl(user_key)
        pipe.ttl(address_key)
        _, user_count, _, address_count, user_ttl, address_ttl = pipe.execute()
        if user_count > self.max_attempts:
            return Allowance(False, max(1, int(user_ttl)))
        if address_count > self.max_attempts * PER_ADDRESS_FACTOR:
            return Allowance(False, max(1, int(address_ttl)))
        return Allowance(True, 0)

    def succeeded(self, user: str, address: str) -> None:
        """A correct password clears the user's count and takes back this attempt from
        the address's, so only failures add up for an office behind one address."""
        pipe = self._client.pipeline(transaction=True)
        pipe.delete(self._keys.signin_attempts("user", user.lower()[:64]))
        pipe.decr(self._keys.signin_attempts("ip", address))
        pipe.execute()
