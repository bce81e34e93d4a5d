"""The dashboard's only access to the Parquet archive (`pipeline.archive.query`).

Past days do not change, so each answer is cached with the identity (path, size, mtime)
of the files it read: a file the archiver rewrites (a late interval, a new day) misses the
cache, an unchanged one costs a `stat` per day. The cache belongs to one app (no state
shared between apps); it is bounded and thread-safe. Days are local dates of the
configured zone; `today` is excluded (it is still open and shown live from Redis).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from pipeline.archive.query import (
    AgentDay,
    IntervalCount,
    ProfileSlot,
    QueueDay,
    agent_days,
    day_files,
    interval_counts,
    interval_profile,
    past_days,
    queue_days,
)

CACHE_ENTRIES = 512
ARCHIVE_DIR_ENV = "WALLBOARD_ARCHIVE_DIR"
DEFAULT_ARCHIVE_DIR = "var/archive"
T = TypeVar("T")


def archive_dir_from_env() -> Path:
    """`WALLBOARD_ARCHIVE_DIR`, else `var/archive` (relative to the working directory)."""
    return Path(os.environ.get(ARCHIVE_DIR_ENV) or DEFAULT_ARCHIVE_DIR)


class ArchiveUnavailable(RuntimeError):
    """The archive could not be read (unreadable file, permissions)."""


class ArchiveData:
    """Cached reads of the day partitions under `archive_dir`."""

    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = archive_dir
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def _signature(self, kind: str, first: date, last: date) -> tuple[tuple[str, int, int], ...]:
        found = []
        for name in day_files(self.archive_dir, kind, first, last):
            stat = Path(name).stat()
            found.append((name, stat.st_size, stat.st_mtime_ns))
        return tuple(found)

    def _cached(self, key: tuple[Any, ...], kind: str, first: date, last: date,
                read: Callable[[], T]) -> T:
        try:
            full_key = (*key, self._signature(kind, first, last))
            with self._lock:
                if full_key in self._cache:
                    self._cache.move_to_end(full_key)
                    hit: T = self._cache[full_key]
                    return hit
            value = read()
        except (OSError, duckdb.Error) as exc:
            msg = f"archive unreadable: {exc}"
            raise ArchiveUnavailable(msg) from exc
        with self._lock:
            self._cache[full_key] = value
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return value

    def queue_days(self, queue: str, today: date, days: int) -> list[QueueDay]:
        """The queue's daily totals for the `days` whole days before `today`."""
        first, last = past_days(today, days)
        return self._cached(("queue", queue, first, last), "queue", first, last,
                            lambda: queue_days(self.archive_dir, queue, first, last))

    def queue_profile(
        self, queue: str, today: date, days: int, zone_name: str
    ) -> list[ProfileSlot]:
        """The queue's intervals of the day (local `HH:MM` in `zone_name`) summed over the
        `days` whole days before `today`."""
        first, last = past_days(today, days)
        return self._cached(
            ("profile", queue, first, last, zone_name), "queue", first, last,
            lambda: interval_profile(self.archive_dir, queue, first, last, zone_name=zone_name),
        )

    def queue_interval_counts(self, queue: str, today: date, days: int) -> list[IntervalCount]:
        """Every archived interval of the queue in the `days` whole days before `today`."""
        first, last = past_days(today, days)
        return self._cached(("intervals", queue, first, last), "queue", first, last,
                            lambda: interval_counts(self.archive_dir, queue, first, last))

    def agent_days(self, agent_id: str, today: date, days: int) -> list[AgentDay]:
        """The agent's daily KPIs for the `days` whole days before `today`."""
        first, last = past_days(today, days)
        return self._cached(("agent", agent_id, first, last), "agent", first, last,
                            lambda: agent_days(self.archive_dir, agent_id, first, last))

    def cache_size(self) -> int:
        with self._lock:
            return len(self._cache)
