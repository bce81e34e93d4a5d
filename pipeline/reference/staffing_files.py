"""The reference's own readers of the `[staffing]` roster and forecast files.

Written apart from `pipeline.staffing.roster` / `pipeline.staffing.forecast_file` on
purpose: both sides read the same file and must agree on what it holds and on which files
are refused (`ReferenceFileError`, a `ValueError`, naming the file and the row).

Roster (`.csv` or `.json`, columns as in `pipeline/staffing/roster.py`): the reference
needs agent, team, shift start and end; it checks what makes the engine refuse a file too:
agent and team 1..128 characters, times ISO 8601 with a UTC offset, end after start,
planned breaks well formed and inside their shift, no agent with two shifts starting at
the same instant. Forecast (`.csv` read by DuckDB's `read_csv`, or `.parquet`): rows of
(queue, interval_start with offset, offered); rows with no `offered` are no forecast;
starts must lie on the local `interval_min` grid of the configured zone; offered >= 0;
one row per (queue, interval). Times come out as integer epoch microseconds (UTC).
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

_EPOCH = datetime(1970, 1, 1).astimezone(ZoneInfo("UTC"))
_US = timedelta(microseconds=1)
_REASONS = ("break", "lunch", "training", "meeting", "coaching", "system", "other", "outbound")
_SHIFT_KEYS = {"agent_id", "team", "queues", "shift_start", "shift_end", "breaks"}
_BREAK_KEYS = {"start", "end", "reason", "paid"}
_ID_MAX = 128


class ReferenceFileError(ValueError):
    """A roster or forecast file the reference refuses; the message names file and row."""


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _US


def _aware(value: Any, where: str) -> int:
    """An ISO 8601 text with a UTC offset as epoch microseconds."""
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        msg = f"{where}: {value!r} is not an ISO 8601 time"
        raise ReferenceFileError(msg) from None
    if moment.tzinfo is None:
        msg = f"{where}: {value!r} has no UTC offset"
        raise ReferenceFileError(msg)
    return _micros(moment)


def _ident(value: Any, where: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= _ID_MAX:
        msg = f"{where}: must be text of 1 to {_ID_MAX} characters, got {value!r}"
        raise ReferenceFileError(msg)
    return value


def _csv_breaks(text: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in (p.strip() for p in text.split(";")):
        if item:
            parts = item.split("/")
            planned: dict[str, Any] = {"start": parts[0], "end": parts[1] if len(parts) > 1 else ""}
            if len(parts) > 2 and parts[2]:  # noqa: PLR2004 - start/end/reason/unpaid
                planned["reason"] = parts[2]
            out.append(planned)
    return out


def _roster_rows(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{path}: roster file not found"
        raise ReferenceFileError(msg) from None
    suffix = path.suffix.lower()
    if suffix == ".json":
        data = json.loads(text)
        return list(data["shifts"] if isinstance(data, dict) else data)
    if suffix == ".csv":
        rows = []
        for row in csv.DictReader(text.splitlines()):
            cell = {k: (v or "").strip() for k, v in row.items() if k is not None}
            rows.append(
                {
                    "agent_id": cell.get("agent_id", ""),
                    "team": cell.get("team", ""),
                    "shift_start": cell.get("shift_start", ""),
                    "shift_end": cell.get("shift_end", ""),
                    "breaks": _csv_breaks(cell.get("breaks", "")),
                }
            )
        return rows
    msg = f"{path}: a roster must be .csv or .json"
    raise ReferenceFileError(msg)


def _check_breaks(breaks: Any, start: int, end: int, where: str) -> None:
    for planned in breaks or ():
        if not isinstance(planned, dict) or set(planned) - _BREAK_KEYS:
            msg = f"{where}: a break must be an object with keys {sorted(_BREAK_KEYS)}"
            raise ReferenceFileError(msg)
        b_start = _aware(planned.get("start"), f"{where}: break start")
        b_end = _aware(planned.get("end"), f"{where}: break end")
        if b_end <= b_start or b_start < start or b_end > end:
            msg = f"{where}: break {planned.get('start')} is empty or outside the shift"
            raise ReferenceFileError(msg)
        if planned.get("reason", "break") not in _REASONS:
            msg = f"{where}: unknown break reason {planned.get('reason')!r}"
            raise ReferenceFileError(msg)


def read_roster(path: str | Path) -> list[dict[str, Any]]:
    """The shifts of a roster file in file order: `agent_id`, `team`, `shift_start`,
    `shift_end` (epoch microseconds); raises `ReferenceFileError`."""
    source = Path(path)
    shifts: list[dict[str, Any]] = []
    starts: set[tuple[str, int]] = set()
    for number, row in enumerate(_roster_rows(source), start=1):
        where = f"{source}: shift {number}"
        if not isinstance(row, dict) or set(row) - _SHIFT_KEYS:
            msg = f"{where}: a shift must be an object with keys {sorted(_SHIFT_KEYS)}"
            raise ReferenceFileError(msg)
        agent = _ident(row.get("agent_id"), f"{where}: agent_id")
        team = _ident(row.get("team"), f"{where}: team")
        start = _aware(row.get("shift_start"), f"{where}: shift_start")
        end = _aware(row.get("shift_end"), f"{where}: shift_end")
        if end <= start:
            msg = f"{where}: shift_end is not after shift_start"
            raise ReferenceFileError(msg)
        _check_breaks(row.get("breaks"), start, end, where)
        if (agent, start) in starts:
            msg = f"{where}: agent {agent} already has a shift starting then"
            raise ReferenceFileError(msg)
        starts.add((agent, start))
        shifts.append({"agent_id": agent, "team": team, "shift_start": start, "shift_end": end})
    return shifts


_FORECAST_COLUMNS = ("queue", "interval_start", "offered")


def _forecast_relation(path: Path) -> tuple[list[tuple[Any, ...]], bool]:
    """(queue, start, offered) rows and whether `start` is already epoch microseconds."""
    con = duckdb.connect(":memory:")
    try:
        if path.suffix == ".csv":
            source = "read_csv($path, header = true, all_varchar = true)"
        else:
            source = "read_parquet($path)"
        columns = [
            (r[0], r[1])
            for r in con.execute(f"DESCRIBE SELECT * FROM {source}", {"path": str(path)}).fetchall()
        ]
        types = dict(columns)
        missing = [c for c in _FORECAST_COLUMNS if c not in types]
        if missing:
            msg = f"{path}: the forecast lacks columns {missing}"
            raise ReferenceFileError(msg)
        epoch = types["interval_start"] == "TIMESTAMP WITH TIME ZONE"
        if not epoch and types["interval_start"] != "VARCHAR":
            msg = f"{path}: interval_start must carry a UTC offset, got {types['interval_start']}"
            raise ReferenceFileError(msg)
        start = "epoch_us(interval_start)" if epoch else "interval_start"
        sql = f"SELECT queue, {start}, offered FROM {source} WHERE offered IS NOT NULL"
        return con.execute(sql, {"path": str(path)}).fetchall(), epoch
    except duckdb.Error as exc:
        msg = f"{path}: not a readable forecast file: {exc}"
        raise ReferenceFileError(msg) from None
    finally:
        con.close()


def read_forecast(path: str | Path, timezone: str, interval_min: int) -> list[dict[str, Any]]:
    """Rows `queue`, `start_us` (epoch microseconds), `forecast` (contacts, float) of a
    forecast file, sorted by queue and start; raises `ReferenceFileError`."""
    source = Path(path)
    if not source.exists():
        msg = f"{source}: forecast file not found"
        raise ReferenceFileError(msg)
    raw, epoch = _forecast_relation(source)
    zone = ZoneInfo(timezone)
    rows: dict[tuple[str, int], float] = {}
    for queue, start, offered in raw:
        where = f"{source}: queue {queue!r} interval {start}"
        if queue is None:
            msg = f"{source}: a forecast row without a queue"
            raise ReferenceFileError(msg)
        start_us = start if epoch else _aware(start, where)
        local = (_EPOCH + timedelta(microseconds=start_us)).astimezone(zone)
        if local.minute % interval_min or local.second or local.microsecond:
            msg = f"{where}: not on the {interval_min}-minute grid of {timezone}"
            raise ReferenceFileError(msg)
        try:
            value = float(offered)
        except ValueError:
            msg = f"{where}: offered {offered!r} is not a number"
            raise ReferenceFileError(msg) from None
        if not value >= 0:  # NaN too
            msg = f"{where}: offered must be >= 0, got {value}"
            raise ReferenceFileError(msg)
        if (queue, start_us) in rows:
            msg = f"{where}: appears twice"
            raise ReferenceFileError(msg)
        rows[(queue, start_us)] = value
    return [{"queue": q, "start_us": s, "forecast": v} for (q, s), v in sorted(rows.items())]
