"""Alert delivery to chat webhooks: channels, routes, quiet hours, escalation, retries.

TOML under `[notify]`. Durations are seconds, rates are messages per minute, clock times
("HH:MM") are local times of `Settings.timezone`. Webhook URLs and signing secrets are never
written in the main file: each channel names an environment variable (`url_env`,
`secret_env`) or takes `url` / `secret` from the `[<channel name>]` table of the TOML
`secrets_file` (a relative path is resolved against the main config file's folder).

Example::

    [notify]
    dashboard_url = "http://wallboard.example:8050"
    secrets_file = "notify-secrets.toml"
    escalate_after_s = 900
    escalation_channels = ["duty_wecom"]

    [notify.channels.claims_wecom]
    vendor = "wecom"
    url_env = "WB_WECOM_CLAIMS_URL"

    [[notify.routes]]
    name = "claims"
    queues = ["claims_report"]
    min_severity = "warning"
    channels = ["claims_wecom"]
    quiet_hours = { start = "22:00", end = "08:00", allow = "critical" }
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.alert_kinds import AlertKind, Severity

Vendor = Literal["slack", "teams", "wecom", "dingtalk", "feishu", "webhook"]
Language = Literal["zh-CN", "en"]

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}

# Documented or observed per-webhook limits, messages per minute.
VENDOR_RATE_PER_MIN: dict[str, float] = {
    "wecom": 20,
    "dingtalk": 20,
    "feishu": 100,
    "slack": 60,
    "teams": 60,
    "webhook": 600,
}
CHINESE_VENDORS = frozenset({"wecom", "dingtalk", "feishu"})

_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _clock(value: str) -> time:
    match = _CLOCK.match(value)
    if match is None:
        msg = f"{value!r} is not a local clock time HH:MM"
        raise ValueError(msg)
    return time(int(match.group(1)), int(match.group(2)))


class QuietHours(_Strict):
    """Local quiet period `[start, end)`; it wraps past midnight when end <= start.

    `allow = "critical"` lets critical alerts through, `"none"` holds back everything.
    Messages held back are not sent later (the dashboard still shows the alert).
    """

    start: str
    end: str
    allow: Literal["critical", "none"] = "critical"

    @field_validator("start", "end")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        _clock(value)
        return value

    @property
    def start_time(self) -> time:
        return _clock(self.start)

    @property
    def end_time(self) -> time:
        return _clock(self.end)


class ChannelSettings(_Strict):
    """One chat webhook. The URL and secret come from the environment or the secrets file."""

    vendor: Vendor
    url_env: str | None = None
    secret_env: str | None = None
    # Message language; default zh-CN for WeCom, DingTalk and Feishu, en otherwise.
    language: Language | None = None
    # Messages per minute over any 60 s; default by vendor (WeCom and DingTalk 20).
    rate_per_min: Annotated[float, Field(gt=0)] | None = None
    # Messages that may go out back to back before the rate applies.
    burst: Annotated[int, Field(ge=1)] = 1
    queue_size: Annotated[int, Field(ge=1)] = 1000

    @field_validator("url_env", "secret_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            msg = f"{value!r} is not an environment variable name"
            raise ValueError(msg)
        return value

    @property
    def effective_language(self) -> Language:
        if self.language is not None:
            return self.language
        return "zh-CN" if self.vendor in CHINESE_VENDORS else "en"

    @property
    def effective_rate_per_min(self) -> float:
        return self.rate_per_min or VENDOR_RATE_PER_MIN[self.vendor]


class RouteSettings(_Strict):
    """Which alerts go to which channels. Empty `kinds`/`queues`/`teams` match everything.

    With both `queues` and `teams` given, an alert matches when either matches. A queue
    alert's teams are the teams serving the queue; an agent alert's team is the agent's.
    A `cleared` message is sent only to channels that received the `raised` one.
    """

    name: str
    channels: Annotated[list[str], Field(min_length=1)]
    kinds: list[AlertKind] = Field(default_factory=list)
    min_severity: Severity = "info"
    queues: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)
    send_raised: bool = True
    send_cleared: bool = True
    quiet_hours: QuietHours | None = None


class RetrySettings(_Strict):
    """Retries on timeouts, connection errors, 429 and 5xx: exponential backoff, jitter."""

    max_attempts: Annotated[int, Field(ge=1)] = 5
    base_delay_s: Annotated[float, Field(gt=0)] = 1.0
    max_delay_s: Annotated[float, Field(gt=0)] = 60.0
    timeout_s: Annotated[float, Field(gt=0)] = 10.0
    # A Retry-After longer than this is cut to it.
    max_retry_after_s: Annotated[float, Field(ge=0)] = 300.0


class NotifySettings(_Strict):
    """The `[notify]` table; see the module docstring for an example."""

    enabled: bool = True
    dashboard_url: str | None = None
    secrets_file: str | None = None
    channels: dict[str, ChannelSettings] = Field(default_factory=dict)
    routes: list[RouteSettings] = Field(default_factory=list)
    # One escalation message per alert still active this many seconds after raised_at.
    escalate_after_s: Annotated[float, Field(gt=0)] | None = None
    escalation_channels: list[str] = Field(default_factory=list)
    escalation_min_severity: Severity = "warning"
    escalation_quiet_hours: QuietHours | None = None
    retry: RetrySettings = RetrySettings()
    poll_interval_s: Annotated[float, Field(gt=0)] = 1.0
    # Where a notifier with no stored cursor starts: only new transitions ("latest"), or
    # the whole `alerts:history` stream ("beginning").
    start_at: Literal["latest", "beginning"] = "latest"
    # How long the "already delivered" marks live (8 days: longer than any replay).
    delivered_ttl_s: Annotated[int, Field(ge=60)] = 8 * 24 * 3600

    @field_validator("dashboard_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _channels_exist(self) -> NotifySettings:
        for index, route in enumerate(self.routes):
            for name in route.channels:
                if name not in self.channels:
                    msg = f"routes[{index}] ({route.name}): unknown channel {name!r}"
                    raise ValueError(msg)
        for name in self.escalation_channels:
            if name not in self.channels:
                msg = f"escalation_channels: unknown channel {name!r}"
                raise ValueError(msg)
        if self.escalate_after_s is not None and not self.escalation_channels:
            msg = "escalate_after_s is set but escalation_channels is empty"
            raise ValueError(msg)
        for name, channel in self.channels.items():
            if channel.url_env is None and self.secrets_file is None:
                msg = f"channels.{name}: needs url_env or a secrets_file with [{name}] url"
                raise ValueError(msg)
            if channel.burst >= channel.effective_rate_per_min:
                msg = f"channels.{name}: burst must be below rate_per_min"
                raise ValueError(msg)
        return self
