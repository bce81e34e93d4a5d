"""The DuckDB side of the reference: one in-memory database per loaded event file.

`ReferenceDatabase` loads the validated events and the resolved rules once, then for each
instant rebuilds every derived table (accepted events, timelines, counters, alerts) with
bound parameters and returns the result rows. All KPI formulas live in the SQL modules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.reference import (
    agents_sql,
    alerts_sql,
    bounds_sql,
    contacts_sql,
    queues_sql,
    volume_sql,
)
from pipeline.reference.event_time import refused_by_time
from pipeline.reference.loading import load_events, load_roster_table
from pipeline.reference.rules import contact_rules_table, queue_rules_table, team_rules_tables
from pipeline.reference.windows import Instant, window_table
from schemas.config import Settings

_PARAM = re.compile(r"\$([a-z_]+)")


def _pipeline() -> list[str]:
    # The entity caps drop events from `ev` right after the statement that builds it.
    contacts = contacts_sql.STATEMENTS
    cut = 1 + next(i for i, sql in enumerate(contacts) if "TEMP TABLE ev AS" in sql)
    return [
        *contacts[:cut],
        *bounds_sql.STATEMENTS,
        *contacts[cut:],
        *agents_sql.TIMELINE,
        *alerts_sql.CONTACT_ALERTS,
        *alerts_sql.AGENT_ALERTS,
        alerts_sql.QUEUE_SPANS,
        *(alerts_sql.hold_alert_sql(kind) for kind in alerts_sql.HOLD_KINDS),
        *volume_sql.STATEMENTS,
        alerts_sql.ALL_ALERTS,
        *agents_sql.KPIS,
        *queues_sql.STATEMENTS,
    ]


class ReferenceDatabase:
    """An event file and its configuration loaded into an in-memory DuckDB."""

    def __init__(self, lines: Iterable[bytes | str], settings: Settings) -> None:
        self.settings = settings
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET threads TO 2")
        # Reasons of the lines that are not valid events (not loaded).
        self.invalid: list[str] = []
        raw = load_events(lines, self.invalid)
        # Arrival order and times, for the event-time check per instant.
        self._arrivals = sorted(
            zip(raw.column("seq").to_pylist(), raw.column("ts").to_pylist(), strict=True)
        )
        self._create("raw", raw)
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE raw AS "
            "SELECT *, count(*) OVER (PARTITION BY event_id) AS copies FROM raw"
        )
        for name, table in bounds_sql.bounds_tables(settings).items():
            self._create(name, table)
        self._create("crules", contact_rules_table(raw, settings))
        self._create("qrules", queue_rules_table(raw, settings))
        forecast = volume_sql.forecast_table(settings)
        self._create("forecast", forecast)
        self._create("ivals", volume_sql.interval_table(raw, settings, forecast))
        roster = load_roster_table(settings)
        self._create("roster", roster)
        rostered = roster.column("team").to_pylist()
        for name, table in team_rules_tables(raw, settings, rostered).items():
            self._create(name, table)
        self._statements = _pipeline()
        self._values: dict[str, Any] = {}
        # Events the event-time check refused at the last `compute`: seq -> reason.
        self.refused_time: dict[int, str] = {}

    def _create(self, name: str, table: pa.Table) -> None:
        # `name` comes from the fixed set above; the data travels as an Arrow table.
        self.con.register("_incoming", table)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _incoming")
        self.con.unregister("_incoming")

    def _run(self, sql: str, values: dict[str, Any]) -> duckdb.DuckDBPyConnection:
        wanted = {name: values[name] for name in _PARAM.findall(sql)}
        return self.con.execute(sql, wanted) if wanted else self.con.execute(sql)

    def compute(self, moment: Instant) -> None:
        """Rebuild every derived table for `moment`."""
        values: dict[str, Any] = {
            "at_us": moment.at_us,
            "now": moment.now,
            "now_us": moment.now_us,
            "day_us": moment.day_start * 1_000_000,
            "lateness_us": round(self.settings.lateness_s * 1_000_000),
            "survey_us": round(self.settings.survey_window_s * 1_000_000),
            "dedupe_us": round(self.settings.dedupe_window_s * 1_000_000),
        }
        self._values = values
        self._create("win", window_table(moment))
        self._create("gated", self._gated(moment.at_us))
        for sql in self._statements:
            self._run(sql, values)

    def _gated(self, at_us: int) -> pa.Table:
        """Seqs refused by the event-time check (validation, as at parse time), among the
        events the `--at` filter keeps, in arrival order (`pipeline.reference.event_time`)."""
        settings = self.settings
        self.refused_time = refused_by_time(
            [(seq, ts) for seq, ts in self._arrivals if ts <= at_us],
            settings.time_jump_s,
            settings.dedupe_window_s,
            settings.time_jump_confirm,
        )
        return pa.table({"seq": pa.array(sorted(self.refused_time), type=pa.int64())})

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """Rows of a query over the derived tables, as dicts (parameters of `compute`)."""
        cursor = self._run(sql, self._values)
        names = [column[0] for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        self.con.close()
