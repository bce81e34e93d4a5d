"""Routes by kind, severity, queue and team; quiet hours in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.notify.routing import alert_scope, channels_for, escalation_channels
from schemas.snapshot import Alert
from tests.notify.conftest import long_away, sample_settings, sl_breach

CHANNELS = {
    name: {"vendor": "wecom", "url_env": f"URL_{name.upper()}"}
    for name in ("claims", "service", "duty", "all_critical")
}
SETTINGS = sample_settings(
    {
        "channels": CHANNELS,
        "routes": [
            {"name": "claims", "queues": ["claims_report"], "channels": ["claims"]},
            {
                "name": "service",
                "teams": ["cd_service_b"],
                "min_severity": "warning",
                "kinds": ["long_away", "wait_breach"],
                "channels": ["service"],
                "send_cleared": False,
                "quiet_hours": {"start": "22:00", "end": "08:00", "allow": "none"},
            },
            {
                "name": "critical",
                "min_severity": "critical",
                "channels": ["all_critical", "claims"],
                "quiet_hours": {"start": "22:00", "end": "08:00"},
            },
        ],
        "escalate_after_s": 900,
        "escalation_channels": ["duty"],
        "escalation_quiet_hours": {"start": "12:00", "end": "13:30", "allow": "none"},
    }
)
DAY = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 Shanghai
NIGHT = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # 23:30 Shanghai
EARLY = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)  # 07:59 Shanghai next day
MORNING = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 08:00 Shanghai


def _channels(alert: Alert, transition: str, now: datetime, team: str | None = None) -> list[str]:
    scope = alert_scope(alert, SETTINGS, team)
    return channels_for(SETTINGS, alert, transition, scope, now)  # type: ignore[arg-type]


def test_queue_alert_goes_to_queue_route_and_critical_route_once_each() -> None:
    assert _channels(sl_breach(), "raised", DAY) == ["claims", "all_critical"]


def test_agent_alert_routes_by_the_agents_team() -> None:
    assert _channels(long_away(), "raised", DAY, team="cd_service_b") == ["service"]
    assert _channels(long_away(), "raised", DAY, team="bj_claims_a") == []
    assert _channels(long_away(severity="info"), "raised", DAY, team="cd_service_b") == []


def test_queue_alert_reaches_teams_serving_the_queue() -> None:
    wait = Alert(
        id="wait_breach:complaints:1772414100",
        kind="wait_breach",
        severity="warning",
        subject="queue:complaints",
        raised_at="2026-03-02T09:15:00+08:00",
        cleared_at=None,
        evidence={"threshold_s": 120, "contact_id": "c1"},
    )
    assert _channels(wait, "raised", DAY) == ["service"]
    assert _channels(wait, "cleared", DAY) == []  # the route sends no cleared messages


def test_quiet_hours_pass_only_critical_or_nothing() -> None:
    assert _channels(sl_breach(), "raised", NIGHT) == ["claims", "all_critical"]
    assert _channels(long_away(), "raised", NIGHT, team="cd_service_b") == []
    assert _channels(long_away(), "raised", EARLY, team="cd_service_b") == []
    assert _channels(long_away(), "raised", MORNING, team="cd_service_b") == ["service"]


def test_point_in_time_alert_sends_no_cleared_message() -> None:
    logout = Alert(
        id="abnormal_logout:a001:1772414100",
        kind="abnormal_logout",
        severity="critical",
        subject="agent:a001",
        raised_at="2026-03-02T09:15:00+08:00",
        cleared_at="2026-03-02T09:15:00+08:00",
        evidence={"reasons": ["early_logout"]},
    )
    assert _channels(logout, "raised", DAY) == ["all_critical", "claims"]
    assert _channels(logout, "cleared", DAY) == []


def test_escalation_after_threshold_and_outside_its_quiet_hours() -> None:
    alert = sl_breach(raised_at="2026-03-02T09:45:00+08:00")
    assert escalation_channels(SETTINGS, alert, DAY) == ["duty"]  # 15 min active
    young = sl_breach(raised_at="2026-03-02T09:45:01+08:00")
    assert escalation_channels(SETTINGS, young, DAY) == []
    lunch = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)  # 12:30 Shanghai
    assert escalation_channels(SETTINGS, alert, lunch) == []
    assert escalation_channels(SETTINGS, long_away(severity="info"), DAY) == []
