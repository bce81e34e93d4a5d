"""Token bucket per channel, on the monotonic clock (seconds)."""

from __future__ import annotations

EPSILON = 1e-9


class TokenBucket:
    """At most `per_minute` messages in any 60 s window, `burst` of them back to back.

    The refill rate is `(per_minute - burst) / 60` tokens per second, so the bucket that
    starts full still keeps any 60 s window within `per_minute` (WeCom: 20 per minute).
    """

    def __init__(self, per_minute: float, burst: int, now: float) -> None:
        if burst >= per_minute:
            msg = "burst must be below per_minute"
            raise ValueError(msg)
        self.rate_per_s = (per_minute - burst) / 60.0
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.updated = now

    def take(self, now: float) -> float:
        """Take a token and return 0, or return the seconds to wait before trying again."""
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate_per_s)
        self.updated = now
        if self.tokens >= 1.0 - EPSILON:  # float drift must not leave a 1e-16 s wait
            self.tokens = max(0.0, self.tokens - 1.0)
            return 0.0
        return (1.0 - self.tokens) / self.rate_per_s
