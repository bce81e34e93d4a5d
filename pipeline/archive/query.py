"""Reads over the Parquet archive for the dashboard: daily totals, interval profiles and
an agent's days. Parameterised DuckDB SQL over the day partitions of a date range.

Every ratio is recomputed from summed counts (never an average of ratios); ASA and AHT
are weighted by the contacts behind them (answered, handled); agent ratios come from
summed durations. Durations are seconds, ratios 0..1 or None when the denominator is 0;
days are local dates of the configured zone (the partition), slots local `HH:MM`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from pipeline.archive.store import day_file
from pipeline.kpi_math import ratio, service_level

QueueLikeKind = str  # "queue", "channel", "site" or "all"


@dataclass(frozen=True)
class QueueDay:
    """One local day of a queue (or channel/site/all), from its closed intervals."""

    day: date
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    answered_in_sl: int
    handled: int
    service_level: float | None
    abandon_rate: float | None
    asa_s: float | None
    aht_s: float | None


@dataclass(frozen=True)
class ProfileSlot:
    """One interval of the day (local start `HH:MM`) summed over the days that have it."""

    slot: str
    days: int
    offered: int
    offered_per_day: float
    answered: int
    abandoned: int
    service_level: float | None
    asa_s: float | None
    aht_s: float | None


@dataclass(frozen=True)
class IntervalCount:
    """One archived interval of a queue: its start (epoch seconds), contacts offered and
    the AHT (seconds) of the contacts handled in it (None when none)."""

    start_s: int
    offered: int
    aht_s: float | None


@dataclass(frozen=True)
class AgentDay:
    """One local day of an agent (or team), from its closed intervals."""

    day: date
    logged_in_s: float
    busy_s: float
    acw_s: float
    ready_s: float
    not_ready_s: float
    handled: int
    aht_s: float | None
    utilization: float | None
    occupancy: float | None
    ultra_short: int
    ultra_long: int


def past_days(today: date, days: int) -> tuple[date, date]:
    """The `days` whole local days before `today` (first, last): today is still open."""
    return today - timedelta(days=days), today - timedelta(days=1)


def day_files(archive_dir: Path, kind: str, first: date, last: date) -> list[str]:
    """Existing `<kind>.parquet` files of the days first..last (inclusive), oldest first."""
    found = []
    day = first
    while day <= last:
        path = day_file(archive_dir, day, kind)
        if path.is_file():
            found.append(str(path))
        day += timedelta(days=1)
    return found


def _rows(sql: str, files: Sequence[str], params: dict[str, Any]) -> list[tuple[Any, ...]]:
    if not files:
        return []
    with duckdb.connect() as con:
        return con.execute(sql, {"files": list(files), **params}).fetchall()


def _service_level(*sums: int | None) -> float | None:
    """`service_level` of summed counts; None also when a column had no value (SQL NULL)."""
    in_sl, answered, abandoned, short = sums
    if in_sl is None or answered is None or abandoned is None or short is None:
        return None
    return service_level(in_sl, answered, abandoned, short)


_SOURCE = """read_parquet($files, hive_partitioning = true, union_by_name = true)"""

_QUEUE_DAYS = f"""
SELECT day,
       sum(offered), sum(answered), sum(abandoned), sum(short_abandoned),
       sum(answered_in_sl), sum(handled),
       sum(coalesce(asa_s * answered, 0)) / nullif(sum(answered), 0),
       sum(coalesce(aht_s * handled, 0)) / nullif(sum(handled), 0)
FROM {_SOURCE}
WHERE kind = $kind AND id = $id
GROUP BY day
ORDER BY day
"""


def queue_days(
    archive_dir: Path, entity_id: str, first: date, last: date, *, kind: QueueLikeKind = "queue"
) -> list[QueueDay]:
    """Daily totals of a queue (or channel/site; `all` with id "") for first..last."""
    files = day_files(archive_dir, kind, first, last)
    rows = _rows(_QUEUE_DAYS, files, {"kind": kind, "id": entity_id})
    days = []
    for day, offered, answered, abandoned, short, in_sl, handled, asa_s, aht_s in rows:
        counts = (offered, answered, abandoned, short, in_sl, handled)
        sl = _service_level(in_sl, answered, abandoned, short)
        rate = None if sl is None else ratio(abandoned - short, answered + abandoned - short)
        days.append(QueueDay(day, *counts, sl, rate, asa_s, aht_s))
    return days


_PROFILE = f"""
SELECT strftime(timezone($zone, interval_start), '%H:%M') AS slot,
       count(DISTINCT day),
       sum(offered),
       sum(offered)::DOUBLE / count(DISTINCT day),
       sum(answered), sum(abandoned), sum(short_abandoned), sum(answered_in_sl),
       sum(coalesce(asa_s * answered, 0)) / nullif(sum(answered), 0),
       sum(coalesce(aht_s * handled, 0)) / nullif(sum(handled), 0)
FROM {_SOURCE}
WHERE kind = $kind AND id = $id
GROUP BY slot
ORDER BY slot
"""


def interval_profile(
    archive_dir: Path,
    entity_id: str,
    first: date,
    last: date,
    *,
    zone_name: str,
    kind: QueueLikeKind = "queue",
) -> list[ProfileSlot]:
    """A queue's typical day: per local interval start (`zone_name`), totals over the days
    first..last that have that interval, and offered per such day."""
    files = day_files(archive_dir, kind, first, last)
    rows = _rows(_PROFILE, files, {"kind": kind, "id": entity_id, "zone": zone_name})
    slots = []
    for slot, days, offered, per_day, answered, abandoned, short, in_sl, asa_s, aht_s in rows:
        counts = (days, offered, per_day, answered, abandoned)
        sl = _service_level(in_sl, answered, abandoned, short)
        slots.append(ProfileSlot(slot, *counts, sl, asa_s, aht_s))
    return slots


_INTERVALS = f"""
SELECT epoch(interval_start)::BIGINT AS start_s,
       sum(offered),
       sum(coalesce(aht_s * handled, 0)) / nullif(sum(handled), 0)
FROM {_SOURCE}
WHERE kind = $kind AND id = $id
GROUP BY start_s
ORDER BY start_s
"""


def interval_counts(
    archive_dir: Path, entity_id: str, first: date, last: date, *, kind: QueueLikeKind = "queue"
) -> list[IntervalCount]:
    """Every archived interval of a queue (or channel/site) on the days first..last, oldest
    first: the forecast's history, day by day and interval by interval."""
    files = day_files(archive_dir, kind, first, last)
    rows = _rows(_INTERVALS, files, {"kind": kind, "id": entity_id})
    return [IntervalCount(int(start), int(offered), aht) for start, offered, aht in rows]


_AGENT_DAYS = f"""
SELECT day,
       sum(logged_in_s), sum(busy_s), sum(acw_s), sum(ready_s), sum(not_ready_s),
       sum(handled),
       sum(coalesce(aht_s * handled, 0)) / nullif(sum(handled), 0),
       (sum(busy_s) + sum(acw_s) + sum(ready_s)) / nullif(sum(logged_in_s), 0),
       (sum(busy_s) + sum(acw_s)) / nullif(sum(busy_s) + sum(acw_s) + sum(ready_s), 0),
       sum(ultra_short), sum(ultra_long)
FROM {_SOURCE}
WHERE kind = $kind AND id = $id
GROUP BY day
ORDER BY day
"""


def agent_days(
    archive_dir: Path, entity_id: str, first: date, last: date, *, kind: str = "agent"
) -> list[AgentDay]:
    """Daily KPIs of an agent (or a team with kind "team") for first..last."""
    files = day_files(archive_dir, kind, first, last)
    rows = _rows(_AGENT_DAYS, files, {"kind": kind, "id": entity_id})
    return [AgentDay(*row) for row in rows]
