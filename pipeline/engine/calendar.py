"""Local-time boundaries (interval of day, local midnight) as epoch seconds.

Intervals are aligned to `interval_min` minutes of local wall-clock time in the configured
zone (default Asia/Shanghai); the day starts at local midnight.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class LocalCalendar:
    """Converts epoch seconds to the start of their local interval and local day."""

    def __init__(self, zone_name: str, interval_min: int) -> None:
        self.zone_name = zone_name
        self.interval_s = interval_min * 60
        self._day_lo = 0.0
        self._day_hi = -1.0

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.zone_name)

    def _offset_s(self, epoch: float) -> int:
        moment = datetime.fromtimestamp(epoch, tz=UTC).astimezone(self.zone)
        offset = moment.utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def day_start(self, epoch: float) -> int:
        """Epoch second of local midnight of the day holding `epoch`."""
        if self._day_lo <= epoch < self._day_hi:
            return int(self._day_lo)
        local = datetime.fromtimestamp(math.floor(epoch), tz=UTC).astimezone(self.zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        next_midnight = (midnight + timedelta(days=1, hours=2)).replace(hour=0)
        self._day_lo = midnight.timestamp()
        self._day_hi = next_midnight.timestamp()
        return int(self._day_lo)

    def next_day_start(self, epoch: float) -> int:
        """Epoch second of the local midnight after `epoch`."""
        self.day_start(epoch)
        return int(self._day_hi)

    def interval_start(self, epoch: float) -> int:
        """Epoch second where the local interval holding `epoch` began."""
        offset = self._offset_s(epoch)
        local = math.floor(epoch) + offset
        return local - local % self.interval_s - offset
