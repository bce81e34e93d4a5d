"""Which channels get an alert transition: routes by kind, severity, queue and team, and
quiet hours in the configured local time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal

from schemas.config import Settings
from schemas.notify import SEVERITY_RANK, QuietHours, RouteSettings
from schemas.snapshot import Alert

Transition = Literal["raised", "cleared", "escalated", "test"]


@dataclass(frozen=True)
class AlertScope:
    """Where an alert belongs: its queue (if known), agent (if any) and teams."""

    queue: str | None
    agent: str | None
    teams: frozenset[str]


def split_subject(subject: str) -> tuple[str, str]:
    """`"queue:claims_report"` -> `("queue", "claims_report")`; no colon -> `("", subject)`."""
    kind, sep, ident = subject.partition(":")
    return (kind, ident) if sep else ("", subject)


def alert_scope(alert: Alert, settings: Settings, agent_team: str | None) -> AlertScope:
    """Queue alerts belong to the teams serving the queue; agent alerts to the agent's team
    and, when the evidence names one, to the contact's queue."""
    kind, ident = split_subject(alert.subject)
    if kind == "queue":
        return AlertScope(ident, None, frozenset(settings.teams_serving(ident)))
    queue = alert.evidence.get("queue")
    return AlertScope(
        queue if isinstance(queue, str) else None,
        ident if kind == "agent" else None,
        frozenset({agent_team}) if agent_team else frozenset(),
    )


def severity_at_least(severity: str, minimum: str) -> bool:
    return SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK[minimum]


def in_quiet_period(quiet: QuietHours, local: time) -> bool:
    """True when the local clock time is in `[start, end)`, wrapping past midnight."""
    start, end = quiet.start_time, quiet.end_time
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_allow(quiet: QuietHours | None, severity: str, now_local: datetime) -> bool:
    """Whether a message of this severity may go out at `now_local` (local time zone)."""
    if quiet is None or not in_quiet_period(quiet, now_local.time()):
        return True
    return quiet.allow == "critical" and severity == "critical"


def route_matches(route: RouteSettings, alert: Alert, scope: AlertScope) -> bool:
    if route.kinds and alert.kind not in route.kinds:
        return False
    if not severity_at_least(alert.severity, route.min_severity):
        return False
    if not route.queues and not route.teams:
        return True
    by_queue = scope.queue is not None and scope.queue in route.queues
    by_team = bool(scope.teams.intersection(route.teams))
    return by_queue or by_team


def is_point_in_time(alert: Alert) -> bool:
    """Point-in-time alerts (ultra_short, abnormal_logout, late_login) clear as they rise."""
    return alert.cleared_at is not None and alert.cleared_at == alert.raised_at


def channels_for(
    settings: Settings,
    alert: Alert,
    transition: Transition,
    scope: AlertScope,
    now: datetime,
) -> list[str]:
    """Channels for a `raised` or `cleared` transition, in route order, each once.

    A point-in-time alert's `cleared` goes nowhere: the raised message already said all.
    """
    if transition == "cleared" and is_point_in_time(alert):
        return []
    now_local = now.astimezone(settings.zone)
    chosen: list[str] = []
    for route in settings.notify.routes:
        if transition == "raised" and not route.send_raised:
            continue
        if transition == "cleared" and not route.send_cleared:
            continue
        if not route_matches(route, alert, scope):
            continue
        if not quiet_hours_allow(route.quiet_hours, alert.severity, now_local):
            continue
        chosen.extend(c for c in route.channels if c not in chosen)
    return chosen


def escalation_channels(settings: Settings, alert: Alert, now: datetime) -> list[str]:
    """Escalation channels for an alert active longer than `escalate_after_s` at `now`."""
    notify = settings.notify
    if notify.escalate_after_s is None or alert.cleared_at is not None:
        return []
    if not severity_at_least(alert.severity, notify.escalation_min_severity):
        return []
    raised = datetime.fromisoformat(alert.raised_at)
    if (now - raised).total_seconds() < notify.escalate_after_s:
        return []
    if not quiet_hours_allow(
        notify.escalation_quiet_hours, alert.severity, now.astimezone(settings.zone)
    ):
        return []
    return list(notify.escalation_channels)
