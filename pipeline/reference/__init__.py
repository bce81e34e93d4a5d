"""The DuckDB SQL reference implementation of every KPI and alert (docs/kpi-semantics.md).

A second implementation the stream engine must equal on every replay: events are loaded
into DuckDB and everything else (acceptance, durations, windows, rollups, agent time,
alerts) is computed in SQL. Times in the output are RFC 3339 in the configured zone;
durations are seconds, ratios 0..1.

Decided here, independently of the engine: the event-time check (`event_time.py`, its own
look-ahead code; nothing of `pipeline.engine.time_gate`) and deduplication (`lag(ts)`
within `dedupe_window_s` in `contacts_sql.py`; nothing of the engine's `seen` map).

Still shared with the engine, for now, and why:
- `schemas.events.parse_event` (parsing and validating one line: JSON, types, fields,
  offsets) and `CANONICAL_RANK` (the tie-break order of events at the same instant): the
  event contract itself, one definition so both engines read the same events; a bug
  there is not caught by the equality tests.
- `Settings.queue_rules` / `queue_site` / `team_rules` (threshold inheritance, in
  `rules.py`), `pipeline.staffing.roster.load_pipeline_roster` (`loading.py`) and the
  forecast file reader (`volume_sql.py`), and the window constants of `schemas.snapshot`:
  configuration and file reading, not yet given the reference's own code (issue #14
  item 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pipeline.reference.assemble import build_snapshot
from pipeline.reference.database import ReferenceDatabase
from pipeline.reference.windows import instant
from schemas.config import Settings

__all__ = ["reference_run", "reference_snapshot", "reference_snapshots"]


def reference_snapshots(
    lines: Iterable[bytes | str], ats: list[datetime], settings: Settings
) -> list[dict[str, Any]]:
    """§7 snapshots as of each of `ats` (aware datetimes; `now = floor(at)`), loading once."""
    db = ReferenceDatabase(lines, settings)
    try:
        snapshots = []
        for at in ats:
            moment = instant(at, settings)
            db.compute(moment)
            snapshots.append(build_snapshot(db, moment))
        return snapshots
    finally:
        db.close()


def reference_snapshot(
    lines: Iterable[bytes | str], at: datetime, settings: Settings
) -> dict[str, Any]:
    """§7 snapshot as of `at` (now = floor(at)), as `Snapshot(...).model_dump(by_alias=True)`."""
    return reference_snapshots(lines, [at], settings)[0]


def reference_run(
    lines: Iterable[bytes | str], at: datetime, settings: Settings
) -> tuple[dict[str, Any], list[str]]:
    """`reference_snapshot`, and the reasons of the lines it did not load (invalid) and of
    the events its event-time check refused. Events refused in context (an answer for an
    unknown contact, …) are left out by the SQL and not listed."""
    db = ReferenceDatabase(lines, settings)
    try:
        moment = instant(at, settings)
        db.compute(moment)
        return build_snapshot(db, moment), [*db.invalid, *db.refused_time.values()]
    finally:
        db.close()
