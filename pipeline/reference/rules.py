"""Configuration as DuckDB lookup tables: resolved per-queue and per-team rules.

Only lookups, no KPI math: `Settings.queue_rules` / `Settings.team_rules` resolve the
overrides, and the results become small Arrow tables the SQL joins against. Durations are
seconds (float), ratios 0..1.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from schemas.config import Settings
from schemas.events import Channel

CHANNELS: tuple[Channel, ...] = ("voice", "chat")


def _names_in(raw: pa.Table, column: str, types: tuple[str, ...]) -> set[str]:
    kinds = raw.column("type").to_pylist()
    values = raw.column(column).to_pylist()
    return {v for k, v in zip(kinds, values, strict=True) if k in types and v is not None}


def contact_rules_table(raw: pa.Table, settings: Settings) -> pa.Table:
    """`crules`: thresholds per (queue, channel) for every pair a contact can carry."""
    queues = _names_in(raw, "queue", ("contact.offered", "contact.self_served"))
    queues |= set(settings.queues)
    rows: list[dict[str, Any]] = []
    for queue in sorted(queues):
        for channel in CHANNELS:
            r = settings.queue_rules(queue, channel)
            rows.append(
                {
                    "queue": queue,
                    "channel": channel,
                    "sl_threshold_s": float(r.sl_threshold_s),
                    "wait_breach_s": float(r.wait_breach_s),
                    "ultra_long_s": float(r.ultra_long_s),
                    "ultra_short_s": None if r.ultra_short_s is None else float(r.ultra_short_s),
                    "short_abandon_s": float(r.short_abandon_s),
                }
            )
    return pa.Table.from_pylist(rows, schema=_CRULES_SCHEMA)


_CRULES_SCHEMA = pa.schema(
    [
        ("queue", pa.string()),
        ("channel", pa.string()),
        ("sl_threshold_s", pa.float64()),
        ("wait_breach_s", pa.float64()),
        ("ultra_long_s", pa.float64()),
        ("ultra_short_s", pa.float64()),
        ("short_abandon_s", pa.float64()),
    ]
)

_QRULES_SCHEMA = pa.schema(
    [
        ("queue", pa.string()),
        ("site", pa.string()),
        ("configured", pa.bool_()),
        ("sl_target", pa.float64()),
        ("sl_min_contacts", pa.int64()),
        ("sl_hold_s", pa.float64()),
        ("sl_clear_margin", pa.float64()),
        ("abandon_spike_rate", pa.float64()),
        ("abandon_min_contacts", pa.int64()),
        ("abandon_hold_s", pa.float64()),
        ("wait_clear_hold_s", pa.float64()),
        ("volume_spike_factor", pa.float64()),
        ("volume_spike_min_contacts", pa.int64()),
        ("volume_spike_min_elapsed_s", pa.float64()),
    ]
)


def queue_rules_table(raw: pa.Table, settings: Settings) -> pa.Table:
    """`qrules`: site and queue-level alert rules (channel-independent) per queue."""
    queues = _names_in(raw, "queue", ("contact.offered", "contact.self_served"))
    queues |= set(settings.queues)
    rows = []
    for queue in sorted(queues):
        r = settings.queue_rules(queue)
        rows.append(
            {
                "queue": queue,
                "site": settings.queue_site(queue),
                "configured": queue in settings.queues,
                "sl_target": float(r.sl_target),
                "sl_min_contacts": r.sl_min_contacts,
                "sl_hold_s": float(r.sl_hold_s),
                "sl_clear_margin": float(r.sl_clear_margin),
                "abandon_spike_rate": float(r.abandon_spike_rate),
                "abandon_min_contacts": r.abandon_min_contacts,
                "abandon_hold_s": float(r.abandon_hold_s),
                "wait_clear_hold_s": float(r.wait_clear_hold_s),
                "volume_spike_factor": float(r.volume_spike_factor),
                "volume_spike_min_contacts": r.volume_spike_min_contacts,
                "volume_spike_min_elapsed_s": float(r.volume_spike_min_elapsed_s),
            }
        )
    return pa.Table.from_pylist(rows, schema=_QRULES_SCHEMA)


_TRULES_SCHEMA = pa.schema(
    [
        ("team", pa.string()),
        ("late_login_grace_s", pa.float64()),
        ("early_logout_grace_s", pa.float64()),
        ("relogin_count", pa.int64()),
        ("relogin_window_s", pa.float64()),
        ("early_login_window_s", pa.float64()),
    ]
)
_TLIMITS_SCHEMA = pa.schema(
    [("team", pa.string()), ("reason", pa.string()), ("limit_s", pa.float64())]
)
_SERVES_SCHEMA = pa.schema([("team", pa.string()), ("queue", pa.string())])


def team_rules_tables(
    raw: pa.Table, settings: Settings, rostered: Iterable[str] = ()
) -> dict[str, pa.Table]:
    """`trules`, `tlimits` (long_away limit per team and reason) and `serves` (team→queue),
    for the teams of logins, of the configuration and `rostered` (the roster's teams)."""
    teams = _names_in(raw, "team", ("agent.login",)) | set(settings.teams) | set(rostered)
    trules: list[dict[str, Any]] = []
    limits: list[dict[str, Any]] = []
    serves: list[dict[str, Any]] = []
    for team in sorted(teams):
        r = settings.team_rules(team)
        trules.append(
            {
                "team": team,
                "late_login_grace_s": float(r.late_login_grace_s),
                "early_logout_grace_s": float(r.early_logout_grace_s),
                "relogin_count": r.relogin_count,
                "relogin_window_s": float(r.relogin_window_s),
                "early_login_window_s": float(r.early_login_window_s),
            }
        )
        limits.extend(
            {"team": team, "reason": reason, "limit_s": float(limit)}
            for reason, limit in sorted(r.long_away_s.items())
        )
        serves.extend({"team": team, "queue": queue} for queue in r.queues)
    return {
        "trules": pa.Table.from_pylist(trules, schema=_TRULES_SCHEMA),
        "tlimits": pa.Table.from_pylist(limits, schema=_TLIMITS_SCHEMA),
        "serves": pa.Table.from_pylist(serves, schema=_SERVES_SCHEMA),
    }
