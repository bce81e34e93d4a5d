"""The DuckDB SQL reference implementation of every KPI and alert (docs/kpi-semantics.md).

An independent second implementation the stream engine must equal on every replay:
events are parsed and validated, loaded into DuckDB, and everything else (dedupe,
acceptance, durations, windows, rollups, agent time, alerts) is computed in SQL. Times in
the output are RFC 3339 in the configured zone; durations are seconds, ratios 0..1.

It decides by itself, in its own code: the tie-break at one timestamp (`order.py`),
threshold inheritance from the written configuration with its own defaults (`rules.py`),
the window bounds (`windows.py`), the roster and forecast files (`staffing_files.py`),
the event-time check (`event_time.py`, its own look-ahead code) and deduplication
(`lag(ts)` within `dedupe_window_s` in `contacts_sql.py`); acceptance is SQL.

It must not import the engine (`pipeline.engine`, `pipeline.floor_logic`), the engine's
gate (`schemas.plausibility`) or its file readers (`pipeline.staffing.roster`,
`pipeline.staffing.forecast_file`). What it still shares, and why (the allow-list that
`tests/reference/test_reference_imports.py` holds it to):

- `schemas.config.Settings`: the validated configuration is its input; it reads values
  and the keys that were written (`model_dump(exclude_unset=True)`), calls no resolver.
- `schemas.events.parse_event`, `schemas.events.InvalidEvent`: which lines are valid
  events, shared for now so both refuse the same lines (field validation is being
  tightened in one place); ordering, dedupe and the time check are the reference's own.
- `schemas.snapshot.Snapshot`, `schemas.snapshot.QueueKpis`, `schemas.snapshot.AgentKpis`:
  the output contract (field names and shape), no decisions.
- `schemas.timefmt.format_ts`: how a time is printed in the output.
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
