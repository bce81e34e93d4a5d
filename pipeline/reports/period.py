"""The local days a report covers: one day, an ISO week (Monday–Sunday) or a calendar month,
and the period of the same kind just before it. Days are local dates of the configured
zone (default Asia/Shanghai), the archive's partitions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["day", "week", "month"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("day", "week", "month")


@dataclass(frozen=True)
class Period:
    """Local days `first`..`last` (inclusive)."""

    kind: PeriodKind
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def previous(self) -> Period:
        """The period of the same kind that ends the day before this one starts."""
        return period_for(self.kind, self.first - timedelta(days=1))

    def label(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def period_for(kind: PeriodKind, day: date) -> Period:
    """The day, ISO week or calendar month that contains `day`."""
    if kind == "day":
        return Period(kind, day, day)
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return Period(kind, monday, monday + timedelta(days=6))
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(kind, first, following - timedelta(days=1))
