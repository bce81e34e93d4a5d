"""Hand-made interval entries, as the pipeline writes them to `<prefix>:intervals`."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import redis

from pipeline.archive.keys import ArchiveKeys
from pipeline.archive.records import parse_entry
from pipeline.archive.store import merge_day
from schemas.snapshot import AgentKpis, QueueKpis


def queue_kpis(**values: Any) -> dict[str, Any]:
    """A complete §3 dict: the given values over the model's defaults."""
    return QueueKpis(**values).model_dump()


def agent_kpis(**values: Any) -> dict[str, Any]:
    """A complete §4 dict: the given values over the model's defaults."""
    return AgentKpis(**values).model_dump()


def interval_fields(
    kind: str,
    entity_id: str,
    start: str,
    kpis: dict[str, Any],
    *,
    interval_s: int = 900,
    waits: tuple[float, float] | None = None,
) -> dict[str, str]:
    """The entry's fields; `waits` = (answered_wait_s, abandoned_wait_s) of a queue-like
    record (None: an entry as written before the pipeline sent them)."""
    fields = {
        "kind": kind,
        "id": entity_id,
        "interval_start": start,
        "interval_s": str(interval_s),
        "kpis": orjson.dumps(kpis).decode(),
    }
    if waits is not None:
        fields["answered_wait_s"], fields["abandoned_wait_s"] = (repr(w) for w in waits)
    return fields


class IntervalWriter:
    """Appends entries to `<prefix>:intervals` as the pipeline's sink will."""

    def __init__(self, client: redis.Redis, keys: ArchiveKeys) -> None:
        self.client = client
        self.keys = keys

    def add(
        self, kind: str, entity_id: str, start: str, kpis: dict[str, Any], *,
        interval_s: int = 900, waits: tuple[float, float] | None = None,
    ) -> str:
        """Append one entry; returns its id."""
        fields = interval_fields(kind, entity_id, start, kpis, interval_s=interval_s,
                                 waits=waits)
        entry_id = self.client.xadd(self.keys.intervals(), fields)  # type: ignore[arg-type]
        return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)


def stream_fields(client: redis.Redis, key: str) -> list[dict[str, str]]:
    """Every entry of a stream as decoded field → text, oldest first."""
    rows: Any = client.xrange(key)
    return [{k.decode(): v.decode() for k, v in fields.items()} for _id, fields in rows]


def write_archive(base: Path, entries: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Merge (kind, id, interval_start, kpis) entries into the Parquet archive at `base`."""
    zone = ZoneInfo("Asia/Shanghai")
    for kind, entity_id, start, kpis in entries:
        record = parse_entry(interval_fields(kind, entity_id, start, kpis), zone)
        merge_day(base, record.local_day(), kind, [record], "Asia/Shanghai")
