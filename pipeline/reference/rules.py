"""Configuration as DuckDB lookup tables: per-queue and per-team rules, resolved here.

The reference resolves threshold inheritance itself, from the configuration as it was
written (`Settings.model_dump(exclude_unset=True)`: the validated values of the keys the
TOML file, or the test, set, without any default) and its own table of defaults below.
It calls none of `Settings.queue_rules` / `queue_site` / `team_rules`, so a slip in either
resolution shows up as a disagreement with the engine. Inheritance (kpi-spec §6):

- per (queue, channel) thresholds: the queue's own value, else the channel's block
  (`[voice]` / `[chat]`; a block that is written replaces the default block whole, so an
  omitted `ultra_short_s` there is "none"), else nothing;
- queue-level alert rules: the queue's own value, else `[queue_defaults]` key by key,
  else the default below; site: the queue's own, else `default_site`;
- team rules: the team's own value, else `[team_defaults]` key by key, else the default;
  `long_away_s` merges reason by reason over `[team_defaults] long_away_s` (which, when
  written, replaces the default table whole).

A key set to `None` (possible only from Python) counts as not written. Durations are
seconds (float), ratios 0..1.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from schemas.config import Settings

CHANNELS: tuple[str, ...] = ("voice", "chat")

# The defaults of the configuration (kpi-spec §6, schemas/config.py), written again
# for the reference on purpose (seconds, ratios 0..1).
DEFAULT_SITE = "main"
CHANNEL_DEFAULTS: dict[str, dict[str, float | None]] = {
    "voice": {
        "sl_threshold_s": 20,
        "wait_breach_s": 120,
        "ultra_long_s": 1200,
        "ultra_short_s": 10,
    },
    "chat": {
        "sl_threshold_s": 60,
        "wait_breach_s": 300,
        "ultra_long_s": 1800,
        "ultra_short_s": None,
    },
}
QUEUE_DEFAULTS: dict[str, float] = {
    "short_abandon_s": 5,
    "sl_target": 0.80,
    "sl_min_contacts": 10,
    "sl_hold_s": 60,
    "sl_clear_margin": 0.02,
    "abandon_spike_rate": 0.10,
    "abandon_min_contacts": 10,
    "abandon_hold_s": 60,
    "wait_clear_hold_s": 60,
    "volume_spike_factor": 1.5,
    "volume_spike_min_contacts": 10,
    "volume_spike_min_elapsed_s": 300,
}
TEAM_DEFAULTS: dict[str, float] = {
    "late_login_grace_s": 300,
    "early_logout_grace_s": 300,
    "relogin_count": 3,
    "relogin_window_s": 1800,
    "early_login_window_s": 7200,
}
LONG_AWAY_DEFAULTS: dict[str, float] = {
    "break": 900,
    "lunch": 3600,
    "training": 7200,
    "meeting": 3600,
    "coaching": 3600,
    "system": 300,
    "other": 300,
}
_CHANNEL_KEYS = ("sl_threshold_s", "wait_breach_s", "ultra_long_s", "ultra_short_s")


def _written(section: Any) -> dict[str, Any]:
    """The keys of a section that were written with a value (`None` counts as unwritten)."""
    if not isinstance(section, dict):
        return {}
    return {k: v for k, v in section.items() if v is not None}


class ResolvedRules:
    """Threshold inheritance over the written configuration (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        written = settings.model_dump(exclude_unset=True)
        self.default_site: str = written.get("default_site", DEFAULT_SITE)
        self.channels = {
            name: (
                {"ultra_short_s": None, **_written(written[name])}
                if name in written
                else dict(CHANNEL_DEFAULTS[name])
            )
            for name in CHANNELS
        }
        self.queue_defaults = {**QUEUE_DEFAULTS, **_written(written.get("queue_defaults"))}
        team_defaults = _written(written.get("team_defaults"))
        self.long_away = dict(team_defaults.pop("long_away_s", LONG_AWAY_DEFAULTS))
        self.team_defaults = {**TEAM_DEFAULTS, **team_defaults}
        self.queues: dict[str, dict[str, Any]] = {
            q: _written(o) for q, o in (written.get("queues") or {}).items()
        }
        self.teams: dict[str, dict[str, Any]] = {
            t: _written(o) for t, o in (written.get("teams") or {}).items()
        }

    def contact(self, queue: str, channel: str) -> dict[str, Any]:
        """Thresholds of a contact of `channel` in `queue` (seconds; `ultra_short_s` may
        be None), plus the queue's `short_abandon_s`."""
        own = self.queues.get(queue, {})
        block = self.channels[channel]
        out = {key: own.get(key, block[key]) for key in _CHANNEL_KEYS}
        out["short_abandon_s"] = own.get("short_abandon_s", self.queue_defaults["short_abandon_s"])
        return out

    def queue(self, queue: str) -> dict[str, Any]:
        """Queue-level alert rules (channel-independent) and the queue's site."""
        own = self.queues.get(queue, {})
        out = {key: own.get(key, default) for key, default in self.queue_defaults.items()}
        out["site"] = own.get("site") or self.default_site
        return out

    def team(self, team: str) -> dict[str, Any]:
        """Team rules; `long_away_s` per reason, `queues` the queues the team serves."""
        own = self.teams.get(team, {})
        out = {key: own.get(key, default) for key, default in self.team_defaults.items()}
        out["long_away_s"] = {**self.long_away, **own.get("long_away_s", {})}
        out["queues"] = list(own.get("queues", []))
        return out


def _names_in(raw: pa.Table, column: str, types: tuple[str, ...]) -> set[str]:
    kinds = raw.column("type").to_pylist()
    values = raw.column(column).to_pylist()
    return {v for k, v in zip(kinds, values, strict=True) if k in types and v is not None}


def contact_rules_table(raw: pa.Table, settings: Settings) -> pa.Table:
    """`crules`: thresholds per (queue, channel) for every pair a contact can carry."""
    queues = _names_in(raw, "queue", ("contact.offered", "contact.self_served"))
    resolved = ResolvedRules(settings)
    queues |= set(resolved.queues)
    rows: list[dict[str, Any]] = []
    for queue in sorted(queues):
        for channel in CHANNELS:
            r = resolved.contact(queue, channel)
            rows.append(
                {
                    "queue": queue,
                    "channel": channel,
                    **{k: None if v is None else float(v) for k, v in r.items()},
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
    resolved = ResolvedRules(settings)
    queues |= set(resolved.queues)
    rows = []
    for queue in sorted(queues):
        r = resolved.queue(queue)
        rows.append(
            {
                "queue": queue,
                "site": r["site"],
                "configured": queue in resolved.queues,
                "sl_target": float(r["sl_target"]),
                "sl_min_contacts": int(r["sl_min_contacts"]),
                "sl_hold_s": float(r["sl_hold_s"]),
                "sl_clear_margin": float(r["sl_clear_margin"]),
                "abandon_spike_rate": float(r["abandon_spike_rate"]),
                "abandon_min_contacts": int(r["abandon_min_contacts"]),
                "abandon_hold_s": float(r["abandon_hold_s"]),
                "wait_clear_hold_s": float(r["wait_clear_hold_s"]),
                "volume_spike_factor": float(r["volume_spike_factor"]),
                "volume_spike_min_contacts": int(r["volume_spike_min_contacts"]),
                "volume_spike_min_elapsed_s": float(r["volume_spike_min_elapsed_s"]),
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
    resolved = ResolvedRules(settings)
    teams = _names_in(raw, "team", ("agent.login",)) | set(resolved.teams) | set(rostered)
    trules: list[dict[str, Any]] = []
    limits: list[dict[str, Any]] = []
    serves: list[dict[str, Any]] = []
    for team in sorted(teams):
        r = resolved.team(team)
        trules.append(
            {
                "team": team,
                "late_login_grace_s": float(r["late_login_grace_s"]),
                "early_logout_grace_s": float(r["early_logout_grace_s"]),
                "relogin_count": int(r["relogin_count"]),
                "relogin_window_s": float(r["relogin_window_s"]),
                "early_login_window_s": float(r["early_login_window_s"]),
            }
        )
        limits.extend(
            {"team": team, "reason": reason, "limit_s": float(limit)}
            for reason, limit in sorted(r["long_away_s"].items())
        )
        serves.extend({"team": team, "queue": queue} for queue in r["queues"])
    return {
        "trules": pa.Table.from_pylist(trules, schema=_TRULES_SCHEMA),
        "tlimits": pa.Table.from_pylist(limits, schema=_TLIMITS_SCHEMA),
        "serves": pa.Table.from_pylist(serves, schema=_SERVES_SCHEMA),
    }
