"""Sign-in rate limit, counted in Redis so every dashboard worker shares the count.

Two limits per sliding window of `window_s` seconds (the current fixed window's count plus
the previous window's, weighted by how much of it still overlaps, so counts never reset
at a boundary): `max_attempts` per user name *and*
client address together (so wrong passwords from elsewhere never lock a real user out
of their own desk), and `max_attempts × PER_ADDRESS_FACTOR` per address (an IPv6
address counts by its /64, which one client can fill). All counters of a window are
fields of one hash that expires after two windows, capped at `max_fields`: a flood of
made-up names or addresses cannot create keys or grow memory without bound (beyond the
cap, new pairs and addresses are not tracked until the next window, and argon2 keeps
each attempt expensive). An address over its limit is also remembered in this process
(at most `BLOCKED_MEMORY` of them) until its retry time, so a flood from it costs no
Redis round trip at all.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import redis

from pipeline.access.keys import AccessKeys

# One address may try several names (a shared office NAT): allow more per address.
PER_ADDRESS_FACTOR = 4
MAX_FIELDS = 100_000
BLOCKED_MEMORY = 10_000  # addresses over their limit remembered in this process


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    retry_after_s: int  # seconds until the window ends (0 when allowed)
    first_refusal: bool = False  # the first refused attempt of this pair/address in the window


def address_bucket(address: str) -> str:
    """The address an attempt is counted under: IPv4 as is, IPv6 by its /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _pair_field(user: str, address: str) -> str:
    pair = f"{user.lower()[:64]}\0{address_bucket(address)}".encode()
    return "p:" + hashlib.sha256(pair).hexdigest()[:32]


class SignInLimiter:
    def __init__(
        self,
        client: redis.Redis,
        keys: AccessKeys,
        max_attempts: int,
        window_s: float,
        max_fields: int = MAX_FIELDS,
    ) -> None:
        self._client = client
        self._keys = keys
        self.max_attempts = max_attempts
        self.window_s = max(1, int(window_s))
        self.max_fields = max_fields
        self._lock = threading.Lock()
        self._blocked: OrderedDict[str, float] = OrderedDict()  # address → blocked until (s)

    def _blocked_for(self, bucket: str, now_s: float) -> int:
        """Seconds this process still refuses `bucket` without asking Redis (0: ask)."""
        with self._lock:
            until = self._blocked.get(bucket)
            if until is None:
                return 0
            if until <= now_s:
                del self._blocked[bucket]
                return 0
        return max(1, math.ceil(until - now_s))

    def _block(self, bucket: str, until_s: float) -> None:
        with self._lock:
            self._blocked[bucket] = until_s
            self._blocked.move_to_end(bucket)
            while len(self._blocked) > BLOCKED_MEMORY:
                self._blocked.popitem(last=False)

    def _window(self, now_s: float) -> tuple[int, float]:
        """The fixed window's number and the share of the previous one still counted."""
        window = int(now_s // self.window_s)
        elapsed = now_s / self.window_s - window
        return window, 1.0 - elapsed

    def _count(self, window: int, overlap: float, field: str) -> tuple[int, int]:
        """Add one to `field` in the current window; (sliding count, hash size)."""
        key = self._keys.signin_window(window)
        pipe = self._client.pipeline(transaction=True)
        pipe.hincrby(key, field, 1)
        pipe.expire(key, 2 * self.window_s)
        pipe.hlen(key)
        pipe.hget(self._keys.signin_window(window - 1), field)
        now_count, _, size, before = pipe.execute()
        if size > self.max_fields and now_count == 1:
            self._client.hdel(key, field)  # over the cap: not tracked (bounded memory)
        return now_count + math.ceil(int(before or 0) * overlap), size

    def attempt(self, user: str, address: str, now_s: float) -> Allowance:
        """Count one attempt for `user` from `address` at `now_s` (epoch seconds).

        The address is counted first: an address over its limit adds no field for the
        names it tries, so one address creates at most its limit of pair fields.
        """
        bucket = address_bucket(address)
        blocked = self._blocked_for(bucket, now_s)
        if blocked:
            return Allowance(False, blocked)
        window, overlap = self._window(now_s)
        retry_after = max(1, math.ceil(overlap * self.window_s))
        address_limit = self.max_attempts * PER_ADDRESS_FACTOR
        count, _ = self._count(window, overlap, "a:" + bucket)
        if count > address_limit:
            self._block(bucket, now_s + retry_after)
            return Allowance(False, retry_after, first_refusal=count == address_limit + 1)
        count, _ = self._count(window, overlap, _pair_field(user, address))
        if count > self.max_attempts:
            return Allowance(False, retry_after, first_refusal=count == self.max_attempts + 1)
        return Allowance(True, 0)

    def succeeded(self, user: str, address: str, now_s: float) -> None:
        """A correct password clears the pair's count and takes back this attempt from
        the address's, so only failures add up for an office behind one address."""
        window, _ = self._window(now_s)
        pair = _pair_field(user, address)
        pipe = self._client.pipeline(transaction=True)
        pipe.hdel(self._keys.signin_window(window), pair)
        pipe.hdel(self._keys.signin_window(window - 1), pair)
        pipe.hincrby(self._keys.signin_window(window), "a:" + address_bucket(address), -1)
        pipe.execute()
