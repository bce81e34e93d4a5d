"""Alert records and their raised/cleared transitions (kpi-semantics §5).

Alerts are kept with epoch-second times; `export` formats them as `schemas.snapshot.Alert`
JSON dicts (RFC 3339 in the configured zone). Ids use the integer epoch second
(addendum 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from schemas.timefmt import format_ts


@dataclass(slots=True)
class AlertRecord:
    id: str
    kind: str
    severity: str
    subject: str
    raised_at: float
    cleared_at: float | None
    evidence: dict[str, Any]


def epoch_id(value: float) -> str:
    """The integer epoch second used inside alert ids."""
    return str(math.floor(value))


def export(alert: AlertRecord, zone: ZoneInfo, now: float | None = None) -> dict[str, Any]:
    """JSON dict of an alert; with `now`, `cleared_at` is shown only when `<= now`."""
    cleared = alert.cleared_at
    if cleared is not None and now is not None and cleared > now:
        cleared = None
    return {
        "id": alert.id,
        "kind": alert.kind,
        "severity": alert.severity,
        "subject": alert.subject,
        "raised_at": format_ts(alert.raised_at, zone),
        "cleared_at": None if cleared is None else format_ts(cleared, zone),
        "evidence": alert.evidence,
    }


@dataclass
class AlertBook:
    """Every alert of the recent days, plus the transitions not yet drained."""

    zone_name: str
    severities: dict[str, str]
    alerts: dict[str, AlertRecord] = field(default_factory=dict)
    transitions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def raise_alert(  # noqa: PLR0917
        self,
        alert_id: str,
        kind: str,
        subject: str,
        raised_at: float,
        evidence: dict[str, Any],
        cleared_at: float | None = None,
    ) -> AlertRecord | None:
        """Raise once; a point alert passes `cleared_at = raised_at`. None if the id exists."""
        if alert_id in self.alerts:
            return None
        alert = AlertRecord(
            alert_id, kind, self.severities[kind], subject, raised_at, None, evidence
        )
        self.alerts[alert_id] = alert
        self.transitions.append(("raised", export(alert, ZoneInfo(self.zone_name))))
        if cleared_at is not None:
            self.clear(alert_id, cleared_at)
        return alert

    def clear(self, alert_id: str, at: float) -> None:
        alert = self.alerts.get(alert_id)
        if alert is None or alert.cleared_at is not None:
            return
        alert.cleared_at = at
        self.transitions.append(("cleared", export(alert, ZoneInfo(self.zone_name))))

    def visible(self, now: int, day_start: int) -> list[AlertRecord]:
        """Alerts raised by `now` that are active at `now` or were raised on `now`'s day."""
        shown = [
            a
            for a in self.alerts.values()
            if a.raised_at <= now
            and (a.raised_at >= day_start or a.cleared_at is None or a.cleared_at > now)
        ]
        shown.sort(key=lambda a: (a.raised_at, a.id))
        return shown

    def evict(self, before: float) -> None:
        """Forget alerts cleared before `before` (epoch seconds)."""
        for alert_id in [
            a.id for a in self.alerts.values() if a.cleared_at is not None and a.cleared_at < before
        ]:
            del self.alerts[alert_id]
