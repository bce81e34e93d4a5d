"""The archiver loop: read `<prefix>:intervals` after the stored cursor, merge each batch
into the day partitions' Parquet files, then advance the cursor.

`alerts` (`pipeline.archive.alerts.AlertArchiver`) does the same for the alert
transitions of `<prefix>:alerts:history`; `run_forever` polls both.

Files are written before the cursor moves, so a crash re-reads at most one batch; merging
it again yields the same files (one row per (kind, id, interval_start), last wins). Runs
beside the dataflow (`wallboard archive run`); run one archiver per prefix and directory.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import redis

from pipeline.archive.alerts import AlertArchiver
from pipeline.archive.keys import REJECTED_MAXLEN, ArchiveKeys
from pipeline.archive.records import IntervalRecord, RejectedInterval, parse_entry
from pipeline.archive.store import day_file, merge_day
from schemas.config import Settings

log = logging.getLogger("pipeline.archive")

READ_BATCH = 5000


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


@dataclass
class BatchResult:
    """What one poll did: entries read, rows merged per file, entries rejected."""

    read: int = 0
    files: dict[Path, int] = field(default_factory=dict)  # file → its row count after merge
    rejected: int = 0


class Archiver:
    """Call `poll_once()` / `drain()` yourself, or `run_forever()` until `stop_event` is set."""

    def __init__(
        self,
        settings: Settings,
        client: redis.Redis,
        archive_dir: Path,
        *,
        keys: ArchiveKeys | None = None,
        batch: int = READ_BATCH,
    ) -> None:
        self.settings = settings
        self.client = client
        self.archive_dir = archive_dir
        self.keys = keys or ArchiveKeys(settings.redis_prefix)
        self.batch = batch
        self.stop_event = threading.Event()
        self.alerts = AlertArchiver(client, archive_dir, self.keys, settings.zone,
                                    settings.timezone)

    def cursor(self) -> str:
        """Id of the last entry safely archived ("0-0" before the first)."""
        stored = self.client.get(self.keys.archive_cursor())
        return _text(stored) if stored is not None else "0-0"

    def poll_once(self, block_ms: int = 0) -> BatchResult:
        """Archive the next batch after the cursor (waiting up to `block_ms` for one)."""
        reply: Any = self.client.xread(
            {self.keys.intervals(): self.cursor()},
            count=self.batch,
            block=block_ms if block_ms > 0 else None,
        )
        entries = [(_text(i), f) for _stream, rows in reply or [] for i, f in rows]
        result = BatchResult(read=len(entries))
        if not entries:
            return result
        groups: dict[tuple[date, str], list[IntervalRecord]] = defaultdict(list)
        rejected: list[dict[str, str]] = []
        for entry_id, raw in entries:
            fields = {_text(k): _text(v) for k, v in raw.items()}
            try:
                record = parse_entry(fields, self.settings.zone)
            except RejectedInterval as exc:
                log.warning("archive: intervals entry %s rejected: %s", entry_id, exc)
                rejected.append({
                    "entry_id": entry_id,
                    "kind": fields.get("kind", "")[:64],
                    "id": fields.get("id", "")[:256],
                    "reason": str(exc)[:2000],
                })
                continue
            groups[(record.local_day(), record.kind)].append(record)
        for (day, kind), records in sorted(groups.items()):
            rows = merge_day(self.archive_dir, day, kind, records, self.settings.timezone)
            result.files[day_file(self.archive_dir, day, kind)] = rows
        pipe = self.client.pipeline(transaction=True)
        for item in rejected:
            pipe.xadd(self.keys.archive_rejected(), item,  # type: ignore[arg-type]
                      maxlen=REJECTED_MAXLEN, approximate=True)
        pipe.set(self.keys.archive_cursor(), entries[-1][0])
        pipe.execute()
        result.rejected = len(rejected)
        return result

    def drain(self) -> int:
        """Archive every intervals entry now; returns how many were read (alerts:
        `self.alerts.drain()`)."""
        total = 0
        while not self.stop_event.is_set():
            read = self.poll_once().read
            total += read
            if read == 0:
                break
        return total

    def run_forever(self, poll_s: float = 1.0) -> None:
        """Archive until `stop_event` is set; Redis outages are logged and retried."""
        while not self.stop_event.is_set():
            try:
                self.poll_once(block_ms=int(poll_s * 1000))
                self.alerts.poll_once()
            except redis.RedisError as exc:
                log.error("archive: Redis unavailable (%s), retrying", type(exc).__name__)
                self.stop_event.wait(poll_s)
            except OSError as exc:
                # Disk full, permissions: the cursor has not moved, the batch is retried.
                log.error("archive: cannot write to %s (%s), retrying", self.archive_dir, exc)
                self.stop_event.wait(poll_s)
