"""Injected time: wall clock (aware, UTC) for quiet hours and escalation, monotonic for pacing."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current wall-clock time, timezone-aware."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, never going back."""
        ...


class SystemClock:
    """The real clocks."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FixedWallClock:
    """A settable wall clock with the real monotonic clock (tests of quiet hours, escalation)."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            msg = "FixedWallClock needs a timezone-aware datetime"
            raise ValueError(msg)
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def monotonic(self) -> float:
        return time.monotonic()
