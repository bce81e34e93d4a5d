"""Assembling the §7 snapshot dict from the result rows of the reference SQL.

No KPI math here: rows are regrouped into the nested shape of `schemas.snapshot.Snapshot`
and timestamps (epoch microseconds) formatted as RFC 3339 in the configured zone.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pipeline.reference.database import ReferenceDatabase
from pipeline.reference.loading import from_micros
from pipeline.reference.windows import WINDOWS, Instant
from schemas.config import Settings
from schemas.snapshot import AgentKpis, QueueKpis, Snapshot
from schemas.timefmt import format_ts

_QUEUE_FIELDS = tuple(QueueKpis.model_fields)
_AGENT_FIELDS = tuple(f for f in AgentKpis.model_fields if f != "not_ready_by_reason_s")
_NOW_FIELDS = ("staffed", "ready", "busy", "acw", "not_ready")

_EVIDENCE: dict[str, tuple[str, ...]] = {
    "ultra_short_contact": ("contact_id", "queue", "conversation_s", "threshold_s"),
    "ultra_long_contact": ("contact_id", "queue", "threshold_s"),
    "abnormal_logout": ("reasons", "active_contacts", "shift_end_us", "logins_in_window"),
    "late_login": ("shift_start_us", "late_by_s", "not_logged_in", "absent"),
    "long_away": ("reason", "limit_s"),
    "wait_breach": ("threshold_s", "longest_wait_s", "contacts_over"),
    "sl_breach": ("service_level", "target", "contacts"),
    "abandon_spike": ("abandon_rate", "threshold", "contacts"),
    "volume_spike": ("interval_start_us", "offered", "forecast", "projected", "factor"),
}

_ALERT_LIST = """
    SELECT * FROM alerts
    WHERE raised_us <= $now_us
      AND (cleared_us IS NULL OR cleared_us > $now_us OR raised_us >= $day_us)
    ORDER BY raised_us, id
"""


class _Formatter:
    def __init__(self, settings: Settings) -> None:
        self.zone = settings.zone

    def ts(self, micros: int | None) -> str | None:
        return None if micros is None else format_ts(from_micros(micros), self.zone)


def _windows(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> dict[tuple[str, str], Any]:
    out: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        out[(row["level"], row["key"])][row["w"]] = {f: row[f] for f in fields}
    return out


def _empty_agent_windows() -> dict[str, Any]:
    return {w: AgentKpis().model_dump() for w in WINDOWS}


def _alert(row: dict[str, Any], settings: Settings, fmt: _Formatter, now_us: int) -> Any:
    evidence: dict[str, Any] = {}
    for name in _EVIDENCE[row["kind"]]:
        value = row[name]
        if value is None:
            continue
        if name.endswith("_us"):
            evidence[name.removesuffix("_us")] = fmt.ts(value)
        else:
            evidence[name] = value
    cleared = row["cleared_us"]
    return {
        "id": row["id"],
        "kind": row["kind"],
        "severity": settings.severities[row["kind"]],
        "subject": row["subject"],
        "raised_at": fmt.ts(row["raised_us"]),
        "cleared_at": fmt.ts(cleared) if cleared is not None and cleared <= now_us else None,
        "evidence": evidence,
    }


def build_snapshot(db: ReferenceDatabase, moment: Instant) -> dict[str, Any]:
    """The snapshot of the derived tables computed for `moment`, as a JSON-ready dict."""
    settings = db.settings
    fmt = _Formatter(settings)
    queue_windows = _windows(db.rows("SELECT * FROM queue_kpis"), _QUEUE_FIELDS)
    agent_windows = _windows(db.rows("SELECT * FROM agent_kpis"), _AGENT_FIELDS)
    for row in db.rows("SELECT * FROM agent_reasons ORDER BY reason"):
        window = agent_windows[(row["level"], row["key"])][row["w"]]
        window.setdefault("not_ready_by_reason_s", {})[row["reason"]] = row["seconds"]
    now_counts = {
        (r["level"], r["key"]): {f: r[f] for f in _NOW_FIELDS}
        for r in db.rows("SELECT * FROM now_counts")
    }
    zero_counts = dict.fromkeys(_NOW_FIELDS, 0)
    sites = {r["queue"]: r["site"] for r in db.rows("SELECT queue, site FROM qrules")}
    agents_now = {r["agent_id"]: r for r in db.rows("SELECT * FROM agent_now")}

    def by_level(level: str) -> dict[str, Any]:
        return {key: w for (lv, key), w in sorted(queue_windows.items()) if lv == level}

    def team_entry(level: str, key: str) -> dict[str, Any]:
        windows = agent_windows.get((level, key)) or _empty_agent_windows()
        return {**windows, **now_counts.get((level, key), zero_counts)}

    queues = {
        q: {**w, "site": sites[q], "agents_now": now_counts.get(("queue", q), zero_counts)}
        for q, w in by_level("queue").items()
    }
    agents = {}
    for (level, agent_id), windows in sorted(agent_windows.items()):
        if level != "agent":
            continue
        now_row = agents_now.get(agent_id, {})
        label = now_row.get("label") or "logged_out"
        state, _, reason = label.partition(":")
        agents[agent_id] = {
            **windows,
            "state": state,
            "state_since": fmt.ts(now_row.get("since_us")),
            "reason": reason or None,
            "team": now_row.get("team"),
            "site": now_row.get("site"),
        }
    snapshot = Snapshot.model_validate(
        {
            "now": fmt.ts(moment.now_us),
            "queues": queues,
            "channels": by_level("channel"),
            "sites": {
                s: {**w, "agents": team_entry("site", s)} for s, w in by_level("site").items()
            },
            "all": queue_windows[("all", "all")],
            "agents": agents,
            "teams": {
                team: team_entry("team", team)
                for (level, team) in sorted(agent_windows)
                if level == "team"
            },
            "alerts": [_alert(row, settings, fmt, moment.now_us) for row in db.rows(_ALERT_LIST)],
        }
    )
    return snapshot.model_dump(by_alias=True)
