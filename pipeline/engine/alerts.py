"""Alert records and their raised/cleared transitions (kpi-semantics §5).

Alerts are kept with epoch-second times; `export` formats them as `schemas.snapshot.Alert`
JSON dicts (RFC 3339 in the configured zone). Ids use the integer epoch second
(addendum 2).
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterable
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


def _raised_at(key: tuple[float, str]) -> float:
    return key[0]


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
class ShownExports:
    """Every alert's `export` dict as shown at `now`, for `AlertBook.visible_exported`.

    An exported dict depends on the alert's fields and on whether `cleared_at <= now`, so
    from one `now` to a later one only two kinds of dict can change: alerts raised, cleared
    or evicted since (`touched`), and alerts whose `cleared_at` the clock has now reached
    (`clearing`, a heap). Those are exported again; all others are reused as they are.
    """

    now: int
    dicts: dict[str, dict[str, Any]]
    # (cleared_at, id) of alerts exported while `cleared_at > now`.
    clearing: list[tuple[float, str]]
    touched: set[str] = field(default_factory=set)


@dataclass
class AlertBook:
    """Every alert of the recent days, plus the transitions not yet drained."""

    zone_name: str
    severities: dict[str, str]
    alerts: dict[str, AlertRecord] = field(default_factory=dict)
    transitions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # `(raised_at, id)` of every alert in `alerts`, kept sorted as alerts are raised (most
    # arrive in order, so the insert is at the end), so `visible` does not sort each tick.
    # `raised_at` never changes once raised.
    by_raised: list[tuple[float, str]] = field(default_factory=list)
    # A cache for `visible_exported` (not pickled: rebuilt on first use).
    shown: ShownExports | None = None

    def __getstate__(self) -> dict[str, Any]:
        # `by_raised` and `shown` are derived from `alerts`: recovery snapshots skip them.
        return {**self.__dict__, "by_raised": None, "shown": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.by_raised = sorted((a.raised_at, a.id) for a in self.alerts.values())

    def _touch(self, alert_id: str) -> None:
        if self.shown is not None:
            self.shown.touched.add(alert_id)

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
        bisect.insort(self.by_raised, (raised_at, alert_id))
        self._touch(alert_id)
        self.transitions.append(("raised", export(alert, ZoneInfo(self.zone_name))))
        if cleared_at is not None:
            self.clear(alert_id, cleared_at)
        return alert

    def clear(self, alert_id: str, at: float) -> None:
        alert = self.alerts.get(alert_id)
        if alert is None or alert.cleared_at is not None:
            return
        alert.cleared_at = at
        self._touch(alert_id)
        self.transitions.append(("cleared", export(alert, ZoneInfo(self.zone_name))))

    def visible_exported(self, now: int, day_start: int) -> list[dict[str, Any]]:
        """The `export` dicts of the alerts raised by `now` that are active at `now` or were
        raised on `now`'s day, in (raised_at, id) order. Dicts of an earlier call are reused
        where they cannot differ (a pure speed-up: a busy day has thousands of alerts, and
        formatting all their times at every 0.1 s tick was the largest cost of a tick).
        Callers share the dicts and must not mutate them."""
        dicts = self._shown_at(now).dicts
        today, upto = self._visible_span(now, day_start)
        older = [dicts[alert.id] for alert in self._older_active(now, today)]
        return older + [dicts[i] for _r, i in self.by_raised[today:upto]]

    def _visible_span(self, now: int, day_start: int) -> tuple[int, int]:
        """`(today, upto)`: `by_raised[:upto]` were raised by `now`, and of them
        `by_raised[today:upto]` on `now`'s day (all shown; the older ones only while
        active)."""
        order = self.by_raised
        upto = bisect.bisect_right(order, float(now), key=_raised_at)
        return min(bisect.bisect_left(order, float(day_start), key=_raised_at), upto), upto

    def _older_active(self, now: int, today: int) -> list[AlertRecord]:
        """Alerts of `by_raised[:today]` (raised before `now`'s day) still active at `now`."""
        alerts = self.alerts
        return [
            alert
            for alert in (alerts[i] for _r, i in self.by_raised[:today])
            if alert.cleared_at is None or alert.cleared_at > now
        ]

    def _shown_at(self, now: int) -> ShownExports:
        zone = ZoneInfo(self.zone_name)
        shown = self.shown
        if shown is None or now < shown.now:
            shown = self.shown = ShownExports(now, {}, [])
            refresh: Iterable[str] = list(self.alerts)
        else:
            clearing = shown.clearing
            refresh = shown.touched
            while clearing and clearing[0][0] <= now:
                refresh.add(heapq.heappop(clearing)[1])
        shown.now = now
        for alert_id in refresh:
            alert = self.alerts.get(alert_id)
            if alert is None:
                shown.dicts.pop(alert_id, None)
                continue
            shown.dicts[alert_id] = export(alert, zone, now)
            if alert.cleared_at is not None and alert.cleared_at > now:
                heapq.heappush(shown.clearing, (alert.cleared_at, alert_id))
        shown.touched = set()
        return shown

    def evict(self, before: float) -> None:
        """Forget alerts cleared before `before` (epoch seconds)."""
        for alert_id in [
            a.id for a in self.alerts.values() if a.cleared_at is not None and a.cleared_at < before
        ]:
            del self.alerts[alert_id]
            self._touch(alert_id)
        if len(self.by_raised) != len(self.alerts):
            kept = self.alerts
            self.by_raised = [key for key in self.by_raised if key[1] in kept]
