"""The report's numbers from the Parquet archive: parameterised DuckDB SQL over the day
partitions (`<archive-dir>/day=YYYY-MM-DD/<kind>.parquet`) of a period.

Only sums leave SQL: counts, and the seconds behind each mean (ASA × answered, AHT ×
handled), so every ratio is recomputed from summed counts by the engine's own formulas
(`pipeline.engine.kpis`), never averaged. Interval starts are epoch seconds (UTC);
durations seconds; days local dates of the configured zone (the partition).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from pipeline.archive.query import day_files
from pipeline.engine.counters import AGENT_FIELDS, QUEUE_FIELDS, A, Q, Row, add_rows
from pipeline.engine.kpis import AgentTotals, agent_kpis, queue_kpis

_SOURCE = "read_parquet($files, hive_partitioning = true, union_by_name = true)"
_FILTER = "kind = $kind AND ($every OR list_contains($ids, id))"

# Archive column (or expression) summed into each engine counter field.
_QUEUE_SUMS: dict[str, str] = {
    **{name: name for name in QUEUE_FIELDS},
    "wait_answered_sum": "coalesce(asa_s * answered, 0)",
    "handle_sum": "coalesce(aht_s * handled, 0)",
    "wait_abandoned_sum": "coalesce(abandoned_wait_s, 0)",
}
_QUEUE_SELECT = ", ".join(f"sum({_QUEUE_SUMS[name]})" for name in QUEUE_FIELDS)
_STATE_COLUMNS = ("logged_in_s", "busy_s", "acw_s", "ready_s", "not_ready_s")
_AGENT_SUMS: dict[str, str] = {
    "handled": "handled",
    "handle_sum": "coalesce(aht_s * handled, 0)",
    "ultra_short": "ultra_short",
    "ultra_long": "ultra_long",
}
_AGENT_SELECT = ", ".join(
    [f"sum({name})" for name in _STATE_COLUMNS]
    + [f"sum({_AGENT_SUMS[name]})" for name in AGENT_FIELDS]
)


@dataclass
class QueueCounts:
    """Summed §3 counters (the engine's `QUEUE_FIELDS` layout) of one queue or rollup."""

    row: Row

    @classmethod
    def zero(cls) -> QueueCounts:
        return cls([0.0] * len(QUEUE_FIELDS))

    def add(self, other: QueueCounts) -> None:
        add_rows(self.row, other.row)

    def kpis(self) -> dict[str, Any]:
        """§3 KPIs recomputed from the counts (ratios 0..1 or None, seconds)."""
        return queue_kpis(self.row, 0, None)

    def __getitem__(self, name: str) -> float:
        return self.row[Q[name]]


@dataclass(frozen=True)
class QueueInterval:
    """One archived interval of one queue: start (epoch s), length (s), its counts."""

    queue: str
    start_s: int
    interval_s: int
    counts: QueueCounts


@dataclass(frozen=True)
class StaffInterval:
    """One archived interval of a team: seconds logged in, and on the phone (ready, busy or
    after-call work); divided by the interval length, the average agents."""

    team: str
    start_s: int
    interval_s: int
    logged_in_s: float
    available_s: float


def _rows(sql: str, files: Sequence[str], params: dict[str, Any]) -> list[tuple[Any, ...]]:
    if not files:
        return []
    with duckdb.connect() as con:
        # One thread: sums of doubles then add up in file order, so a report is the same
        # to the last digit every time it is made.
        con.execute("SET threads = 1")
        return con.execute(sql, {"files": list(files), **params}).fetchall()


def _params(kind: str, ids: Sequence[str]) -> dict[str, Any]:
    return {"kind": kind, "every": not ids, "ids": list(ids) or [""]}


def entity_ids(archive_dir: Path, kind: str, first: date, last: date) -> list[str]:
    """Ids of `kind` with at least one archived interval on first..last, sorted."""
    sql = f"SELECT DISTINCT id FROM {_SOURCE} WHERE kind = $kind ORDER BY id"
    files = day_files(archive_dir, kind, first, last)
    return [row[0] for row in _rows(sql, files, {"kind": kind})]


def queue_totals(
    archive_dir: Path, queues: Sequence[str], first: date, last: date
) -> dict[str, QueueCounts]:
    """Summed counts per queue over first..last (all queues when `queues` is empty)."""
    sql = f"SELECT id, {_QUEUE_SELECT} FROM {_SOURCE} WHERE {_FILTER} GROUP BY id ORDER BY id"
    files = day_files(archive_dir, "queue", first, last)
    return {
        row[0]: QueueCounts([float(v) for v in row[1:]])
        for row in _rows(sql, files, _params("queue", queues))
    }


def queue_intervals(
    archive_dir: Path, queues: Sequence[str], first: date, last: date
) -> list[QueueInterval]:
    """Every archived interval of the queues on first..last, by queue then start."""
    sql = f"""
        SELECT id, epoch(interval_start)::BIGINT AS start_s, max(interval_s), {_QUEUE_SELECT}
        FROM {_SOURCE} WHERE {_FILTER}
        GROUP BY id, start_s ORDER BY id, start_s
    """
    files = day_files(archive_dir, "queue", first, last)
    return [
        QueueInterval(row[0], int(row[1]), int(row[2]), QueueCounts([float(v) for v in row[3:]]))
        for row in _rows(sql, files, _params("queue", queues))
    ]


def staff_totals(
    archive_dir: Path, kind: str, ids: Sequence[str], first: date, last: date
) -> dict[str, dict[str, Any]]:
    """§4 KPIs per team or agent (`kind`) over first..last, from summed durations."""
    sql = f"SELECT id, {_AGENT_SELECT} FROM {_SOURCE} WHERE {_FILTER} GROUP BY id ORDER BY id"
    files = day_files(archive_dir, kind, first, last)
    out = {}
    for row in _rows(sql, files, _params(kind, ids)):
        totals = AgentTotals()
        totals.states = {name: float(v) for name, v in zip(_STATE_COLUMNS, row[1:6], strict=True)}
        totals.counters = [0.0] * len(AGENT_FIELDS)
        for name, value in zip(AGENT_FIELDS, row[6:], strict=True):
            totals.counters[A[name]] = float(value)
        out[row[0]] = agent_kpis(totals)
    return out


def team_intervals(
    archive_dir: Path, teams: Sequence[str], first: date, last: date
) -> list[StaffInterval]:
    """Every archived interval of the teams on first..last, by team then start."""
    if not teams:
        return []
    sql = f"""
        SELECT id, epoch(interval_start)::BIGINT AS start_s, max(interval_s),
               sum(logged_in_s), sum(busy_s + acw_s + ready_s)
        FROM {_SOURCE} WHERE {_FILTER}
        GROUP BY id, start_s ORDER BY id, start_s
    """
    files = day_files(archive_dir, "team", first, last)
    return [
        StaffInterval(row[0], int(row[1]), int(row[2]), float(row[3]), float(row[4]))
        for row in _rows(sql, files, _params("team", teams))
    ]


@dataclass(frozen=True)
class AlertGroup:
    """Alerts of one kind and subject raised in the days: how many, how many cleared, and
    the durations (seconds, raised → cleared) of the cleared ones."""

    kind: str
    subject: str
    alerts: int
    cleared: int
    total_s: float | None
    max_s: float | None


def alert_groups(archive_dir: Path, first: date, last: date) -> list[AlertGroup] | None:
    """Archived alerts raised on first..last per (kind, subject); None when no day of the
    period has an alerts file (alerts not archived then)."""
    files = day_files(archive_dir, "alerts", first, last)
    if not files:
        return None
    sql = f"""
        SELECT kind, subject, count(*), count(cleared_at),
               sum(epoch(cleared_at) - epoch(raised_at)), max(epoch(cleared_at) - epoch(raised_at))
        FROM {_SOURCE} GROUP BY kind, subject ORDER BY kind, subject
    """
    return [AlertGroup(r[0], r[1], int(r[2]), int(r[3]), r[4], r[5])
            for r in _rows(sql, files, {})]
