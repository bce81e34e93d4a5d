"""Loading an event file into DuckDB: parse and validate each line, nothing else.

Validation is shared with the stream engine (`schemas.events.parse_event`); every valid
event becomes one row of the `raw` table with `seq` = 0-based line index. Timestamps are
stored as integer microseconds since the Unix epoch (UTC), so durations computed in SQL
as `(a - b) / 1e6` equal `timedelta.total_seconds()` exactly. The roster of
`[staffing] roster` (read by `pipeline.reference.staffing_files`) becomes the `roster` table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from pipeline.reference.order import CANONICAL_RANK
from pipeline.reference.staffing_files import read_roster
from schemas.config import Settings
from schemas.events import InvalidEvent, parse_event

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

RAW_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("event_id", pa.string()),
        ("type", pa.string()),
        ("rank", pa.int32()),
        ("ts", pa.int64()),
        ("contact_id", pa.string()),
        ("channel", pa.string()),
        ("queue", pa.string()),
        ("agent_id", pa.string()),
        ("disposition", pa.string()),
        ("team", pa.string()),
        ("site", pa.string()),
        ("shift_start", pa.int64()),
        ("shift_end", pa.int64()),
        ("state", pa.string()),
        ("reason", pa.string()),
        ("score", pa.int32()),
    ]
)

_OPTIONAL_TEXT = (
    "contact_id",
    "channel",
    "queue",
    "agent_id",
    "disposition",
    "team",
    "site",
    "state",
    "reason",
)


def to_micros(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the Unix epoch."""
    return (moment - EPOCH) // _MICROSECOND


def from_micros(micros: int) -> datetime:
    """Integer epoch microseconds as an aware UTC datetime (exact, no float rounding)."""
    return EPOCH + timedelta(microseconds=micros)


def load_events(lines: Iterable[bytes | str], invalid: list[str] | None = None) -> pa.Table:
    """Valid events of `lines` as an Arrow table with `RAW_SCHEMA`; invalid lines are
    skipped (their reasons appended to `invalid` when given)."""
    columns: dict[str, list[Any]] = {name: [] for name in RAW_SCHEMA.names}
    for seq, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            event = parse_event(line)
        except InvalidEvent as error:
            if invalid is not None:
                invalid.append(error.reason)
            continue
        fields = event.__dict__
        columns["seq"].append(seq)
        columns["event_id"].append(event.event_id)
        columns["type"].append(event.type)
        columns["rank"].append(CANONICAL_RANK[event.type])
        columns["ts"].append(to_micros(event.ts))
        for name in _OPTIONAL_TEXT:
            columns[name].append(fields.get(name))
        for name in ("shift_start", "shift_end"):
            value = fields.get(name)
            columns[name].append(None if value is None else to_micros(value))
        columns["score"].append(fields.get("score"))
    return pa.table(columns, schema=RAW_SCHEMA)


ROSTER_SCHEMA = pa.schema(
    [
        ("agent_id", pa.string()),
        ("team", pa.string()),
        ("shift_start", pa.int64()),
        ("shift_end", pa.int64()),
    ]
)


def load_roster_table(settings: Settings) -> pa.Table:
    """`roster`: one row per shift of `[staffing] roster` (epoch microseconds); empty when
    no roster is configured. Read by the reference's own `staffing_files.read_roster`,
    which raises `ReferenceFileError` for an invalid roster file."""
    path = settings.staffing.roster
    rows = [] if path is None else read_roster(path)
    return pa.Table.from_pylist(rows, schema=ROSTER_SCHEMA)
