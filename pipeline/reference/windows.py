"""Window bounds at `now` (kpi-semantics §2), as parameters for the SQL.

Counters use whole seconds: a window holds seconds `lo_sec <= s <= now`. Agent time is
clipped continuously to `[lo_us, now_us]` (epoch microseconds). Rolling windows end at
`now`; interval and day start at the local interval start / local midnight in the
configured time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa

from pipeline.reference.loading import from_micros, to_micros
from schemas.config import Settings

_S = 1_000_000

# The snapshot's windows (kpi-semantics §2), written out for the reference on purpose:
# rolling windows by length in seconds, then the local interval and the local day.
ROLLING_WINDOWS_S: dict[str, int] = {"15m": 900, "30m": 1800, "60m": 3600}
WINDOWS: tuple[str, ...] = (*ROLLING_WINDOWS_S, "interval", "day")


@dataclass(frozen=True)
class Instant:
    """`now` (whole epoch second) for a snapshot taken with `--at at`."""

    at_us: int
    now: int
    interval_start: int
    day_start: int

    @property
    def now_us(self) -> int:
        return self.now * _S


def instant(at: datetime, settings: Settings) -> Instant:
    """`now = floor(at)`; interval and day starts in the configured zone (epoch seconds)."""
    at_us = to_micros(at)
    now = at_us // _S
    local = from_micros(now * _S).astimezone(settings.zone)
    minute = local.minute - local.minute % settings.interval_min
    interval_local = local.replace(minute=minute, second=0, microsecond=0)
    day_local = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return Instant(
        at_us=at_us,
        now=now,
        interval_start=to_micros(interval_local) // _S,
        day_start=to_micros(day_local) // _S,
    )


def window_table(moment: Instant) -> pa.Table:
    """`win(w, lo_sec, lo_us)`: first counted second and agent-time clip start per window."""
    rows = [
        {"w": name, "lo_sec": moment.now - length + 1, "lo_us": (moment.now - length) * _S}
        for name, length in ROLLING_WINDOWS_S.items()
    ]
    rows.append(
        {"w": "interval", "lo_sec": moment.interval_start, "lo_us": moment.interval_start * _S}
    )
    rows.append({"w": "day", "lo_sec": moment.day_start, "lo_us": moment.day_start * _S})
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema([("w", pa.string()), ("lo_sec", pa.int64()), ("lo_us", pa.int64())]),
    )
