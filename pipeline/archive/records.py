"""One `<prefix>:intervals` entry as one Parquet row, and the column layout per kind.

Queue-like kinds (queue, channel, site, all) carry the §3 `QueueKpis`; team and agent the
§4 `AgentKpis`. Every KPI is one column, named exactly as in the snapshot JSON; the one
nested KPI, `not_ready_by_reason_s` (reason → seconds), is stored as a JSON string with
sorted keys. Durations are seconds, ratios 0..1, counts integers; `interval_start` is a
timestamp in the configured zone (default Asia/Shanghai), `interval_s` seconds.

Queue-like files also keep the entry's waiting-time sums `answered_wait_s` and
`abandoned_wait_s` (seconds; the observed caller patience's inputs, not §3 KPIs). Entries
written before the pipeline sent them, and day files written before they were archived,
read as null.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, Literal, get_args

import orjson
import polars as pl
from pydantic import BaseModel, ValidationError

from schemas.snapshot import AgentKpis, QueueKpis
from schemas.timefmt import parse_ts

ArchiveKind = Literal["queue", "channel", "site", "all", "team", "agent"]
ARCHIVE_KINDS: tuple[ArchiveKind, ...] = get_args(ArchiveKind)
AGENT_KINDS: frozenset[str] = frozenset({"team", "agent"})
KEY_COLUMNS: tuple[str, ...] = ("kind", "id", "interval_start", "interval_s")
JSON_COLUMNS: frozenset[str] = frozenset({"not_ready_by_reason_s"})
WAIT_COLUMNS: tuple[str, ...] = ("answered_wait_s", "abandoned_wait_s")


class RejectedInterval(ValueError):
    """An intervals entry that cannot be archived; the message says which field and why."""


@dataclass(frozen=True)
class IntervalRecord:
    """One entity's final KPIs for one closed interval of the local day."""

    kind: ArchiveKind
    entity_id: str
    interval_start: datetime  # aware, in the configured zone
    interval_s: int
    kpis: dict[str, Any]  # column name → value, already flattened
    # Queue-like kinds: `WAIT_COLUMNS` → seconds, or None when the entry had none.
    waits: dict[str, float | None] = field(default_factory=dict)

    def local_day(self) -> date:
        """The partition: the local date of `interval_start` (its zone is the configured one)."""
        return self.interval_start.date()

    def row(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.entity_id,
            "interval_start": self.interval_start,
            "interval_s": self.interval_s,
            **self.kpis,
            **self.waits,
        }


def kpi_model(kind: str) -> type[BaseModel]:
    return AgentKpis if kind in AGENT_KINDS else QueueKpis


def _dtype(annotation: Any) -> pl.DataType:
    if annotation is int:
        return pl.Int64()
    if annotation in (float, float | None):
        return pl.Float64()
    return pl.String()  # dict[str, float] flattened to JSON


def schema(kind: str, zone_name: str) -> dict[str, pl.DataType]:
    """The Parquet columns of `kind`'s file: the key columns, one per KPI, then (queue-like
    kinds) the waiting-time sums."""
    columns: dict[str, pl.DataType] = {
        "kind": pl.String(),
        "id": pl.String(),
        "interval_start": pl.Datetime("us", zone_name),
        "interval_s": pl.Int64(),
    }
    for name, info in kpi_model(kind).model_fields.items():
        columns[name] = _dtype(info.annotation)
    if kind not in AGENT_KINDS:
        columns.update({name: pl.Float64() for name in WAIT_COLUMNS})
    return columns


def _flatten(kpis: BaseModel) -> dict[str, Any]:
    values = kpis.model_dump()
    for name in JSON_COLUMNS & values.keys():
        values[name] = orjson.dumps(values[name], option=orjson.OPT_SORT_KEYS).decode()
    return values


def parse_entry(fields: dict[str, str], zone: tzinfo) -> IntervalRecord:
    """Validate one stream entry (decoded field → text); raise `RejectedInterval` if invalid.

    The KPI JSON must match the snapshot model exactly (unknown keys are refused), so
    nothing but the contract's KPIs — never a customer identifier — reaches the archive.
    """
    kind = fields.get("kind", "")
    if kind not in ARCHIVE_KINDS:
        msg = f"kind: {kind!r} is not one of {', '.join(ARCHIVE_KINDS)}"
        raise RejectedInterval(msg)
    entity_id = fields.get("id", "")
    if (kind == "all") != (entity_id == ""):
        msg = f"id: {entity_id!r} (must be empty exactly when kind is 'all')"
        raise RejectedInterval(msg)
    try:
        start = parse_ts(fields.get("interval_start", "")).astimezone(zone)
    except ValueError as exc:
        msg = f"interval_start: {exc}"
        raise RejectedInterval(msg) from None
    try:
        interval_s = int(fields.get("interval_s", ""))
    except ValueError:
        interval_s = 0
    if interval_s <= 0:
        msg = f"interval_s: {fields.get('interval_s')!r} is not a positive whole number"
        raise RejectedInterval(msg)
    try:
        kpis = kpi_model(kind).model_validate_json(fields.get("kpis", ""))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}"
            for e in exc.errors(include_url=False, include_input=False)
        )
        msg = f"kpis: {problems}"
        raise RejectedInterval(msg) from None
    waits = {} if kind in AGENT_KINDS else {name: _wait(fields, name) for name in WAIT_COLUMNS}
    return IntervalRecord(kind, entity_id, start, interval_s, _flatten(kpis), waits)


def _wait(fields: dict[str, str], name: str) -> float | None:
    """A waiting-time sum (seconds, finite, ≥ 0) of the entry; None when it has none."""
    text = fields.get(name)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        msg = f"{name}: {text!r} is not a finite number of seconds ≥ 0"
        raise RejectedInterval(msg)
    return value
