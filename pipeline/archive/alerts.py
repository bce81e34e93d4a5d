"""Alerts beyond Redis: the transitions of `<prefix>:alerts:history` (capped at ~100,000)
archived to `<archive-dir>/day=YYYY-MM-DD/alerts.parquet`, so a report can cite them.

One row per alert id, in the partition of the local day (configured zone, default
Asia/Shanghai) of its `raised_at`; its `cleared` transition replaces the `raised` row (last
wins), so re-reading a batch after a crash gives the same file. Columns: `id`, `kind`,
`severity`, `subject` (queue, agent or team id), `raised_at`, `cleared_at` (timestamps in
the configured zone; `cleared_at` null while active), `evidence` (JSON text, sorted keys).
The cursor (`<prefix>:archive:alerts_cursor`) moves only after the files are written.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import redis
from pydantic import ValidationError

from pipeline.archive.keys import REJECTED_MAXLEN, ArchiveKeys
from pipeline.archive.store import day_file, write_atomically
from schemas.snapshot import Alert
from schemas.timefmt import parse_ts

log = logging.getLogger("pipeline.archive")

ALERTS_KIND = "alerts"
READ_BATCH = 5000


class RejectedAlert(ValueError):
    """A history entry that cannot be archived; the message says which field and why."""


def alert_schema(zone_name: str) -> dict[str, pl.DataType]:
    return {
        "id": pl.String(),
        "kind": pl.String(),
        "severity": pl.String(),
        "subject": pl.String(),
        "raised_at": pl.Datetime("us", zone_name),
        "cleared_at": pl.Datetime("us", zone_name),
        "evidence": pl.String(),
    }


def parse_alert(fields: dict[str, str], zone: tzinfo) -> dict[str, Any]:
    """The Parquet row of one history entry (decoded field → text); `RejectedAlert` if bad."""
    try:
        alert = Alert.model_validate_json(fields.get("alert", ""))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}"
            for e in exc.errors(include_url=False, include_input=False)
        )
        msg = f"alert: {problems}"
        raise RejectedAlert(msg) from None
    try:
        raised = parse_ts(alert.raised_at).astimezone(zone)
        cleared = None if alert.cleared_at is None else parse_ts(alert.cleared_at).astimezone(zone)
    except ValueError as exc:
        msg = f"alert timestamps: {exc}"
        raise RejectedAlert(msg) from None
    return {
        "id": alert.id,
        "kind": alert.kind,
        "severity": alert.severity,
        "subject": alert.subject,
        "raised_at": raised,
        "cleared_at": cleared,
        "evidence": orjson.dumps(alert.evidence, option=orjson.OPT_SORT_KEYS).decode(),
    }


def merge_alerts(archive_dir: Path, day: date, rows: list[dict[str, Any]], zone_name: str) -> int:
    """Merge alert rows (stream order) into the day's file, last row per id wins; sorted by
    raised_at then id. Returns the file's row count."""
    columns = alert_schema(zone_name)
    fresh = pl.DataFrame(rows, schema=columns, orient="row")
    target = day_file(archive_dir, day, ALERTS_KIND)
    if target.exists():
        fresh = pl.concat([pl.read_parquet(target).cast(columns), fresh], how="vertical")  # type: ignore[arg-type]
    merged = fresh.unique(subset=["id"], keep="last", maintain_order=True).sort(
        ["raised_at", "id"]
    )
    write_atomically(merged, target)
    return merged.height


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class AlertArchiver:
    """Copies alert transitions after the stored cursor into the day files."""

    def __init__(
        self, client: redis.Redis, archive_dir: Path, keys: ArchiveKeys, zone: tzinfo,
        zone_name: str, *, batch: int = READ_BATCH,
    ) -> None:
        self.client = client
        self.archive_dir = archive_dir
        self.keys = keys
        self.zone = zone
        self.zone_name = zone_name
        self.batch = batch

    def cursor(self) -> str:
        stored = self.client.get(self.keys.archive_alerts_cursor())
        return _text(stored) if stored is not None else "0-0"

    def poll_once(self) -> int:
        """Archive the next batch of transitions; returns how many entries were read."""
        reply: Any = self.client.xread({self.keys.alerts_history(): self.cursor()},
                                       count=self.batch)
        entries = [(_text(i), f) for _stream, rows in reply or [] for i, f in rows]
        if not entries:
            return 0
        groups: dict[date, list[dict[str, Any]]] = defaultdict(list)
        rejected: list[dict[str, str]] = []
        for entry_id, raw in entries:
            fields = {_text(k): _text(v) for k, v in raw.items()}
            try:
                row = parse_alert(fields, self.zone)
            except RejectedAlert as exc:
                log.warning("archive: alert history entry %s rejected: %s", entry_id, exc)
                rejected.append({"entry_id": entry_id, "kind": ALERTS_KIND, "id": "",
                                 "reason": str(exc)[:2000]})
                continue
            raised: datetime = row["raised_at"]
            groups[raised.date()].append(row)
        for day, rows in sorted(groups.items()):
            merge_alerts(self.archive_dir, day, rows, self.zone_name)
        pipe = self.client.pipeline(transaction=True)
        for item in rejected:
            pipe.xadd(self.keys.archive_rejected(), item,  # type: ignore[arg-type]
                      maxlen=REJECTED_MAXLEN, approximate=True)
        pipe.set(self.keys.archive_alerts_cursor(), entries[-1][0])
        pipe.execute()
        return len(entries)

    def drain(self) -> int:
        """Archive every transition in the stream now; returns how many were read."""
        total = 0
        while True:
            read = self.poll_once()
            total += read
            if read == 0:
                return total
