"""The alert kinds and severities of `kpi-spec.md` §5, shared by config, notify and tests."""

from __future__ import annotations

from typing import Literal, get_args

Severity = Literal["info", "warning", "critical"]
AlertKind = Literal[
    "ultra_short_contact",
    "ultra_long_contact",
    "abnormal_logout",
    "late_login",
    "long_away",
    "sl_breach",
    "wait_breach",
    "abandon_spike",
    "volume_spike",
]
ALERT_KINDS: tuple[AlertKind, ...] = get_args(AlertKind)
